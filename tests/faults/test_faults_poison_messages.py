"""Scenario 5: poison messages mixed into ``feedback.submitted`` among good events: bad JSON,
a tombstone, a JSON array, a failed schema, an unknown schema version, an unknown station,
a box sealed for a key the consumer does not hold.
Each lands once on ``feedback.dlq`` with its original key and value and its reason and origin
in headers; the good events around them are all counted, and nothing else is dead-lettered."""

from __future__ import annotations

import json
import random

import pytest
from kafka import KafkaProducer

from shared.kafka_io import kafka_security
from shared.topics import FEEDBACK_DLQ_TOPIC, FEEDBACK_TOPIC
from tests.faults.harness import assert_accepted_is_counted
from tests.integration.analytics.conftest import make_event
from tests.support import TopicTail, unique_code, wait_until

pytestmark = pytest.mark.e2e

GOOD = 300


def poison(codes: list[str]) -> list[tuple[bytes, bytes | None, str]]:
    """(key, value, the reason's beginning) of each kind of message that can never count."""
    valid = json.loads(make_event(codes[0]).to_json())
    ghost = unique_code("GHOST")
    return [
        (codes[0].encode(), b'{"station_code": "', "not JSON"),
        (codes[1].encode(), b"\xff\xfe\x00", "not JSON"),
        (codes[0].encode(), None, "not JSON"),  # a tombstone
        (codes[1].encode(), b"[1, 2, 3]", "not a JSON object"),
        (codes[0].encode(), json.dumps({**valid, "rating": 9}).encode(), "schema:"),
        (codes[1].encode(), json.dumps({**valid, "mobile": "12345"}).encode(), "schema:"),
        (codes[0].encode(), json.dumps({**valid, "schema_version": 1}).encode(),
         "unknown schema_version 1"),
        (codes[1].encode(), json.dumps({**valid, "sealed": {**valid["sealed"], "kid": "k9"}})
         .encode(), "sealed personal data: unknown key k9"),
        (ghost.encode(), make_event(ghost).to_json(), f"unknown station {ghost}"),
    ]  # fmt: skip


def test_poison_messages_go_to_the_dead_letter_topic_with_their_reason_and_the_rest_counts(
    pipeline, infra, make_stations
):
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    codes = [s["code"] for s in make_stations(2)]
    good = [make_event(codes[n % 2], rating=1 + n % 5) for n in range(GOOD)]
    bad = poison(codes)
    messages = [(e.key, e.to_json(), None) for e in good] + bad
    random.Random(5).shuffle(messages)
    dlq = TopicTail(bootstrap, FEEDBACK_DLQ_TOPIC)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, **kafka_security()
    )
    try:
        sent = [
            (producer.send(FEEDBACK_TOPIC, key=key, value=value), key, value, reason)
            for key, value, reason in messages
        ]
        producer.flush(timeout=30)
        origins = {}
        for future, key, value, reason in sent:
            meta = future.get(timeout=10)
            origins[(meta.partition, meta.offset)] = (key, value, reason)
        expected = {where: what for where, what in origins.items() if what[2] is not None}

        assert_accepted_is_counted(infra, {str(e.event_id) for e in good}, codes)
        letters: list = []

        def all_dead_lettered() -> bool:
            letters.extend(dlq.read_to_end())
            return {_origin(r)[1:] for r in letters} >= set(expected)

        wait_until(all_dead_lettered, timeout_s=30, interval_s=0.2)
    finally:
        producer.close()
        dlq.close()

    mine = [r for r in letters if _origin(r)[1:] in origins]
    assert len(mine) == len(expected) == len(bad)  # each once, and no good one
    for record in mine:
        topic, partition, offset = _origin(record)
        key, value, reason = expected[(partition, offset)]
        assert topic == FEEDBACK_TOPIC
        assert (record.key, record.value) == (key, value or b"")
        assert dict(record.headers)["dlq.reason"].decode().startswith(reason)
    print(f"\nscenario 5: {GOOD} good events counted, {len(bad)} poison messages dead-lettered")


def _origin(record) -> tuple[str, int, int]:
    headers = dict(record.headers)
    return (
        headers["dlq.origin.topic"].decode(),
        int(headers["dlq.origin.partition"]),
        int(headers["dlq.origin.offset"]),
    )
