"""Directions in PostgreSQL (migration 0010): recorded with what they rest on in one
statement, read back with the stations' reports and the overdue notices' state, and the
feedback counts either side of a direction's moment. Never a visitor's name or number."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.analytics.adapters.postgres_reads import PostgresReads
from services.analytics.domain.before_after import Sample

_COLUMNS = (
    "id", "station_code", "zone", "what_text", "why_text", "due_on", "issued_at", "issued_on",
    "issuer_name", "issuer_role", "issuer_zone",
)  # fmt: skip
_SELECT = (
    "SELECT d.id, d.station_code, d.zone, d.what_text, d.why_text, d.due_on, d.issued_at,"
    " d.issued_on, d.issuer_name, d.issuer_role, d.issuer_zone FROM directions d"
)


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(_COLUMNS, values, strict=True))


class PostgresDirections:
    """The ``ports.DirectionStore`` over the read adapter's pool."""

    def __init__(self, reads: PostgresReads) -> None:
        self.reads = reads

    def record(self, values: dict[str, Any], event_ids: list[UUID],
               alert_ids: list[UUID]) -> int:  # fmt: skip
        """One statement, so the direction and what it rests on are stored together."""
        with self.reads.cursor() as cur:
            cur.execute(
                "WITH d AS (INSERT INTO directions (station_code, zone, what_text, why_text,"
                " due_on, issued_at, issued_on, issuer_kind, issuer_id, issuer_name, issuer_role,"
                " issuer_zone) VALUES (%(station_code)s, %(zone)s, %(what_text)s, %(why_text)s,"
                " %(due_on)s, %(issued_at)s, %(issued_on)s, %(issuer_kind)s, %(issuer_id)s,"
                " %(issuer_name)s, %(issuer_role)s, %(issuer_zone)s) RETURNING id),"
                " f AS (INSERT INTO direction_feedback (direction_id, event_id)"
                " SELECT d.id, e FROM d, unnest(%(events)s::uuid[]) AS e),"
                " a AS (INSERT INTO direction_alerts (direction_id, alert_id)"
                " SELECT d.id, x FROM d, unnest(%(alerts)s::uuid[]) AS x)"
                " SELECT id FROM d",
                {**values, "events": [str(e) for e in event_ids],
                 "alerts": [str(a) for a in alert_ids]},
            )  # fmt: skip
            return int(cur.fetchone()[0])

    def direction(self, direction_id: int) -> dict[str, Any] | None:
        with self.reads.cursor() as cur:
            cur.execute(_SELECT + " WHERE d.id = %s", (direction_id,))
            found = cur.fetchone()
            if found is None:
                return None
            row = _row(found)
            cur.execute(
                "SELECT f.event_id::text, f.station_code, f.submitted_at, f.rating,"
                " f.complaint_type, f.problem_resolved FROM direction_feedback df"
                " JOIN feedback f ON f.event_id = df.event_id WHERE df.direction_id = %s"
                " ORDER BY f.submitted_at DESC",
                (direction_id,),
            )
            keys = ("event_id", "station_code", "submitted_at", "rating", "complaint_type",
                    "problem_resolved")  # fmt: skip
            row["feedback"] = [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
            cur.execute(
                "SELECT a.id::text, a.station_code, a.rule, a.status, a.level, a.raised_at"
                " FROM direction_alerts da JOIN alerts a ON a.id = da.alert_id"
                " WHERE da.direction_id = %s ORDER BY a.raised_at DESC",
                (direction_id,),
            )
            keys = ("id", "station_code", "rule", "status", "level", "raised_at")
            row["alerts"] = [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
            cur.execute(
                "SELECT station_code, kind, report_text, reported_on, reported_by, reported_at"
                " FROM direction_reports WHERE direction_id = %s ORDER BY id",
                (direction_id,),
            )
            keys = ("station_code", "kind", "text", "reported_on", "reported_by", "reported_at")
            row["reports"] = [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
            cur.execute(
                "SELECT n.noticed_at, count(x.direction_id) FILTER (WHERE x.status = 'sent'),"
                " count(x.direction_id) FROM direction_overdue_notices n"
                " LEFT JOIN direction_deliveries x ON x.direction_id = n.direction_id"
                " WHERE n.direction_id = %s"
                " GROUP BY n.noticed_at",
                (direction_id,),
            )
            notice = cur.fetchone()
            row["notice"] = (
                None if notice is None
                else {"noticed_at": notice[0], "sent": notice[1], "deliveries": notice[2]}
            )  # fmt: skip
            return row

    def directions(self, *, station_code: str | None = None, zone: str | None = None,
                   limit: int = 200) -> list[dict[str, Any]]:  # fmt: skip
        """Newest first: all (neither given), those reaching a station (to it or to its
        zone), or those reaching any station of a zone (to the zone or one of its stations),
        each with the stations that reported compliance."""
        where, args = "", []
        if station_code is not None:
            where = (" WHERE d.station_code = %s OR d.zone ="
                     " (SELECT zone FROM stations WHERE code = %s)")  # fmt: skip
            args = [station_code, station_code]
        elif zone is not None:
            where = (" WHERE d.zone = %s OR d.station_code IN"
                     " (SELECT code FROM stations WHERE zone = %s)")  # fmt: skip
            args = [zone, zone]
        with self.reads.cursor() as cur:
            cur.execute(_SELECT + where + " ORDER BY d.issued_at DESC, d.id DESC LIMIT %s",
                        [*args, limit])  # fmt: skip
            rows = [_row(r) for r in cur.fetchall()]
            if rows:
                cur.execute(
                    "SELECT direction_id, kind, station_code FROM direction_reports"
                    " WHERE direction_id = ANY(%s)",
                    ([r["id"] for r in rows],),
                )
                reports: dict[int, list[tuple[str, str]]] = {}
                for direction_id, kind, code in cur.fetchall():
                    reports.setdefault(direction_id, []).append((kind, code))
                for r in rows:
                    r["reports"] = [{"kind": k, "station_code": c}
                                    for k, c in reports.get(r["id"], [])]  # fmt: skip
            return rows

    def stations_of_zone(self, zone: str) -> list[str]:
        with self.reads.cursor() as cur:
            cur.execute("SELECT code FROM stations WHERE zone = %s AND active ORDER BY code",
                        (zone,))  # fmt: skip
            return [code for (code,) in cur.fetchall()]

    def zone_exists(self, zone: str) -> bool:
        with self.reads.cursor() as cur:
            cur.execute("SELECT 1 FROM zones WHERE code = %s", (zone,))
            return cur.fetchone() is not None

    def feedback_choices(self, stations: list[str], limit: int = 40) -> list[dict[str, Any]]:
        """The latest feedback of these stations that went wrong (two stars or fewer, or
        not resolved): what a direction may rest on. Facts only, no words."""
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT event_id::text, station_code, submitted_at, rating, complaint_type,"
                " problem_resolved FROM feedback WHERE station_code = ANY(%s)"
                " AND (rating <= 2 OR NOT problem_resolved)"
                " ORDER BY submitted_at DESC LIMIT %s",
                (stations, limit),
            )
            keys = ("event_id", "station_code", "submitted_at", "rating", "complaint_type",
                    "problem_resolved")  # fmt: skip
            return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]

    def alert_choices(self, stations: list[str], limit: int = 40) -> list[dict[str, Any]]:
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT id::text, station_code, rule, status, level, raised_at FROM alerts"
                " WHERE station_code = ANY(%s) ORDER BY raised_at DESC LIMIT %s",
                (stations, limit),
            )
            keys = ("id", "station_code", "rule", "status", "level", "raised_at")
            return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]

    def count_feedback_of(self, event_ids: list[UUID], stations: list[str]) -> int:
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM feedback WHERE event_id = ANY(%s::uuid[])"
                " AND station_code = ANY(%s)",
                ([str(e) for e in event_ids], stations),
            )
            return int(cur.fetchone()[0])

    def count_alerts_of(self, alert_ids: list[UUID], stations: list[str]) -> int:
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM alerts WHERE id = ANY(%s::uuid[]) AND station_code = ANY(%s)",
                ([str(a) for a in alert_ids], stations),
            )
            return int(cur.fetchone()[0])

    def add_report(self, direction_id: int, station_code: str, kind: str, text: str,
                   reported_on: Any, reported_by: str) -> bool:  # fmt: skip
        """False when this station already made this kind of report on this direction."""
        with self.reads.cursor() as cur:
            cur.execute(
                "INSERT INTO direction_reports (direction_id, station_code, kind, report_text,"
                " reported_on, reported_by) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (direction_id, station_code, kind) DO NOTHING RETURNING id",
                (direction_id, station_code, kind, text, reported_on, reported_by),
            )
            return cur.fetchone() is not None

    def sample(self, stations: list[str], start: datetime, end: datetime) -> Sample:
        """The feedback of these stations submitted in [start, end)."""
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT count(*), coalesce(sum(rating), 0), coalesce(sum(rating * rating), 0),"
                " count(*) FILTER (WHERE problem_resolved) FROM feedback"
                " WHERE station_code = ANY(%s) AND submitted_at >= %s AND submitted_at < %s",
                (stations, start, end),
            )
            count, total, squares, resolved = cur.fetchone()
            return Sample(int(count), int(total), int(squares), int(resolved))
