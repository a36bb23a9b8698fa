"""The analytics consumer draining a full topic, beside a bare kafka-python consumer.

Fills a topic of its own (12 partitions, like ``feedback.submitted``) with ``--events``
realistic feedback events for ``--stations`` stations of its own, spread over the last 30
days, their names and numbers sealed with a key pair of the run's own. Then, in the same run:
a bare KafkaConsumer that only reads and decodes every record (``FeedbackSubmitted.from_json``
and opening the sealed box, which every reader of the personal data must do), and the
analytics consumer (``FeedbackWorker``, the
production code and batch settings) storing them in PostgreSQL, Redis and its own scores
topic, each in a consumer group of its own, timed from the first poll to the last record.
The bare consumer runs before and after analytics, and its mean rate is the baseline, so a
warmer page cache does not favour either. Target: analytics at >= 50% of the bare rate.

``--profile`` runs the analytics drain under cProfile and prints where the time goes.
Needs the test profile's servers (``./pratikriya bench`` starts them).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer, KafkaProducer

from services.analytics.config import AnalyticsConfig
from services.analytics.entrypoints.worker import FeedbackWorker, build_deps
from shared import db
from shared.complaint_types import COMPLAINT_TYPES
from shared.events import FeedbackSubmitted, Personal
from shared.kafka_io import kafka_security
from shared.sealing import KeyPair, Opener, Sealer, generate
from shared.topics import TopicSpec, ensure_topics

TARGET_RATIO = 0.50
NAMES = ("Sunita Devi", "Rakesh Kumar", None)
COMMENTS = (
    "थाने में बहुत देर तक इंतज़ार करना पड़ा",
    "Staff was polite and registered my complaint quickly.",
    "FIR दर्ज करने से मना कर दिया",
    None,
    None,
)


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench analytics_drain", description=__doc__)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    opts, _ = parser.parse_known_args(args)
    return opts


def make_stations(database_url: str, tag: str, count: int) -> list[str]:
    codes = [f"B-{tag}-{n:02d}".upper() for n in range(count)]
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        for n, code in enumerate(codes):
            cur.execute(
                "INSERT INTO stations (code, name_en, name_hi, zone) VALUES (%s, %s, %s, %s)",
                (code, f"Bench station {n}", f"बेंच थाना {n}", ("East", "West", "South")[n % 3]),
            )
    return codes


def fill(bootstrap: str, topic: str, stations: list[str], count: int, keys: KeyPair) -> None:
    rng = random.Random(7)
    sealer = Sealer.from_setting(keys.public)
    now = datetime.now(UTC)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks=1, linger_ms=20, batch_size=512 * 1024,
        compression_type=None, max_request_size=4 * 1024 * 1024, **kafka_security(),
    )  # fmt: skip
    kinds = list(COMPLAINT_TYPES)
    for _ in range(count):
        rating = rng.choices((1, 2, 3, 4, 5), weights=(15, 10, 20, 30, 25))[0]
        event_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        visitor = Personal(f"+919{rng.randrange(10**9):09d}", rng.choice(NAMES))
        event = FeedbackSubmitted(
            event_id=event_id,
            station_code=rng.choice(stations),
            qr_version=1,
            rating=rating,
            sealed=sealer.seal(visitor, event_id),
            mobile_hash=f"{rng.getrandbits(256):064x}",
            complaint_type=rng.choice(kinds),
            staff_available=rng.random() < 0.8,
            staff_helped=rng.random() < 0.6,
            problem_resolved=rng.random() < 0.5 + rating / 10,
            language=rng.choice(("hi", "en")),
            officer_name=rng.choice(("SI Ramesh", "ASI Mahesh", None)),
            comments=rng.choice(COMMENTS),
            cleanliness=rng.choice((None, 1, 2, 3, 4, 5)),
            submitted_at=now - timedelta(seconds=rng.randrange(30 * 24 * 3600)),
        )
        producer.send(topic, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()


def opened(opener: Opener):
    """A decode that reads the event and opens its box, as any reader of the names must."""

    def decode(raw: bytes) -> Personal:
        event = FeedbackSubmitted.from_json(raw)
        return opener.open(event.sealed, event.event_id)

    return decode


def bare_drain(bootstrap: str, topic: str, count: int, decode) -> float:
    """Events per second of a consumer that only reads and decodes."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"bench-bare-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=2000,
        fetch_max_bytes=64 * 1024 * 1024, max_partition_fetch_bytes=8 * 1024 * 1024,
        **kafka_security(),
    )  # fmt: skip
    seen, started = 0, None
    try:
        while seen < count:
            for records in consumer.poll(timeout_ms=1000).values():
                if started is None:
                    started = time.perf_counter()
                for record in records:
                    decode(record.value)
                seen += len(records)
        assert started is not None
        return count / (time.perf_counter() - started)
    finally:
        consumer.close()


