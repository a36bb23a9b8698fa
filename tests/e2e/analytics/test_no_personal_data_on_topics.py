"""Visitors' names and numbers are on no Kafka topic and in no file of the broker: a raw read
of every topic, from its first record, and a byte search of the broker's log segments (what
a backup of its disk would hold) find neither, while PostgreSQL, which the analytics
consumer writes after opening the sealed box, holds both. Every service runs for real."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from shared import db
from shared.kafka_io import kafka_security
from shared.topics import FEEDBACK_DLQ_TOPIC, FEEDBACK_TOPIC, TOPICS
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import count_24h, post_feedback
from tests.support import feedback_body, unique_code, unique_mobile, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url
reader = fixtures.reader

NAMES = ("ज़रीना बेगम क़ुरैशी", "Harbhajan Kaur Dhillon")


def needles(name: str, mobile: str) -> list[bytes]:
    """Every form in which a name or number could be written: UTF-8, JSON's ASCII escapes,
    the ten digits alone and with the country code."""
    return [
        name.encode(),
        json.dumps(name)[1:-1].encode(),
        name.lower().encode(),
        mobile.encode(),
        f"+91{mobile}".encode(),
    ]


def every_record(bootstrap: str, topic: str) -> list[bytes]:
    """Each record of ``topic`` from its beginning to its end now: key, value and headers."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        **kafka_security(),
    )  # fmt: skip
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        records: list[bytes] = []
        deadline = time.monotonic() + 120
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            assert time.monotonic() < deadline, f"timed out reading {topic}"
            for batch in consumer.poll(timeout_ms=500).values():
                for r in batch:
                    parts = [r.key or b"", r.value or b""]
                    parts += [k.encode() + b"=" + (v or b"") for k, v in r.headers or []]
                    records.append(b"\n".join(parts))
        return records
    finally:
        consumer.close()


def segment_files(kafka_dir: Path) -> list[Path]:
    return [p for p in (kafka_dir / "data").rglob("*.log") if p.is_file()]


def test_no_topic_and_no_broker_file_holds_a_visitors_name_or_number(
    analytics_url, intake_url, station, signing_key, reader, infra, stack_config
):
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    visitors = [(name, unique_mobile()) for name in NAMES]
    accepted = [
        post_feedback(intake_url, feedback_body(station, signing_key, name=name, mobile=mobile))
        for name, mobile in visitors
    ]
    wait_until(lambda: count_24h(analytics_url, station["code"], reader) == 2, timeout_s=60)

    # A copy of one event, for a station nobody registered: the consumer refuses it to the
    # dead-letter topic, which keeps the record unchanged, its sealed box too.
    [original] = [
        r for r in every_record(bootstrap, FEEDBACK_TOPIC) if accepted[0]["id"].encode() in r
    ]
    event = json.loads(original.split(b"\n")[1])
    stray = unique_code("NOWHERE")
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **kafka_security())
    try:
        copy = json.dumps({**event, "station_code": stray}).encode()
        producer.send(FEEDBACK_TOPIC, key=stray.encode(), value=copy).get(timeout=30)
    finally:
        producer.close()
    wait_until(
        lambda: [r for r in every_record(bootstrap, FEEDBACK_DLQ_TOPIC) if stray.encode() in r],
        timeout_s=60,
        interval_s=0.5,
    )

    found: dict[str, list[str]] = {}
    for spec in TOPICS:
        for record in every_record(bootstrap, spec.name):
            for name, mobile in visitors:
                for needle in needles(name, mobile):
                    if needle in record or needle in record.lower():
                        found.setdefault(spec.name, []).append(needle.decode())
    assert found == {}

    files = segment_files(stack_config.data_dir / "kafka")
    on_disk = b"".join(path.read_bytes() for path in files)
    assert station["code"].encode() in on_disk and stray.encode() in on_disk  # it reads them
    assert [
        needle for name, mobile in visitors for needle in needles(name, mobile) if needle in on_disk
    ] == []

    # ... and the consumer opened the boxes: PostgreSQL has both visitors.
    with db.connection(infra["DATABASE_URL"]) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.name, p.mobile FROM feedback_personal p JOIN feedback f USING (event_id)"
            " WHERE f.station_code = %s ORDER BY p.name",
            (station["code"],),
        )
        stored = cursor.fetchall()
    assert sorted(stored) == sorted((name, f"+91{mobile}") for name, mobile in visitors)
