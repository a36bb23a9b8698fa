"""Scenario 1: the analytics consumer (the ``analytics-consumer`` worker, as ops.services runs
it) is killed with SIGKILL three times while it drains tens of thousands of events, and
restarted each time. Every event is counted once: none lost, none twice.

The events are written straight to ``feedback.submitted`` (acks=all) as intake would write
them: this scenario is about the consumer, and intake could not produce them as fast. An
event counts as accepted once Kafka acknowledged it. Each kill is aimed at the moment a batch
has just been committed to PostgreSQL, before its offsets are: the replay that follows must
count nothing twice."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaProducer

from shared.kafka_io import kafka_security
from shared.topics import FEEDBACK_TOPIC
from tests.faults.harness import (
    assert_accepted_is_counted,
    behind,
    committed_since,
    stored_count,
    wait_caught_up,
)
from tests.integration.analytics.conftest import make_event

pytestmark = pytest.mark.e2e

EVENTS = 24_000
STATIONS = 20
KILLS_AT = (0.2, 0.45, 0.7)  # share of the drain stored when each kill is armed


def produce(bootstrap: str, codes: list[str]) -> set[str]:
    """EVENTS events over the stations, submitted over the last three days; their ids once
    Kafka acknowledged every one."""
    rng = random.Random(1)
    now = datetime.now(UTC)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=20,
        batch_size=512 * 1024,
        **kafka_security(),
    )
    try:
        futures, ids = [], set()
        for _ in range(EVENTS):
            event = make_event(
                rng.choice(codes),
                rating=rng.randint(1, 5),
                problem_resolved=rng.random() < 0.6,
                staff_helped=rng.random() < 0.7,
                cleanliness=rng.choice([None, 1, 2, 3, 4, 5]),
                submitted_at=now - timedelta(minutes=rng.randint(0, 3 * 24 * 60)),
            )
            futures.append(producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json()))
            ids.add(str(event.event_id))
        producer.flush(timeout=60)
        for future in futures:
            future.get(timeout=10)
        return ids
    finally:
        producer.close()


def test_an_analytics_consumer_killed_three_times_mid_batch_counts_every_event_once(
    pipeline, infra, make_stations
):
    bootstrap, database_url = infra["KAFKA_BOOTSTRAP_SERVERS"], infra["DATABASE_URL"]
    codes = [s["code"] for s in make_stations(STATIONS)]
    start = wait_caught_up(bootstrap)  # everything before ours is committed
    started = time.monotonic()

    accepted = produce(bootstrap, codes)
    produced_s = time.monotonic() - started
    kills = []
    try:
        for share in KILLS_AT:
            last = stored_count(database_url, codes)
            deadline = time.monotonic() + 120
            while True:  # a batch has just reached PostgreSQL: kill before it commits
                assert time.monotonic() < deadline, "the consumer stopped making progress"
                now_stored = stored_count(database_url, codes)
                if now_stored >= share * EVENTS and now_stored != last:
                    break
                last = now_stored
                time.sleep(0.005)
            pipeline.kill("analytics-consumer")
            stored = stored_count(database_url, codes)
            kills.append(
                {
                    "stored": stored,
                    "committed": committed_since(bootstrap, start),
                    "behind": behind(bootstrap, start),
                }
            )
            pipeline.start("analytics-consumer")
    finally:
        if pipeline.pid("analytics-consumer") is None:
            pipeline.start("analytics-consumer")

    took = assert_accepted_is_counted(infra, accepted, codes, timeout_s=150)
    print(
        f"\nscenario 1: {EVENTS} events produced in {produced_s:.1f} s, drained with "
        f"{len(kills)} kills in {time.monotonic() - started:.1f} s "
        f"(last kill to counted: {took:.1f} s); at each kill: {kills}"
    )
    assert len(kills) == 3
    assert all(k["behind"] > 0 for k in kills)  # each kill landed mid-drain
    # ... and at least one between a batch's PostgreSQL commit and its offset commit
    assert any(k["stored"] > k["committed"] for k in kills)