def analytics_drain(config: AnalyticsConfig, count: int, profile: bool) -> float:
    deps = build_deps(config)
    consumer = FeedbackWorker(config, deps)
    consumer.refresh()  # the start-up rebuild is not part of draining
    for task in consumer.loop.periodic:
        task.due_at = time.monotonic() + task.every_s
    seen, started = 0, None
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        while seen < count:
            if started is None:
                started = time.perf_counter()
            seen += consumer.run_once()
        assert started is not None
        elapsed = time.perf_counter() - started
    finally:
        if profiler:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())
        consumer.close()
    return count / elapsed


def run(args: list[str]) -> list[dict]:
    opts = parse_args(args)
    env = dict(os.environ)
    tag = uuid.uuid4().hex[:6]
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    topic = f"bench.feedback.{tag}"
    scores, dlq = f"bench.scores.{tag}", f"bench.dlq.{tag}"
    ensure_topics(bootstrap, topics=(TopicSpec(topic, 12), TopicSpec(scores, 12),
                                     TopicSpec(dlq, 3)))  # fmt: skip
    stations = make_stations(env["DATABASE_URL"], tag, opts.stations)
    print(f"analytics_drain: filling {topic} with {opts.events} events for "
          f"{opts.stations} stations ...", flush=True)  # fmt: skip
    started = time.perf_counter()
    keys = generate("bench")
    fill(bootstrap, topic, stations, opts.events, keys)
    print(f"  filled in {time.perf_counter() - started:.1f} s", flush=True)
    config = replace(
        AnalyticsConfig.from_env(env), feedback_topic=topic, scores_topic=scores, dlq_topic=dlq,
        group_id=f"bench-analytics-{tag}", redis_prefix=f"bench-{tag}", seal_keys=keys.private,
    )  # fmt: skip
    decode = opened(Opener.from_setting(keys.private))
    before = bare_drain(bootstrap, topic, opts.events, decode)
    print(f"  bare consumer      {before:9.0f} events/s", flush=True)
    analytics = analytics_drain(config, opts.events, opts.profile)
    print(f"  analytics consumer {analytics:9.0f} events/s", flush=True)
    after = bare_drain(bootstrap, topic, opts.events, decode)
    print(f"  bare consumer      {after:9.0f} events/s", flush=True)
    baseline = (before + after) / 2
    raw = bare_drain(bootstrap, topic, opts.events, decode=json.loads)
    print(f"  bare consumer, json.loads only {raw:9.0f} events/s", flush=True)
    return [
        {
            "benchmark": "analytics_drain",
            "metric": "events/s",
            "baseline": baseline,
            "candidate": analytics,
            "ratio": analytics / baseline,
            "target": TARGET_RATIO,
            "note": "analytics drains at least 50% as fast as a bare read-and-decode consumer",
        },
        {
            "benchmark": "analytics_drain",
            "metric": "events/s vs json.loads only",
            "baseline": raw,
            "candidate": analytics,
            "ratio": analytics / raw,
        },
    ]


if __name__ == "__main__":
    import sys

    from bench.run import format_table

    print(format_table(run(sys.argv[1:])))
