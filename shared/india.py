"""India's time zone, once: days (daily limits, trends, complaint dates) turn at midnight
where the visitors are. India keeps no daylight saving, so this is always UTC+05:30.

``str(INDIA)`` is the zone's name, "Asia/Kolkata", as PostgreSQL's ``AT TIME ZONE`` wants it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")


def day_in_india(now: datetime) -> date:
    """The calendar day in India at ``now`` (an aware datetime)."""
    return now.astimezone(INDIA).date()


def today_in_india() -> date:
    return datetime.now(INDIA).date()
