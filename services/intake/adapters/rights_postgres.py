"""The rights page's PostgreSQL port: a visitor's own feedback, found by the keyed hash of
their number in ``feedback_personal``, and the erasure of their name and number from it.

The erasure is the purge's, early: name and mobile blanked, ``purged_at`` set; the feedback
row (the facts, the scores) stays, and so does the keyed hash the abuse limits need.

Neither statement reads a name or a number: a row still holds them while ``purged_at`` is
unset (the purge and this erasure both set it). So intake's database role needs only
SELECT on ``feedback_personal (event_id, mobile_hash, purged_at)`` and UPDATE on its
``name, mobile, purged_at``, besides SELECT on ``feedback`` and ``stations``.
"""

from __future__ import annotations

from datetime import datetime

import psycopg2

from services.intake.rights import GivenFeedback, RightsUnavailable
from shared.db import connection, transaction
from shared.india import INDIA

_GIVEN = """
    SELECT f.event_id::text, f.station_code, s.name_hi, s.name_en, f.submitted_at, f.rating,
           f.complaint_type, f.comments, p.purged_at IS NULL
      FROM feedback_personal p
      JOIN feedback f USING (event_id)
      JOIN stations s ON s.code = f.station_code
     WHERE p.mobile_hash = %s
     ORDER BY f.submitted_at DESC
     LIMIT 200
"""
_ERASE = """
    UPDATE feedback_personal SET name = NULL, mobile = NULL, purged_at = %s
     WHERE mobile_hash = %s AND purged_at IS NULL
"""


class PostgresRights:
    """A short-lived connection per call: the page is rare, and no connection is shared
    between gunicorn's threads."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def given(self, mobile_hash: str) -> list[GivenFeedback]:
        try:
            with (
                connection(self.database_url, application_name="intake-rights") as conn,
                transaction(conn) as cur,
            ):
                cur.execute(_GIVEN, (mobile_hash,))
                rows = cur.fetchall()
        except psycopg2.Error as exc:
            raise RightsUnavailable(type(exc).__name__) from None
        return [
            GivenFeedback(
                r[0], r[1], r[2], r[3], r[4].astimezone(INDIA).date(), r[5], r[6], r[7], r[8]
            )
            for r in rows
        ]

    def erase(self, mobile_hash: str, now: datetime) -> int:
        try:
            with (
                connection(self.database_url, application_name="intake-rights") as conn,
                transaction(conn) as cur,
            ):
                cur.execute(_ERASE, (now, mobile_hash))
                return cur.rowcount
        except psycopg2.Error as exc:
            raise RightsUnavailable(type(exc).__name__) from None
