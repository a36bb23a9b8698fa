"""inbox: the inbox's pages at a million feedback rows, beside a bare indexed SELECT.

Loads 1,000,000 feedback rows (a year of the seeded stations' feedback, in the proportions
of real answers) into the test profile's PostgreSQL, ANALYZEs, then times the inbox's own
page query (``adapters.postgres_inbox.PostgresInbox.page``, 50 rows and one more, with each
row's count of actions and latest call back) for the filters people use, first pages and a
page 2,000 pages deep (keyset: the same cost as the first). The baseline of the same run is
the bare indexed SELECT of 51 ids of one station, newest first; beside the deep keyset page,
the same depth with OFFSET shows what keyset paging saves. Filters that no row matches and no
index narrows (a rare mix of answers) walk every row: the last scenario measures that. Each
query runs ROUNDS times after a warm-up; median and p95 in milliseconds. The rows are
removed at the end (they are marked by a QR version no real station has), unless ``--keep``.

Usage: ``./pratikriya bench --only inbox [--rows N] [--rounds N] [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from services.analytics.adapters.postgres_inbox import PostgresInbox
from services.analytics.adapters.postgres_reads import PostgresReads
from services.analytics.domain.inbox import Cursor, InboxFilter
from shared import db
from shared.textkeys import KEY_VERSION, officer_key, search_key

MARK = 987654  # qr_version of the benchmark's rows
COMMENTS = [
    "थाने में FIR लिखने में 3 घंटे की देरी हुई", "Mobile chori ki complaint di, koi update nahi",
    "Staff was polite and quick", "महिला हेल्प डेस्क पर कोई नहीं था", "bahut achha vyavhar",
    "The duty officer asked me to come back tomorrow", "पासपोर्ट सत्यापन जल्दी हो गया", "",
]  # fmt: skip
OFFICERS = ["SI Ramesh", "HC Yadav", "ASI Sunil Kumar", "Inspector Mehta", "रमेश", "SI Pooja"]
TYPES = ["theft", "vehicle_theft", "cyber_fraud", "assault", "domestic_violence",
         "women_safety", "missing_person", "lost_article", "property_dispute", "traffic",
         "verification", "other"]  # fmt: skip


def load(database_url: str, rows: int) -> None:
    """``rows`` marked feedback rows, 31 s apart, over every station, unless already there."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM feedback WHERE qr_version = %s", (MARK,))
        have = cur.fetchone()[0]
    if have == rows:
        print(f"inbox: {rows} rows already loaded", flush=True)
        return
    unload(database_url)
    started = time.perf_counter()
    chunk = 200_000
    for first in range(1, rows + 1, chunk):
        last = min(rows, first + chunk - 1)
        with db.connection(database_url) as conn, db.transaction(conn) as cur:
            cur.execute(
                "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
                " complaint_type, officer_name, comments, cleanliness, staff_available,"
                " staff_helped, problem_resolved, language, officer_key, comment_key,"
                " text_key_version)"
                " SELECT gen_random_uuid(), s.codes[1 + n %% s.k], %s,"
                "  now() - n * interval '31 seconds', 1 + (n * 7) %% 5,"
                "  (%s::text[])[1 + (n * 13) %% 12],"
                "  CASE WHEN n %% 3 = 0 THEN (%s::text[])[1 + (n / 3) %% 6] END,"
                "  (%s::text[])[1 + (n * 11) %% 8], 1 + n %% 5, n %% 7 <> 0, n %% 3 <> 0,"
                "  n %% 4 <> 0, CASE WHEN n %% 3 = 0 THEN 'en' ELSE 'hi' END,"
                "  CASE WHEN n %% 3 = 0 THEN (%s::text[])[1 + (n / 3) %% 6] ELSE '' END,"
                "  (%s::text[])[1 + (n * 11) %% 8], %s"
                " FROM generate_series(%s, %s) AS n,"
                "  (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS k"
                "   FROM stations WHERE active) AS s",
                (
                    MARK,
                    TYPES,
                    OFFICERS,
                    COMMENTS,
                    [officer_key(o) for o in OFFICERS],
                    [search_key(c) for c in COMMENTS],
                    KEY_VERSION,
                    first,
                    last,
                ),
            )
        print(f"inbox: loaded {last} rows", flush=True)
    with db.connection(database_url) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("ANALYZE feedback")
    print(f"inbox: {rows} rows in {time.perf_counter() - started:.0f} s", flush=True)


