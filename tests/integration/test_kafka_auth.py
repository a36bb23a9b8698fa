"""The broker lets in only clients that log in, and each service's user only to its own
topics and groups (ops/stack/kafka_users.py), on the real broker ./pratikriya up starts."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from ops.stack.kafka_users import password_key
from shared.kafka_io import kafka_security, manual_consumer
from shared.topics import FEEDBACK_TOPIC, SCORES_TOPIC, STATIONS_TOPIC

TIMEOUTS = {"bootstrap_timeout_ms": 3000, "request_timeout_ms": 3000}


def login(infra, user: str, password: str | None = None) -> dict:
    password = infra[password_key(user)] if password is None else password
    return kafka_security({"KAFKA_SASL_USERNAME": user, "KAFKA_SASL_PASSWORD": password})


def read_from_start(consumer: KafkaConsumer, topic: str) -> int:
    """How many records one poll of every partition of ``topic`` returns."""
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    consumer.assign(parts)
    consumer.seek_to_beginning()
    return sum(len(batch) for batch in consumer.poll(timeout_ms=5000).values())


def test_a_client_without_credentials_can_neither_write_nor_read(infra):
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    with pytest.raises(KafkaError):
        KafkaProducer(bootstrap_servers=bootstrap, **TIMEOUTS)
    with pytest.raises(KafkaError):
        KafkaConsumer(STATIONS_TOPIC, bootstrap_servers=bootstrap, **TIMEOUTS)


def test_a_wrong_password_is_refused(infra):
    with pytest.raises(KafkaError):
        KafkaConsumer(
            bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"],
            **TIMEOUTS,
            **login(infra, "intake", "not-" + infra[password_key("intake")]),
        )


def test_intakes_user_reads_the_stations_but_not_the_feedback_it_writes(infra):
    consumer = KafkaConsumer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], **TIMEOUTS, **login(infra, "intake")
    )
    try:
        assert read_from_start(consumer, STATIONS_TOPIC) > 0
        with pytest.raises(TopicAuthorizationFailedError):
            read_from_start(consumer, FEEDBACK_TOPIC)
    finally:
        consumer.close()


def test_intakes_user_cannot_write_the_scores(infra):
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"],
        max_block_ms=5000,
        **TIMEOUTS,
        **login(infra, "intake"),
    )
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(SCORES_TOPIC, b"{}").get(timeout=10)
    finally:
        producer.close()


def test_the_ops_user_watches_the_feedback_but_cannot_write_it(infra):
    # Not idempotent: a user that may write no topic is refused a producer id even earlier.
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"],
        max_block_ms=5000,
        enable_idempotence=False,
        **TIMEOUTS,
        **login(infra, "ops"),
    )
    try:
        parts = [TopicPartition(FEEDBACK_TOPIC, p) for p in range(12)]
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(FEEDBACK_TOPIC, b"{}").get(timeout=10)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], **TIMEOUTS, **login(infra, "ops")
    )
    try:
        assert set(consumer.end_offsets(parts)) == set(parts)
    finally:
        consumer.close()


def test_the_analytics_user_cannot_join_the_notifiers_group(infra, monkeypatch):
    # manual_consumer logs in through kafka_security(), which reads the environment.
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "analytics")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", infra[password_key("analytics")])
    consumer = manual_consumer(
        infra["KAFKA_BOOTSTRAP_SERVERS"],
        group_id="notifier",
        topics=[SCORES_TOPIC],
        client_id="test-kafka-auth",
        **TIMEOUTS,
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            consumer.poll(timeout_ms=5000)
    finally:
        consumer.close()
