"""PostgreSQL side of analytics: a connection that reconnects (``Database``) and the
feedback repository inside its transactions (``PostgresFeedback``).

``store_batch`` is one statement in one transaction: the feedback facts are inserted with
``ON CONFLICT (event_id, submitted_at) DO NOTHING`` (the key of the table partitioned by
month; an event's submitted_at travels in it, so a redelivery meets its own row), and an
event id already stored under another submitted_at is skipped too (intake publishes a retry
of an attempt that timed out under the same id and a new time, and the first attempt may
have reached Kafka after all); only the rows really inserted (``RETURNING``) go on to
``feedback_personal`` and to the hourly buckets. A redelivered event therefore changes
nothing.
The name and number come opened (``usecases.batch``): the event itself only carries them sealed.
Each row gets its officer and comment keys (``shared.textkeys``) as it is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

import psycopg2
import psycopg2.extras

from services.analytics.domain import STAT_FIELDS
from shared import db
from shared.events import FeedbackSubmitted, Personal
from shared.scores import WindowStats
from shared.textkeys import KEY_VERSION, officer_key, search_key

# The first key of analytics' advisory locks on stations (any fixed number of our own).
STATION_LOCKS = 7261

_COLUMNS = (
    "event_id, station_code, qr_version, submitted_at, rating, complaint_date, complaint_type,"
    " officer_name, comments, cleanliness, staff_available, staff_helped, problem_resolved,"
    " language, name, mobile, mobile_hash, officer_key, comment_key, text_key_version"
)
_TEMPLATE = (
    "(%s::uuid, %s, %s::int, %s::timestamptz, %s::smallint, %s::date, %s, %s, %s,"
    " %s::smallint, %s::boolean, %s::boolean, %s::boolean, %s, %s, %s, %s, %s, %s,"
    " %s::smallint)"
)
_STORE = f"""
WITH incoming ({_COLUMNS}) AS (VALUES %s),
inserted AS (
    INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,
        complaint_date, complaint_type, officer_name, comments, cleanliness, staff_available,
        staff_helped, problem_resolved, language, officer_key, comment_key, text_key_version)
    SELECT DISTINCT ON (event_id) event_id, station_code, qr_version, submitted_at, rating,
        complaint_date, complaint_type, officer_name, comments, cleanliness, staff_available,
        staff_helped, problem_resolved, language, officer_key, comment_key, text_key_version
    FROM incoming i
    -- One row per event id, whatever its submitted_at: intake publishes a retry of a failed
    -- attempt again under the same id, and the attempt may have reached Kafka after all.
    WHERE NOT EXISTS (SELECT 1 FROM feedback f WHERE f.event_id = i.event_id)
    ORDER BY event_id, submitted_at
    ON CONFLICT (event_id, submitted_at) DO NOTHING
    RETURNING *
),
personal AS (
    INSERT INTO feedback_personal (event_id, submitted_at, name, mobile, mobile_hash)
    SELECT i.event_id, i.submitted_at, i.name, i.mobile, i.mobile_hash
    FROM incoming i JOIN inserted USING (event_id)
    ON CONFLICT (event_id) DO NOTHING
),
grown AS (
    INSERT INTO station_hourly_buckets AS b (station_code, hour, count, rating_sum,
        low_ratings, unresolved, staff_available, staff_helped, cleanliness_sum,
        cleanliness_count)
    SELECT station_code, date_trunc('hour', submitted_at, 'UTC'), count(*), sum(rating),
        count(*) FILTER (WHERE rating <= 2), count(*) FILTER (WHERE NOT problem_resolved),
        count(*) FILTER (WHERE staff_available), count(*) FILTER (WHERE staff_helped),
        coalesce(sum(cleanliness), 0), count(cleanliness)
    FROM inserted
    GROUP BY 1, 2
    ON CONFLICT (station_code, hour) DO UPDATE SET
        count = b.count + excluded.count,
        rating_sum = b.rating_sum + excluded.rating_sum,
        low_ratings = b.low_ratings + excluded.low_ratings,
        unresolved = b.unresolved + excluded.unresolved,
        staff_available = b.staff_available + excluded.staff_available,
        staff_helped = b.staff_helped + excluded.staff_helped,
        cleanliness_sum = b.cleanliness_sum + excluded.cleanliness_sum,
        cleanliness_count = b.cleanliness_count + excluded.cleanliness_count
)
SELECT count(*) FROM inserted
"""  # noqa: S608 - constants only; values go through execute_values


def _row(event: FeedbackSubmitted, personal: Personal) -> tuple:
    return (
        str(event.event_id), event.station_code, event.qr_version, event.submitted_at,
        event.rating, event.complaint_date, event.complaint_type, event.officer_name,
        event.comments, event.cleanliness, event.staff_available, event.staff_helped,
        event.problem_resolved, event.language, personal.name, personal.mobile, event.mobile_hash,
        officer_key(event.officer_name or ""), search_key(event.comments or ""), KEY_VERSION,
    )  # fmt: skip


class Database(db.Repositories["PostgresFeedback"]):
    """The feedback repository in transactions over one connection that reconnects."""

    def __init__(self, database_url: str, application_name: str = "analytics") -> None:
        super().__init__(
            lambda: db.connect(database_url, application_name=application_name),
            PostgresFeedback,
        )


class PostgresFeedback:
    """The feedback repository (ports.FeedbackRepository) over one transaction's cursor."""

    def __init__(self, cur: psycopg2.extensions.cursor) -> None:
        self.cur = cur

    def store_batch(
        self, events: Sequence[FeedbackSubmitted], personal: Mapping[UUID, Personal]
    ) -> int:
        """Insert the events not stored yet, with their personal data and bucket sums, in one
        statement (run it inside the batch's transaction); returns how many were new."""
        unique = list({e.event_id: e for e in events}.values())
        if not unique:
            return 0
        rows = psycopg2.extras.execute_values(
            self.cur, _STORE, [_row(e, personal[e.event_id]) for e in unique], template=_TEMPLATE,
            page_size=len(unique), fetch=True,
        )  # fmt: skip
        return int(rows[0][0])

    def lock_stations(self, codes: Sequence[str]) -> None:
        """Transaction-scoped advisory locks, one per station (keyed by hashtext of the code
        under analytics' own namespace), taken in one order so two members never deadlock;
        a collision of two codes' hashes only makes them share a lock."""
        self.cur.execute(
            "SELECT count(pg_advisory_xact_lock(%s, k)) FROM"
            " (SELECT DISTINCT hashtext(c) AS k FROM unnest(%s::text[]) AS c ORDER BY k) AS s",
            (STATION_LOCKS, list(codes)),
        )

    def existing_stations(self, codes: Iterable[str]) -> set[str]:
        self.cur.execute("SELECT code FROM stations WHERE code = ANY(%s)", (list(codes),))
        return {row[0] for row in self.cur.fetchall()}

    def all_station_codes(self) -> list[str]:
        self.cur.execute("SELECT code FROM stations ORDER BY code")
        return [row[0] for row in self.cur.fetchall()]

    def load_buckets(
        self, codes: Iterable[str], since: datetime
    ) -> dict[str, dict[datetime, WindowStats]]:
        """station -> hour -> sums, for hours from ``since`` on."""
        self.cur.execute(
            f"SELECT station_code, hour, {', '.join(STAT_FIELDS)} FROM station_hourly_buckets"  # noqa: S608
            " WHERE station_code = ANY(%s) AND hour >= %s",
            (list(codes), since),
        )
        found: dict[str, dict[datetime, WindowStats]] = defaultdict(dict)
        for code, hour, *values in self.cur.fetchall():
            found[code][hour] = WindowStats(*values)
        return found

    def stations_with_buckets_in(self, ranges: Sequence[tuple[datetime, datetime]]) -> set[str]:
        """Stations with a bucket in any of the hour ranges (both ends included)."""
        if not ranges:
            return set()
        clauses = " OR ".join(["hour BETWEEN %s AND %s"] * len(ranges))
        self.cur.execute(
            f"SELECT DISTINCT station_code FROM station_hourly_buckets WHERE {clauses}",  # noqa: S608
            [moment for pair in ranges for moment in pair],
        )
        return {row[0] for row in self.cur.fetchall()}
