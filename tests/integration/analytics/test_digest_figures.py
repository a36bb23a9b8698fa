"""The weekly digest against the real PostgreSQL: feedback, alerts and directions are seeded
in a week of their own (years back, so no other test's rows fall in it), the digest is built
for the city and for the seeded zone, and every figure is recounted with SQL of the test's
own; the PDF's text (pdftotext) carries those figures."""

from __future__ import annotations

import random
import subprocess
import uuid
from datetime import date, datetime, timedelta

import pytest

from services.analytics.digest.pdf import render
from services.analytics.digest.postgres import build_digest
from services.analytics.digest.week import Week
from services.analytics.domain.ranking import RankingPolicy
from shared import db
from shared.india import INDIA
from tests.support import create_station

pytestmark = pytest.mark.integration
POLICY = RankingPolicy(prior_weight=10.0, min_count=10)


def seed_zone(url: str) -> str:
    zone = "Z" + uuid.uuid4().hex[:8]
    with db.connection(url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO zones (code, name_en, name_hi) VALUES (%s, %s, %s)",
            (zone, f"Zone {zone}", f"ज़ोन {zone}"),
        )
    return zone


def seed_feedback(cur, station: str, at: datetime, ratings: list[int]) -> None:
    for n, rating in enumerate(ratings):
        cur.execute(
            "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
            " complaint_type, staff_available, staff_helped, problem_resolved, language)"
            " VALUES (%s, %s, 1, %s, %s, 'theft', true, true, %s, 'hi')",
            (str(uuid.uuid4()), station, at + timedelta(minutes=n), rating, rating > 2),
        )


def seed_alert(cur, station: str, raised: datetime, resolved: datetime | None) -> None:
    cur.execute(
        "INSERT INTO alerts (id, station_code, rule, status, \"window\", observed, baseline,"
        " notified_parts, raised_at, level_since, last_notified_at, resolved_at)"
        " VALUES (%s, %s, 'low_rating', %s, '24h', '{}', '{}', '{}', %s, %s, %s, %s)",
        (str(uuid.uuid4()), station, "resolved" if resolved else "open", raised, raised,
         raised, resolved),
    )  # fmt: skip


def seed_direction(cur, *, station=None, zone=None, issued: datetime, due: date) -> int:
    cur.execute(
        "INSERT INTO directions (station_code, zone, what_text, why_text, due_on, issued_at,"
        " issued_on, issuer_kind, issuer_id, issuer_name, issuer_role)"
        " VALUES (%s, %s, 'Hold a help desk daily', 'Many visitors unresolved', %s, %s, %s,"
        " 'account', 1, 'Commissioner', 'commissioner') RETURNING id",
        (station, zone, due, issued, issued.astimezone(INDIA).date()),
    )
    return cur.fetchone()[0]


RECOUNT_RANKS = """
WITH sums AS (
    SELECT station_code, count(*) AS n, sum(rating) AS r FROM feedback
    WHERE submitted_at >= %(from)s AND submitted_at < %(to)s GROUP BY station_code
), city AS (SELECT coalesce(sum(r)::numeric / nullif(sum(n), 0), 3) AS mean FROM sums),
scored AS (
    SELECT s.code, coalesce(x.n, 0) AS n,
           round((10 * city.mean + coalesce(x.r, 0)) / (10 + coalesce(x.n, 0)), 4) AS score
    FROM stations s CROSS JOIN city LEFT JOIN sums x ON x.station_code = s.code
    WHERE s.active
)
SELECT code, row_number() OVER (ORDER BY score DESC, n DESC, code) FROM scored WHERE n >= 10
"""


