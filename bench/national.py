"""A national scale: 17,000 stations in 750 zones, beside 40 stations, in the same run.

Makes ``--zones`` zones and ``--stations`` stations of the run's own in the test profile's
PostgreSQL (codes ``N-<tag>-<n>``), fills two topics of its own (12 partitions) with
``--events`` realistic sealed events each (``analytics_drain.fill``: over the last 30 days),
one over all the stations and one over the first 40, and measures, each beside a baseline of
the same run:

- the analytics consumer's drain at 17,000 stations against a bare read-and-decode consumer
  of the same topic (before and after it; goal >= 0.5);
- the cost per event at 17,000 stations against 40 stations (the 40-station drain's rate is
  the baseline; goal >= 0.8, i.e. the cost stays flat as stations grow);
- the rankings API's p95 over every station, city-wide and with a zone filter, and the station
  page's p95 (the analytics app in-process, signed in with a commissioner's token, so no HTTP
  server's time is in it; goals < 50 ms and < 100 ms, shown as ratios goal / p95). The
  rankings are timed twice: while no score moves (the ranking built once is reused), and
  each request just after one station's scores were written (untimed), so that every
  request builds the ranking again from Redis's sums, as the first one after a batch does;
- Redis memory per station (``MEMORY USAGE`` of the run's keys) and PostgreSQL bytes per
  million events (``feedback`` and ``feedback_personal`` with their indexes, per row);
- the time to rebuild Redis from PostgreSQL (every station), and the hourly window slide
  (``refresh_moved`` over the last hour) at 17,000 stations against 40.

Rows without a natural baseline (memory, bytes, rebuild) carry ``-`` there. Everything the run
made (stations, zones, their feedback and figures, Redis keys, the token) is removed at the
end (and what an interrupted run left is removed at the start), so the tests that list
every station find only their own. A goal not met is reported as
not met; ``analytics_drain --profile`` shows where a drain's time goes.

Needs the test profile's servers (``./pratikriya bench`` starts them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import redis
from psycopg2.extras import execute_values

from bench.analytics_drain import analytics_drain, bare_drain, fill, opened
from bench.inbox import timed
from services.analytics.adapters.redis import ScoresCache
from services.analytics.config import AnalyticsConfig
from services.analytics.entrypoints.http import create_app
from services.analytics.entrypoints.worker import build_deps
from services.analytics.usecases.batch import rebuild, refresh_moved
from shared import db
from shared.auth import accounts
from shared.auth.accounts import Actor
from shared.auth.postgres import PostgresAuthStore
from shared.auth.roles import Role
from shared.sealing import Opener, generate
from shared.topics import TopicSpec, ensure_topics

DRAIN_TARGET = 0.50
FLAT_TARGET = 0.80
RANKINGS_GOAL_MS = 50.0
PAGE_GOAL_MS = 100.0
SMALL = 40  # the stations of today's drain benchmark


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench national", description=__doc__)
    parser.add_argument("--stations", type=int, default=17_000)
    parser.add_argument("--zones", type=int, default=750)
    parser.add_argument("--events", type=int, default=100_000, help="per topic")
    parser.add_argument("--rounds", type=int, default=40, help="requests per p95")
    opts, _ = parser.parse_known_args(args)
    return opts


def make_country(database_url: str, tag: str, zones: int, stations: int) -> list[str]:
    """``zones`` zones and ``stations`` stations of the run's own; the station codes."""
    zone_codes = [f"N{tag}-{n:03d}" for n in range(zones)]
    codes = [f"N-{tag}-{n:05d}".upper() for n in range(stations)]
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        execute_values(cur, "INSERT INTO zones (code, name_en, name_hi) VALUES %s",
                       [(z, f"Bench zone {z}", f"बेंच ज़ोन {z}") for z in zone_codes])  # fmt: skip
        execute_values(
            cur, "INSERT INTO stations (code, name_en, name_hi, zone) VALUES %s",
            [(c, f"Bench station {n}", f"बेंच थाना {n}", zone_codes[n % zones])
             for n, c in enumerate(codes)],
            page_size=2000,
        )  # fmt: skip
    return codes


