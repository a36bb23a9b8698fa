"""Analytics' adapters: a PostgreSQL connection that reconnects, and the Kafka producer for
the dead-letter topic and the ``station.scores`` topic."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared import db
from shared.events import StationScoresUpdated
from shared.kafka_io import durable_producer

logger = logging.getLogger(__name__)


class Database:
    """One connection, opened on first use and again after it broke."""

    def __init__(self, database_url: str, application_name: str = "analytics") -> None:
        self.database_url = database_url
        self.application_name = application_name
        self._conn = None

    @contextmanager
    def transaction(self) -> Iterator:
        """A cursor in a transaction: committed at the end, rolled back if the block raises.
        A lost connection (OperationalError, InterfaceError) is dropped, so the next call
        opens a new one."""
        if self._conn is None or self._conn.closed:
            self._conn = db.connect(self.database_url, application_name=self.application_name)
        try:
            with db.transaction(self._conn) as cur:
                yield cur
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


class Outbox:
    """Sends to Kafka and waits for every acknowledgement (acks=all) before returning."""

    def __init__(self, bootstrap_servers: str, *, timeout_s: float = 10.0) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.timeout_s = timeout_s
        self._producer: KafkaProducer | None = None

    def _get(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = durable_producer(
                self.bootstrap_servers, client_id="analytics", timeout_s=self.timeout_s
            )
        return self._producer

    def send_all(self, messages: list[tuple[str, bytes | None, bytes, list]]) -> None:
        """(topic, key, value, headers) each; raises a KafkaError if one was not
        acknowledged (the caller retries the lot: duplicates downstream are harmless)."""
        if not messages:
            return
        producer = self._get()
        try:
            futures = [
                producer.send(topic, key=key, value=value, headers=headers)
                for topic, key, value, headers in messages
            ]
            producer.flush(timeout=self.timeout_s)
            for future in futures:
                future.get(timeout=self.timeout_s)
        except KafkaError:
            # kafka-python's producer can stay wedged after the broker restarted (sends never
            # complete, retried for ever): the caller's retry starts with a new one.
            self._producer = None
            with contextlib.suppress(KafkaError):
                producer.close(timeout=0)
            raise

    def dead_letter(self, topic: str, record, reason: str) -> tuple:
        """The message for the dead-letter topic: the original key and value unchanged, the
        reason and origin in headers."""
        headers = [
            ("dlq.reason", reason.encode()[:1000]),
            ("dlq.origin.topic", record.topic.encode()),
            ("dlq.origin.partition", str(record.partition).encode()),
            ("dlq.origin.offset", str(record.offset).encode()),
        ]
        return (topic, record.key, record.value if record.value is not None else b"", headers)

    @staticmethod
    def scores(topic: str, event: StationScoresUpdated) -> tuple:
        return (topic, event.key, event.to_json(), [])

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=self.timeout_s)
            self._producer = None