def recount(cur, week: Week, zone: str | None) -> dict:
    args = {"zone": zone, "start": week.start, "end": week.end,
            "prev": week.start - timedelta(days=7)}  # fmt: skip
    cur.execute(
        "SELECT count(*) FILTER (WHERE f.submitted_at >= %(start)s),"
        " count(*) FILTER (WHERE f.submitted_at < %(start)s) FROM feedback f"
        " JOIN stations s ON s.code = f.station_code"
        " WHERE (%(zone)s::text IS NULL OR s.zone = %(zone)s)"
        " AND f.submitted_at >= %(prev)s AND f.submitted_at < %(end)s",
        args,
    )
    this_week, last_week = cur.fetchone()
    ranks = {}
    for label, at in (("before", week.start), ("after", week.end)):
        cur.execute(RECOUNT_RANKS, {"from": at - timedelta(days=30), "to": at})
        ranks[label] = dict(cur.fetchall())
    cur.execute(
        "SELECT count(*) FROM alerts a JOIN stations s ON s.code = a.station_code"
        " WHERE (%(zone)s::text IS NULL OR s.zone = %(zone)s) AND a.raised_at < %(end)s"
        " AND NOT (a.resolved_at IS NOT NULL AND a.resolved_at < %(end)s)",
        args,
    )
    open_alerts = cur.fetchone()[0]
    cur.execute(
        "SELECT DISTINCT d.id FROM directions d JOIN stations s"
        " ON s.code = d.station_code OR (d.station_code IS NULL AND s.zone = d.zone)"
        " WHERE (%(zone)s::text IS NULL OR s.zone = %(zone)s) AND d.issued_at < %(end)s"
        " AND d.due_on <= %(sunday)s AND s.code NOT IN (SELECT r.station_code FROM"
        " direction_reports r WHERE r.direction_id = d.id AND r.kind = 'compliance'"
        " AND r.reported_at < %(end)s) ORDER BY d.id",
        {**args, "sunday": week.sunday},
    )
    overdue = [row[0] for row in cur.fetchall()]
    return {"week": this_week, "previous": last_week, "ranks": ranks,
            "open_alerts": open_alerts, "overdue": overdue}  # fmt: skip


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "digest.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_every_figure_of_the_digest_matches_a_recount_and_is_in_the_pdf(infra, tmp_path):
    url = infra["DATABASE_URL"]
    zone = seed_zone(url)
    codes = [create_station(url, zone=zone)["code"] for _ in range(3)]
    other = create_station(url, zone="East")["code"]
    # a week of its own, years back (a later run picks another; the zone is its own anyway)
    week = Week.of(date(2000, 1, 3) + timedelta(weeks=random.randrange(1000)))
    start = week.start
    with db.connection(url) as conn, db.transaction(conn) as cur:
        # the 30 days before the week: everyone ranked; during it, A falls, B rises
        earlier = start - timedelta(days=10)
        seed_feedback(cur, codes[0], earlier, [5] * 12)
        seed_feedback(cur, codes[1], earlier, [3] * 12)
        seed_feedback(cur, codes[2], earlier, [4] * 12)
        seed_feedback(cur, other, earlier, [4] * 11)
        seed_feedback(cur, codes[0], start + timedelta(days=2), [1] * 9)
        seed_feedback(cur, codes[1], start + timedelta(days=3), [5] * 6)
        seed_feedback(cur, other, start + timedelta(days=1), [2] * 4)
        seed_feedback(cur, codes[2], start - timedelta(days=2), [4, 4])  # last week
        seed_feedback(cur, codes[2], week.end + timedelta(hours=1), [1])  # next week
        # alerts: one open, one resolved inside the week, one resolved after it, one later
        seed_alert(cur, codes[0], start + timedelta(days=2), None)
        seed_alert(cur, codes[1], start - timedelta(days=3), start + timedelta(days=1))
        seed_alert(cur, codes[2], start + timedelta(days=4), week.end + timedelta(days=1))
        seed_alert(cur, other, start + timedelta(days=5), None)
        seed_alert(cur, codes[1], week.end + timedelta(hours=2), None)
        # directions: overdue to a station, overdue to the zone with one station complied,
        # complied in time, due after the week, and one to another zone's station
        issued = start - timedelta(days=20)
        late = seed_direction(cur, station=codes[0], issued=issued, due=week.monday)
        zonal = seed_direction(cur, zone=zone, issued=issued, due=week.monday)
        done = seed_direction(cur, station=codes[1], issued=issued, due=week.monday)
        seed_direction(cur, station=codes[2], issued=issued, due=week.sunday + timedelta(1))
        elsewhere = seed_direction(cur, station=other, issued=issued, due=week.monday)
        for direction, station in ((zonal, codes[1]), (done, codes[1])):
            cur.execute(
                "INSERT INTO direction_reports (direction_id, station_code, kind, report_text,"
                " reported_on, reported_by, reported_at) VALUES (%s, %s, 'compliance',"
                " 'Help desk held', %s, 'SHO', %s)",
                (direction, station, week.monday, start + timedelta(days=1)),
            )

    with db.connection(url) as conn, db.transaction(conn) as cur:
        city = build_digest(cur, week, None, POLICY)
        zoned = build_digest(cur, week, zone, POLICY)
        city_count, zone_count = recount(cur, week, None), recount(cur, week, zone)

    assert (zoned.feedback_count, zoned.previous_count) == (15, 2)
    assert city.feedback_count >= 19 and city.previous_count >= 2
    for digest, counted in ((city, city_count), (zoned, zone_count)):
        assert digest.feedback_count == counted["week"]
        assert digest.previous_count == counted["previous"]
        for move in digest.moves:
            assert move.rank_before == counted["ranks"]["before"].get(move.station.code)
            assert move.rank_after == counted["ranks"]["after"].get(move.station.code)
        assert len(digest.open_alerts) == counted["open_alerts"]
        assert [d.id for d in digest.overdue] == counted["overdue"]
    assert {m.station.code for m in zoned.moves} == set(codes)
    assert zoned.fallen[0].station.code == codes[0]
    assert zoned.fallen[0].places is not None and zoned.fallen[0].places < 0
    assert [d.id for d in zoned.overdue] == [late, zonal]
    assert {late, zonal, elsewhere} <= {d.id for d in city.overdue}
    assert next(d for d in zoned.overdue if d.id == zonal).pending == tuple(
        sorted([codes[0], codes[2]])
    )
    assert len(zoned.open_alerts) == 2 and len(city.open_alerts) >= 3

    text = pdf_text(render(zoned), tmp_path)
    flat = " ".join(text.split())
    assert "Weekly digest" in flat and f"Zone {zone} zone" in flat
    assert f"This week: {zoned.feedback_count}" in flat
    assert f"previous week: {zoned.previous_count}" in flat
    assert f"At the week's end: {len(zoned.open_alerts)}" in flat
    assert f"At the week's end: {len(zoned.overdue)}" in flat
    for direction in zoned.overdue:
        assert f"#{direction.id} " in flat
    for move in zoned.moves:
        assert f"Test station {move.station.code}" in flat
    assert f"{week.monday.isoformat()} – {week.sunday.isoformat()}" in flat