def remove_country(database_url: str, tag: str, codes: list[str]) -> None:
    """Every row of the run's stations (in each table that refers to stations), then the
    stations and zones."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.confrelid = 'stations'::regclass"
        )
        for table, column in cur.fetchall():
            cur.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", (codes,))  # noqa: S608
        cur.execute("DELETE FROM stations WHERE code = ANY(%s)", (codes,))
        cur.execute("DELETE FROM zones WHERE code LIKE %s", (f"N{tag}-%",))


def bytes_per_event(database_url: str) -> float:
    """On-disk bytes per stored event: ``feedback`` (its months' partitions) and
    ``feedback_personal`` (tables, TOAST and indexes) divided by their rows, summed. (The
    growth of the database during a run says little: the free space earlier deletes left is
    reused first.) The tables are rewritten first (VACUUM FULL), so the rows earlier runs
    deleted take no room in the figure: it is what a live row costs."""
    total = 0.0
    with db.connection(database_url) as conn:
        conn.autocommit = True  # VACUUM runs outside a transaction
        with conn.cursor() as cur:
            cur.execute("VACUUM FULL feedback, feedback_personal")
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        for table in ("feedback", "feedback_personal"):
            # feedback is partitioned by month: its size is its partitions' (the parent holds
            # no rows); feedback_personal is one table.
            cur.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " WHERE c.oid = %s::regclass OR c.oid IN"
                " (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
                (table, table),
            )
            (size,) = cur.fetchone() or (0,)
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - constants
            (rows,) = cur.fetchone() or (0,)
            total += float(size) / max(1, int(rows))
    return total


def remove_earlier_runs(database_url: str) -> None:
    """The stations and zones of runs that were stopped before they could clean up."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT code FROM stations WHERE code ~ '^N-[0-9A-F]{6}-[0-9]{5}$'"
                    " AND name_en LIKE 'Bench station %'")  # fmt: skip
        left = [code for (code,) in cur.fetchall()]
    for tag in sorted({code.split("-")[1].lower() for code in left}):
        print(f"national: removing the stations an interrupted run {tag} left", flush=True)
        remove_country(database_url, tag, [c for c in left if c.split("-")[1].lower() == tag])


def redis_bytes(client: redis.Redis, prefix: str) -> tuple[int, int]:
    """(bytes, keys) of the keys under ``prefix``."""
    total = keys = 0
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        total += int(client.memory_usage(key, samples=0) or 0)
        keys += 1
    return total, keys


