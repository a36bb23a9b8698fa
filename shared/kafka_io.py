"""Kafka plumbing shared by every service: a durable producer, a consumer that commits only
when told to. The topics themselves are in ``shared.topics``."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError

logger = logging.getLogger(__name__)

DEFAULT_SASL_MECHANISM = "SCRAM-SHA-512"


def kafka_security(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The kafka-python settings that log a client in, from the environment; every Kafka
    client in the code takes its credentials from here and nowhere else.

    ``KAFKA_SASL_USERNAME`` and ``KAFKA_SASL_PASSWORD`` name the principal (each service
    process has its own, set by ``ops/services.py``); ``KAFKA_SASL_MECHANISM`` defaults to
    SCRAM-SHA-512 and ``KAFKA_SECURITY_PROTOCOL`` to SASL_PLAINTEXT (one machine; a real
    deployment sets SASL_SSL). Without a user name the client connects without logging in.
    """
    env = os.environ if env is None else env
    username = env.get("KAFKA_SASL_USERNAME", "")
    if not username:
        return {}
    return {
        "security_protocol": env.get("KAFKA_SECURITY_PROTOCOL") or "SASL_PLAINTEXT",
        "sasl_mechanism": env.get("KAFKA_SASL_MECHANISM") or DEFAULT_SASL_MECHANISM,
        "sasl_plain_username": username,
        "sasl_plain_password": env.get("KAFKA_SASL_PASSWORD", ""),
    }


def durable_producer(
    bootstrap_servers: str, *, client_id: str, timeout_s: float = 2.0, linger_ms: int = 2
) -> KafkaProducer:
    """A producer whose acknowledged sends are on every in-sync replica (acks=all) and written
    once per send (idempotence). A send that cannot be acknowledged within about ``timeout_s``
    fails rather than waiting in a buffer, so callers can answer 503 and not leave a record
    behind that might still be delivered later. Raises NoBrokersAvailable if Kafka is down."""
    request_ms = max(500, int(timeout_s * 1000 * 0.75))
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=linger_ms,
        request_timeout_ms=request_ms,
        delivery_timeout_ms=int(timeout_s * 1000),
        max_block_ms=int(timeout_s * 1000),
        retry_backoff_ms=100,
        # A node that refuses connections (a killed broker of a cluster) is left alone for
        # longer after each failure, up to 8 s. kafka-python's sender otherwise picks it
        # again within a second as its "least loaded node" (it has no requests in flight)
        # for the producer id it asks for after a batch expired, and blocks for the
        # request timeout waiting for it, while the live leaders could take the sends.
        reconnect_backoff_ms=200,
        reconnect_backoff_max_ms=8000,
        # Without it the constructor waits 30 s for an unreachable broker.
        bootstrap_timeout_ms=int(timeout_s * 1000),
        **kafka_security(),
    )


def manual_consumer(
    bootstrap_servers: str, *, group_id: str, topics: list[str], client_id: str,
    listener: ConsumerRebalanceListener | None = None, **overrides,
) -> KafkaConsumer:  # fmt: skip
    """A consumer in ``group_id`` that never commits by itself: the caller commits offsets
    after the work they cover is durable. ``listener`` hears of the group's rebalances."""
    settings = {
        "bootstrap_servers": bootstrap_servers,
        "group_id": group_id,
        "client_id": client_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "max_poll_records": 500,
        **kafka_security(),
    }
    settings.update(overrides)
    consumer = KafkaConsumer(**settings)
    # Learn the topics' partitions before joining the group: a member that joins without
    # them gets no partitions assigned ("No partition metadata") until the next metadata
    # refresh, minutes later, and consumes nothing meanwhile.
    for topic in topics:
        if not consumer.partitions_for_topic(topic):
            consumer.close()
            raise KafkaError(f"topic {topic} does not exist or has no partitions")
    consumer.subscribe(topics, listener=listener)
    return consumer
