"""``./pratikriya partitions``: the feedback table's months (migration 0012), and old
feedback leaving a month at a time.

``./pratikriya partitions`` lists every month's partition with its rows, and the rows of the
default partition (months that had no partition of their own when their rows came).
``./pratikriya partitions drop --before 2025-01`` drops every month before January 2025:
in one transaction per month, the rows that name its feedback (names and numbers, SHOs'
actions, call backs, what directions rest on) are deleted by their submitted_at, then the
month is detached and dropped, and the audit log gets a line with the counts. A month less
than ``--keep-months`` (12 by default, at least 2) before this one is refused: the rolling
windows, the weekly digests and the directions' before-and-after read the recent months.
Rows in the default partition are never dropped here. The hourly sums the rankings are made
of (``station_hourly_buckets``) stay: they hold no visitor's words or data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from psycopg2.extras import Json

from shared import db

NAME = re.compile(r"^feedback_y(\d{4})m(\d{2})$")
DEFAULT_KEEP_MONTHS = 12
MIN_KEEP_MONTHS = 2
# The tables whose rows name a feedback (by event id and submitted_at), emptied of a month's
# rows before the month is dropped; their foreign keys would refuse the drop otherwise.
DEPENDENTS = ("feedback_personal", "station_actions", "feedback_callbacks", "direction_feedback")


class PartitionError(ValueError):
    """A month that may not be dropped, or a month written wrong."""


@dataclass(frozen=True)
class Month:
    name: str
    first: date
    rows: int

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"


def parse_month(text: str) -> date:
    """ "2025-01" -> 2025-01-01; PartitionError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PartitionError(f"{text!r} is not a month written YYYY-MM (2025-01)")
    return date(int(match.group(1)), int(match.group(2)), 1)


def months_before(today: date, count: int) -> date:
    """The first day of the month ``count`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def next_month(first: date) -> date:
    return months_before(first, -1)


def listing(database_url: str) -> tuple[list[Month], int]:
    """Every month's partition, oldest first, and the default partition's rows."""
    with (
        db.connection(database_url, application_name="partitions") as conn,
        db.transaction(conn) as cur,
    ):
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'public.feedback'::regclass"
        )
        names = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT tableoid::regclass::text, count(*) FROM feedback GROUP BY 1")
        rows = dict(cur.fetchall())
    found = []
    for name in names:
        match = NAME.match(name)
        if match:
            first = date(int(match.group(1)), int(match.group(2)), 1)
            found.append(Month(name, first, int(rows.get(name, 0))))
    return sorted(found, key=lambda m: m.first), int(rows.get("feedback_default", 0))


def drop_before(
    database_url: str,
    before: date,
    *,
    keep_months: int = DEFAULT_KEEP_MONTHS,
    today: date | None = None,
) -> list[tuple[Month, dict[str, int]]]:
    """Drop every month's partition before ``before`` (a month's first day), each with the
    rows that name its feedback; what was dropped, with the rows deleted per table."""
    if keep_months < MIN_KEEP_MONTHS:
        raise PartitionError(f"--keep-months is at least {MIN_KEEP_MONTHS}")
    today = today or datetime.now(UTC).date()
    newest_allowed = months_before(today, keep_months)
    if before > newest_allowed:
        raise PartitionError(
            f"months from {newest_allowed:%Y-%m} on are kept (--keep-months {keep_months});"
            f" drop before {newest_allowed:%Y-%m} at the latest"
        )
    months, _ = listing(database_url)
    dropped = []
    with db.connection(database_url, application_name="partitions") as conn:
        for month in (m for m in months if m.first < before):
            dropped.append((month, _drop(conn, month)))
    return dropped


def _drop(conn, month: Month) -> dict[str, int]:
    starts = datetime(month.first.year, month.first.month, 1, tzinfo=UTC)
    ends_day = next_month(month.first)
    ends = datetime(ends_day.year, ends_day.month, 1, tzinfo=UTC)
    counts: dict[str, int] = {}
    with db.transaction(conn) as cur:
        for table in DEPENDENTS:
            cur.execute(
                f"DELETE FROM {table} WHERE submitted_at >= %s AND submitted_at < %s",  # noqa: S608 - constants
                (starts, ends),
            )
            counts[table] = cur.rowcount
        # The names come from pg_class and match NAME: no quoting needed, none possible.
        cur.execute(f"SELECT count(*) FROM {month.name}")  # noqa: S608
        (rows,) = cur.fetchone() or (0,)
        counts["feedback"] = int(rows)
        cur.execute(f"ALTER TABLE feedback DETACH PARTITION {month.name}")
        cur.execute(f"DROP TABLE {month.name}")
        cur.execute(
            "INSERT INTO audit_log (actor_kind, actor_name, action, target, details)"
            " VALUES ('cli', 'command line', 'feedback.month_dropped', %s, %s)",
            (month.label, Json(counts)),
        )
    return counts