def timed_s(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed_ms(call: Callable[[], float], rounds: int) -> float:
    """The p95 of what ``call`` returns (the milliseconds it timed itself), after two warm-up
    calls: for calls that prepare something untimed first."""
    call()
    call()
    times = sorted(call() for _ in range(rounds))
    return times[min(len(times) - 1, int(len(times) * 0.95))]


def row(metric: str, baseline: object, candidate: object, ratio: object, **more) -> dict:
    return {"benchmark": "national", "metric": metric, "baseline": baseline,
            "candidate": candidate, "ratio": ratio, **more}  # fmt: skip


def run(args: list[str]) -> list[dict]:
    opts = parse_args(args)
    env = dict(os.environ)
    url, bootstrap = env["DATABASE_URL"], env["KAFKA_BOOTSTRAP_SERVERS"]
    tag = uuid.uuid4().hex[:6]
    keys = generate("bench")
    remove_earlier_runs(url)
    codes = make_country(url, tag, opts.zones, opts.stations)
    store = PostgresAuthStore(url, application_name="bench-national")
    token_record, token = accounts.add_token(store, Actor.cli(), Role.COMMISSIONER,
                                             label=f"bench national {tag}")  # fmt: skip
    client = redis.Redis.from_url(env["REDIS_URL"])
    base = AnalyticsConfig.from_env(env)
    configs = {}
    try:
        for size, stations in (("big", codes), ("small", codes[:SMALL])):
            topic = f"bench.national.{size}.{tag}"
            ensure_topics(bootstrap, topics=(TopicSpec(topic, 12), TopicSpec(f"{topic}.scores", 12),
                                             TopicSpec(f"{topic}.dlq", 3)))  # fmt: skip
            started = time.perf_counter()
            fill(bootstrap, topic, stations, opts.events, keys)
            print(f"national: {opts.events} events for {len(stations)} stations in"
                  f" {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
            configs[size] = replace(
                base, feedback_topic=topic, scores_topic=f"{topic}.scores",
                dlq_topic=f"{topic}.dlq", group_id=f"bench-national-{size}-{tag}",
                redis_prefix=f"bench-national-{size}-{tag}", seal_keys=keys.private,
            )  # fmt: skip
        big, small = configs["big"], configs["small"]
        decode = opened(Opener.from_setting(keys.private))
        bare_before = bare_drain(bootstrap, big.feedback_topic, opts.events, decode)
        big_rate = analytics_drain(big, opts.events, profile=False)
        per_event = bytes_per_event(url)
        bare_after = bare_drain(bootstrap, big.feedback_topic, opts.events, decode)
        small_rate = analytics_drain(small, opts.events, profile=False)
        bare = (bare_before + bare_after) / 2
        print(f"  bare {bare:.0f}/s, analytics at {opts.stations} stations {big_rate:.0f}/s,"
              f" at {SMALL} stations {small_rate:.0f}/s", flush=True)  # fmt: skip

        redis_total, redis_keys = redis_bytes(client, big.redis_prefix)
        deps_big, deps_small = build_deps(big), build_deps(small)
        rebuild_s = timed_s(lambda: rebuild(deps_big))
        now = deps_big.clock()
        slide_big = statistics.median(
            timed_s(lambda: refresh_moved(deps_big, now - timedelta(hours=1), now))
            for _ in range(5)
        )
        slide_small = statistics.median(
            timed_s(lambda: refresh_moved(deps_small, now - timedelta(hours=1), now))
            for _ in range(5)
        )

        app = create_app(big).test_client()
        auth = {"Authorization": f"Bearer {token}"}
        zone = f"N{tag}-001"

        def get(path: str) -> Callable[[], None]:
            def call() -> None:
                answer = app.get(path, headers=auth)
                assert answer.status_code == 200, (path, answer.status_code)

            return call

        moved = codes[1]
        scores = ScoresCache(client, big.redis_prefix)  # the store the app reads and writes
        stored = scores.read_station(moved)
        assert stored, f"{moved} has no scores in Redis after the drain"

        def after_a_write(call: Callable[[], None]) -> Callable[[], float]:
            def moved_then_call() -> float:
                scores.write_stations({moved: stored}, now)  # a new version: a miss
                started = time.perf_counter()
                call()
                return (time.perf_counter() - started) * 1000

            return moved_then_call

        city = timed(get("/api/v1/rankings"), opts.rounds)
        zoned = timed(get(f"/api/v1/rankings?zone={zone}"), opts.rounds)
        city_miss = timed_ms(after_a_write(get("/api/v1/rankings")), opts.rounds)
        zoned_miss = timed_ms(after_a_write(get(f"/api/v1/rankings?zone={zone}")), opts.rounds)
        page = timed(get(f"/stations/{codes[1]}"), opts.rounds)
        listed = len(app.get("/api/v1/rankings", headers=auth).get_json()["items"])
        print(f"  rankings list {listed} stations; p95 city {city[1]:.1f} ms, zone"
              f" {zoned[1]:.1f} ms; after a write: city {city_miss:.1f} ms, zone"
              f" {zoned_miss:.1f} ms; station page p95 {page[1]:.1f} ms", flush=True)  # fmt: skip
    finally:
        remove_country(url, tag, codes)
        for prefix in (c.redis_prefix for c in configs.values()):
            for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                client.delete(key)
        accounts.revoke_token(store, Actor.cli(), token_record.id)

    stations = opts.stations
    return [
        row(f"drain events/s, {stations} stations vs bare consumer", bare, big_rate,
            big_rate / bare, target=DRAIN_TARGET,
            note="analytics at 17,000 stations drains at least half as fast as a bare consumer"),
        row(f"drain events/s, {stations} vs {SMALL} stations", small_rate, big_rate,
            big_rate / small_rate, target=FLAT_TARGET,
            note="the cost per event stays flat as stations grow"),
        row(f"rankings p95 ms, all {listed} stations (goal {RANKINGS_GOAL_MS:.0f})",
            RANKINGS_GOAL_MS, city[1], RANKINGS_GOAL_MS / city[1], target=1.0,
            note="rankings API p95 under 50 ms city-wide (ratio: goal / p95)"),
        row(f"rankings p95 ms, one zone (goal {RANKINGS_GOAL_MS:.0f})", RANKINGS_GOAL_MS,
            zoned[1], RANKINGS_GOAL_MS / zoned[1], target=1.0,
            note="rankings API p95 under 50 ms with a zone filter (ratio: goal / p95)"),
        row(f"rankings p95 ms after a scores write, all {listed} stations", RANKINGS_GOAL_MS,
            city_miss, RANKINGS_GOAL_MS / city_miss, target=1.0,
            note="the first request after a batch builds the ranking again (ratio: goal / p95)"),
        row("rankings p95 ms after a scores write, one zone", RANKINGS_GOAL_MS, zoned_miss,
            RANKINGS_GOAL_MS / zoned_miss, target=1.0,
            note="the same with a zone filter (ratio: goal / p95)"),
        row(f"station page p95 ms (goal {PAGE_GOAL_MS:.0f})", PAGE_GOAL_MS, page[1],
            PAGE_GOAL_MS / page[1], target=1.0,
            note="station page p95 under 100 ms (ratio: goal / p95)"),
        row(f"Redis bytes per station ({redis_keys} keys)", "-", redis_total / stations, "-"),
        row("PostgreSQL bytes per million events (feedback, personal, indexes)", "-",
            per_event * 1_000_000, "-"),
        row("rebuild Redis from PostgreSQL, s (all stations)", "-", rebuild_s, "-"),
        row(f"hourly window slide ms, {stations} vs {SMALL} stations", slide_small * 1000,
            slide_big * 1000, slide_small / slide_big if slide_big else "-"),
    ]  # fmt: skip


if __name__ == "__main__":
    import sys

    from bench.run import format_table

    print(format_table(run(sys.argv[1:])))
