"""The worker's loop on the real Kafka: scores in, alert and SMS out, offsets committed after
the work; a message that is not a scores event goes to the dead-letter topic."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, TopicPartition

from services.notifier.entrypoints import worker as consumer
from shared.consumer.health import LAG, read_figures, read_heartbeat
from shared.events import StationScoresUpdated
from shared.kafka_io import durable_producer, kafka_security
from shared.scores import WindowStats
from shared.topics import SCORES_TOPIC
from tests.support import TopicTail, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def worker(notifier_config, senders):
    """The worker's loop in a thread, in a consumer group of its own."""
    group = f"notifier-test-{uuid.uuid4().hex[:8]}"
    stop = threading.Event()
    thread = threading.Thread(
        target=consumer.run, args=(notifier_config, stop, senders, group), daemon=True
    )
    thread.start()
    yield group
    stop.set()
    thread.join(timeout=20)
    assert not thread.is_alive()


def test_a_scores_event_on_kafka_becomes_an_alert_an_sms_and_a_committed_offset(
    infra, worker, gateway, sho_station
):
    kafka = infra["KAFKA_BOOTSTRAP_SERVERS"]
    dlq = TopicTail(kafka, consumer.DLQ_TOPIC)
    producer = durable_producer(kafka, client_id="test-scores")
    code = sho_station["code"]
    garbage = producer.send(SCORES_TOPIC, key=code.encode(), value=b"{not json").get(10)
    event = StationScoresUpdated(
        station_code=code,
        computed_at=datetime.now(UTC),
        windows={"1h": WindowStats(), "24h": WindowStats(count=12, unresolved=7),
                 "baseline_30d": WindowStats(count=300, unresolved=30)},
    )  # fmt: skip
    sent = producer.send(SCORES_TOPIC, key=event.key, value=event.to_json()).get(10)
    producer.close()

    [sms] = wait_until(lambda: gateway.delivered_to(sho_station["sho_mobile"]), timeout_s=60)
    assert "7 of the last 12" in sms.text

    def origin(letter) -> tuple[bytes, int, int]:
        headers = dict(letter.headers)
        return (
            headers["dlq.origin.topic"],
            int(headers["dlq.origin.partition"]),
            int(headers["dlq.origin.offset"]),
        )

    # (A group of its own reads station.scores from the start: older garbage comes too.)
    mine = (SCORES_TOPIC.encode(), garbage.partition, garbage.offset)
    dead, *_ = wait_until(lambda: [r for r in dlq.read_to_end() if origin(r) == mine], 20)
    assert (dead.key, dead.value) == (code.encode(), b"{not json")
    assert dict(dead.headers)["dlq.reason"].startswith(b"not a station scores event")
    assert garbage.partition == sent.partition

    tp = TopicPartition(SCORES_TOPIC, sent.partition)
    # A consumer of the same group that never subscribes only reads the committed offsets.
    reader = KafkaConsumer(
        bootstrap_servers=kafka, group_id=worker, enable_auto_commit=False, **kafka_security()
    )
    try:
        wait_until(lambda: (reader.committed(tp) or 0) >= sent.offset + 1, timeout_s=20)
    finally:
        reader.close()
        dlq.close()


def test_the_consumer_lag_is_recorded_with_the_heartbeat(infra, worker, conn):
    def beat() -> bool:
        with conn.cursor() as cur:
            row = read_heartbeat(cur, worker)
            recorded = read_figures(cur, worker)
        conn.rollback()
        fresh = bool(row) and (datetime.now(UTC) - row[0]).total_seconds() < 5
        return fresh and LAG in recorded

    assert wait_until(beat, timeout_s=30)
