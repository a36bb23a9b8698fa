"""The digest's reads from PostgreSQL, over a cursor the caller holds (the HTTP app's pool or
the worker's connection). Never a visitor's name or number: feedback facts, the registry,
alerts and directions only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.analytics.digest.figures import (
    Digest,
    OpenAlert,
    OverdueDirection,
    StationInfo,
    fell_most,
    ranking_moves,
)
from services.analytics.digest.week import Week
from services.analytics.domain.ranking import RankingPolicy

RANKING_DAYS = 30


def _sums(cur: Any, start, end) -> dict[str, tuple[int, int]]:
    cur.execute(
        "SELECT station_code, count(*), sum(rating) FROM feedback"
        " WHERE submitted_at >= %s AND submitted_at < %s GROUP BY station_code",
        (start, end),
    )
    return {code: (int(n), int(s)) for code, n, s in cur}


def zone_names(cur: Any, zone: str) -> tuple[str, str] | None:
    cur.execute("SELECT name_hi, name_en FROM zones WHERE code = %s", (zone,))
    row = cur.fetchone()
    return (row[0], row[1]) if row else None


def build_digest(cur: Any, week: Week, zone: str | None, policy: RankingPolicy) -> Digest:
    """The digest of ``week`` for ``zone`` (None: the city). Alerts still open and directions
    overdue are judged at the week's end, so a past week's digest reads the same later."""
    cur.execute("SELECT code, name_en, name_hi, zone FROM stations WHERE active ORDER BY code")
    stations = [StationInfo(*row) for row in cur]
    scope = {s.code for s in stations if zone is None or s.zone == zone}
    by_code = {s.code: s for s in stations}
    span = timedelta(days=RANKING_DAYS)
    before = _sums(cur, week.start - span, week.start)
    after = _sums(cur, week.end - span, week.end)
    this_week = _sums(cur, week.start, week.end)
    last_week = _sums(cur, week.previous().start, week.start)
    counts = {code: n for code, (n, _) in this_week.items()}
    moves = ranking_moves(stations, before, after, counts, policy, scope)
    return Digest(
        week=week,
        zone=zone,
        zone_name=zone_names(cur, zone) if zone else None,
        feedback_count=sum(n for code, (n, _) in this_week.items() if code in scope),
        previous_count=sum(n for code, (n, _) in last_week.items() if code in scope),
        moves=tuple(moves),
        fallen=tuple(fell_most(moves)),
        open_alerts=tuple(_open_alerts(cur, week, zone, by_code)),
        overdue=tuple(_overdue(cur, week, zone)),
    )


def _open_alerts(cur: Any, week: Week, zone: str | None, by_code: dict[str, StationInfo]):
    """Alerts raised before the week's end and not resolved by then; acknowledged ones too
    (acknowledging is not solving)."""
    cur.execute(
        "SELECT a.station_code, a.rule, a.level, a.raised_at,"
        " a.acknowledged_at IS NOT NULL AND a.acknowledged_at < %(end)s"
        " FROM alerts a JOIN stations s ON s.code = a.station_code"
        " WHERE a.raised_at < %(end)s AND (a.resolved_at IS NULL OR a.resolved_at >= %(end)s)"
        " AND (%(zone)s::text IS NULL OR s.zone = %(zone)s)"
        " ORDER BY a.raised_at, a.station_code, a.rule",
        {"end": week.end, "zone": zone},
    )
    out = []
    for code, rule, level, raised_at, acknowledged in cur.fetchall():
        station = by_code.get(code) or StationInfo(code, code, code, "")
        out.append(OpenAlert(station, rule, level, raised_at, acknowledged))
    return out


def _overdue(cur: Any, week: Week, zone: str | None) -> list[OverdueDirection]:
    """Directions issued before the week's end whose due date had passed by then (India's
    date at the end is the Monday after), with the stations they reach (one station, or the
    zone's active stations) that had reported no compliance before the end."""
    cur.execute(
        "SELECT d.id, coalesce(d.station_code, d.zone), d.what_text, d.due_on, d.issuer_role,"
        "  array_agg(t.code ORDER BY t.code)"
        " FROM directions d"
        " JOIN stations t ON (t.code = d.station_code)"
        "   OR (d.station_code IS NULL AND t.zone = d.zone AND t.active)"
        " WHERE d.issued_at < %(end)s AND d.due_on < %(as_of)s"
        "  AND (%(zone)s::text IS NULL OR t.zone = %(zone)s)"
        "  AND NOT EXISTS (SELECT 1 FROM direction_reports r WHERE r.direction_id = d.id"
        "   AND r.station_code = t.code AND r.kind = 'compliance' AND r.reported_at < %(end)s)"
        " GROUP BY d.id ORDER BY d.due_on, d.id",
        {"end": week.end, "as_of": week.end.date(), "zone": zone},
    )
    return [
        OverdueDirection(id_, target, what, due_on, role, tuple(pending))
        for id_, target, what, due_on, role, pending in cur.fetchall()
    ]