def unload(database_url: str) -> None:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("DELETE FROM feedback WHERE qr_version = %s", (MARK,))


def timed(call: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(median, p95) of ``call`` in milliseconds, after two warm-up calls."""
    call()
    call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def scenarios(database_url: str, inbox: PostgresInbox) -> dict[str, InboxFilter]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT code, zone FROM stations WHERE active ORDER BY code LIMIT 1")
        station, zone = cur.fetchone()
    city = InboxFilter()
    deep = city
    for _ in range(40):  # 40 pages of 2,500 rows: the cursor 100,000 rows deep
        rows = inbox.page(deep, 2500)
        deep = replace(city, after=Cursor(rows[-1]["submitted_at"], rows[-1]["event_id"]))
    return {
        "city-wide, first page": city,
        "city-wide, 100,000 rows deep (keyset)": deep,
        "one station (an SHO)": InboxFilter(station=station),
        "one zone, 1-2 stars, unresolved": InboxFilter(zone=zone, stars=frozenset({1, 2}),
                                                       resolved=False),
        "one station, theft, staff did not help": InboxFilter(
            station=station, complaint_type="theft", helped=False),
        "city-wide, officer named 'ramesh'": InboxFilter(officer="ramesh"),
        "city-wide, an officer nobody named": InboxFilter(officer="nobody"),
        "city-wide, comments with 'update' (Hinglish)": InboxFilter(text="update"),
        "city-wide, comments with 'देरी' or 'deri'": InboxFilter(text="deri"),
        "city-wide, comments with a word nobody wrote": InboxFilter(text="रिश्वत"),
        # The worst case: filters no row matches and no index narrows walk every row.
        "one zone, a mix of answers no row has": InboxFilter(
            zone=zone, complaint_type="missing_person", stars=frozenset({1}), resolved=False,
            helped=False),
    }  # fmt: skip


def run(args: list[str]) -> list[dict]:
    parser = argparse.ArgumentParser(prog="inbox")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="leave the rows in the database")
    opts = parser.parse_args(args)
    url = os.environ["DATABASE_URL"]
    load(url, opts.rows)
    reads = PostgresReads(url, max_connections=2)
    inbox = PostgresInbox(reads)
    try:
        with db.connection(url) as conn, db.transaction(conn) as cur:
            cur.execute("SELECT code FROM stations WHERE active ORDER BY code LIMIT 1")
            station = cur.fetchone()[0]

        def bare() -> None:
            with reads.cursor() as cur:
                cur.execute(
                    "SELECT event_id FROM feedback WHERE station_code = %s"
                    " ORDER BY submitted_at DESC LIMIT 51",
                    (station,),
                )
                cur.fetchall()

        def offset_deep() -> None:
            with reads.cursor() as cur:
                cur.execute(
                    "SELECT f.event_id FROM feedback f JOIN stations s ON s.code = f.station_code"
                    " ORDER BY f.submitted_at DESC, f.event_id DESC LIMIT 51 OFFSET 100000"
                )
                cur.fetchall()

        base_median, base_p95 = timed(bare, opts.rounds)
        print(f"  baseline: bare indexed SELECT  median {base_median:.2f} ms  "
              f"p95 {base_p95:.2f} ms", flush=True)  # fmt: skip
        rows = []
        measured = {name: (lambda f=f: inbox.page(f, 51))
                    for name, f in scenarios(url, inbox).items()}  # fmt: skip
        measured["city-wide, 100,000 rows deep (OFFSET, for comparison)"] = offset_deep
        for name, call in measured.items():
            median, p95 = timed(call, opts.rounds)
            print(f"  {name:55} median {median:8.2f} ms  p95 {p95:8.2f} ms", flush=True)
            rows.append({"benchmark": "inbox", "metric": f"{name}: median ms",
                         "baseline": base_median, "candidate": median,
                         "ratio": base_median / median})  # fmt: skip
            rows.append(
                {
                    "benchmark": "inbox",
                    "metric": f"{name}: p95 ms",
                    "baseline": base_p95,
                    "candidate": p95,
                    "ratio": base_p95 / p95,
                }
            )
        return rows
    finally:
        if not opts.keep:
            unload(url)
