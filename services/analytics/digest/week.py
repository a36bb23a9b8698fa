"""Digest weeks: Monday 00:00 to the next Monday 00:00, India's time (Asia/Kolkata), named by
their Monday. A week's digest is due at 09:00 India time on the Monday after it ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shared.india import INDIA

SEND_AT = time(9, 0)


@dataclass(frozen=True, order=True)
class Week:
    monday: date

    @classmethod
    def of(cls, day: date) -> Week:
        """The week holding ``day``."""
        return cls(day - timedelta(days=day.weekday()))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(0), INDIA)

    @property
    def end(self) -> datetime:
        """The next Monday's midnight in India: the week is [start, end)."""
        return datetime.combine(self.monday + timedelta(days=7), time(0), INDIA)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def due_at(self) -> datetime:
        """When its digest is sent: 09:00 India time on the Monday after it."""
        return datetime.combine(self.monday + timedelta(days=7), SEND_AT, INDIA)

    def previous(self) -> Week:
        return Week(self.monday - timedelta(days=7))

    def __str__(self) -> str:
        return self.monday.isoformat()


def parse_week(text: str) -> Week:
    """A week from any of its days as YYYY-MM-DD; ValueError for anything else."""
    return Week.of(date.fromisoformat(text))


def last_complete(now: datetime) -> Week:
    """The latest week that has ended by ``now``."""
    return Week.of(now.astimezone(INDIA).date()).previous()


def due_weeks(now: datetime, first: Week, latest_sent: Week | None) -> list[Week]:
    """The weeks whose digest is due by ``now`` and not yet decided: after ``latest_sent``
    (or from ``first``, the week the installation began in), oldest first. A worker that was
    down for weeks catches up every one it missed."""
    week = first if latest_sent is None else Week(latest_sent.monday + timedelta(days=7))
    out = []
    while week.due_at <= now:
        out.append(week)
        week = Week(week.monday + timedelta(days=7))
    return out
