"""What PostgreSQL holds about officers and complaint types (``ports.OfficerRepository``):
the feedback at a station per officer name key, the admin's aliases, and the figures per
complaint type of a station or a zone; over the reads' pool (``PostgresReads``). Never a
visitor's name or number."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.analytics.adapters.postgres_reads import PostgresReads
from services.analytics.domain.officers import NameTally

_TALLIES = """
SELECT officer_key, mode() WITHIN GROUP (ORDER BY officer_name), count(*), sum(rating)
FROM feedback
WHERE station_code = %s AND officer_key <> '' AND submitted_at >= %s
GROUP BY officer_key
"""
_SAVE_ALIAS = """
INSERT INTO officer_aliases (station_code, name_key, officer_key, changed_by)
VALUES (%s, %s, %s, %s)
ON CONFLICT (station_code, name_key) DO UPDATE
SET officer_key = excluded.officer_key, changed_by = excluded.changed_by, changed_at = now()
"""
_BY_TYPE = """
SELECT f.complaint_type, count(*), avg(f.rating), count(*) FILTER (WHERE NOT f.problem_resolved)
FROM feedback f {join}
WHERE {where} AND f.submitted_at >= %s
GROUP BY 1
"""


class PostgresOfficers:
    def __init__(self, reads: PostgresReads) -> None:
        self.reads = reads

    def name_tallies(self, code: str, since: datetime) -> list[NameTally]:
        with self.reads.cursor() as cur:
            cur.execute(_TALLIES, (code, since))
            rows = cur.fetchall()
        return [
            NameTally(key, spelling or "", int(n), int(total)) for key, spelling, n, total in rows
        ]

    def aliases(self, code: str) -> dict[str, str]:
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT name_key, officer_key FROM officer_aliases WHERE station_code = %s",
                (code,),
            )
            return dict(cur.fetchall())

    def save_aliases(self, code: str, aliases: Iterable[tuple[str, str]], changed_by: str) -> None:
        """Set each (name key, officer key) at the station, all or none."""
        with self.reads.cursor() as cur:
            cur.execute("BEGIN")
            try:
                for name_key, officer_key in aliases:
                    cur.execute(_SAVE_ALIAS, (code, name_key, officer_key, changed_by))
            except Exception:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def by_complaint_type(
        self, since: datetime, *, station: str | None = None, zone: str | None = None
    ) -> list[dict[str, Any]]:
        """Count, average rating and unresolved share per complaint type, for one station
        or one zone's stations, from ``since`` on."""
        value: str | None
        if station is not None:
            sql, value = _BY_TYPE.format(join="", where="f.station_code = %s"), station
        else:
            sql = _BY_TYPE.format(join="JOIN stations s ON s.code = f.station_code",
                                  where="s.zone = %s")  # fmt: skip
            value = zone
        with self.reads.cursor() as cur:
            cur.execute(sql, (value, since))
            rows = cur.fetchall()
        return [
            {"complaint_type": kind, "count": int(n), "avg_rating": round(float(avg), 2),
             "unresolved_share": round(unresolved / n, 4)}
            for kind, n, avg, unresolved in rows
        ]  # fmt: skip
