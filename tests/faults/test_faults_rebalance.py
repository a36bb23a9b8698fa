"""Scenario: the analytics group rebalances under a steady stream of events. One member (the
``analytics-consumer`` worker, as ops.services runs it) drains; a second member is added
mid-stream (ANALYTICS_CONSUMERS=2: a process of its own, ``analytics-consumer-2``), so the
partitions are shared out again while batches are in hand; later the first member is
SIGKILLed, so its partitions pass to the second once Kafka notices (the session timeout) and
the batches it had stored but not committed are read again by the other process.

Every event Kafka acknowledged is in PostgreSQL exactly once, the buckets equal a recount,
and the stations' scores and ranking sums in Redis equal the recount's windows (the
harness's ``assert_accepted_is_counted``): nothing lost, nothing counted twice, no stale
scores written over fresher ones by the member that lost a station."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from ops import services
from shared.kafka_io import kafka_security
from shared.topics import FEEDBACK_TOPIC
from tests.faults.harness import (
    ANALYTICS_GROUP,
    assert_accepted_is_counted,
    stored_count,
    wait_caught_up,
)
from tests.integration.analytics.conftest import make_event
from tests.support import wait_until

pytestmark = pytest.mark.e2e

STATIONS = 24
RATE = 300  # events a second, sent in tenths of a second
SECONDS = 45
WORKER = "analytics-consumer"


class SteadyProducer(threading.Thread):
    """RATE events a second to feedback.submitted (acks=all) for SECONDS; ``accepted``
    holds the ids Kafka acknowledged."""

    def __init__(self, bootstrap: str, codes: list[str]) -> None:
        super().__init__(name="steady-producer", daemon=True)
        self.bootstrap, self.codes = bootstrap, codes
        self.accepted: set[str] = set()
        self.failure: BaseException | None = None

    def run(self) -> None:
        rng = random.Random(7)
        producer = KafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=5, **kafka_security()
        )
        try:
            started = time.monotonic()
            for tick in range(SECONDS * 10):
                now = datetime.now(UTC)
                sent = []
                for _ in range(RATE // 10):
                    event = make_event(
                        rng.choice(self.codes), rating=rng.randint(1, 5),
                        problem_resolved=rng.random() < 0.6, staff_helped=rng.random() < 0.7,
                        cleanliness=rng.choice([None, 1, 2, 3, 4, 5]),
                        submitted_at=now - timedelta(minutes=rng.randint(0, 2 * 24 * 60)),
                    )  # fmt: skip
                    future = producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json())
                    sent.append((future, str(event.event_id)))
                producer.flush(timeout=30)
                for future, event_id in sent:
                    future.get(timeout=10)
                    self.accepted.add(event_id)
                time.sleep(max(0.0, started + (tick + 1) / 10 - time.monotonic()))
        except BaseException as failure:  # noqa: BLE001 - handed to the test, which raises it
            self.failure = failure
        finally:
            producer.close()


def group_members(bootstrap: str) -> int:
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="faults-rebalance", **kafka_security()
    )
    try:
        described = admin.describe_groups([ANALYTICS_GROUP])
    finally:
        admin.close()
    return len((described.get(ANALYTICS_GROUP) or {}).get("members") or [])


def test_a_member_added_and_another_killed_under_load_lose_nothing_and_count_nothing_twice(
    pipeline, infra, make_stations
):
    bootstrap, database_url = infra["KAFKA_BOOTSTRAP_SERVERS"], infra["DATABASE_URL"]
    codes = [s["code"] for s in make_stations(STATIONS)]
    wait_caught_up(bootstrap)  # everything before ours is committed
    second = services.Member(services.WORKERS[WORKER], 2)
    producer = SteadyProducer(bootstrap, codes)
    seen: dict[str, int] = {}
    try:
        producer.start()
        wait_until(lambda: stored_count(database_url, codes) >= RATE * 5, 60, 0.1)
        services.start_member(pipeline.cfg, WORKER, pipeline.env, 2)
        seen["members after the addition"] = wait_until(
            lambda: (n := group_members(bootstrap)) == 2 and n, 60, 0.25
        )
        under_load = {"at the addition": producer.is_alive()}

        wait_until(lambda: stored_count(database_url, codes) >= RATE * 25, 90, 0.1)
        killed = pipeline.kill(WORKER)
        under_load["at the kill"] = producer.is_alive()
        # Kafka hands the dead member's partitions on after its session timeout (10 s).
        seen["members after the kill"] = wait_until(
            lambda: (n := group_members(bootstrap)) == 1 and n, 60, 0.25
        )
        producer.join(SECONDS + 60)
        assert producer.failure is None, producer.failure
        assert not producer.is_alive()
        assert len(producer.accepted) == RATE * SECONDS

        took = assert_accepted_is_counted(infra, producer.accepted, codes, timeout_s=150)
    finally:
        services.stop_member(pipeline.cfg, second)
        if pipeline.pid(WORKER) is None:
            pipeline.start(WORKER)

    print(
        f"\nrebalance: {len(producer.accepted)} events at {RATE}/s; member 2 added, "
        f"member 1 (pid {killed}) SIGKILLed; counted {took:.1f} s after the stream; {seen}"
    )
    assert seen["members after the addition"] == 2 and seen["members after the kill"] == 1
    assert under_load == {"at the addition": True, "at the kill": True}
