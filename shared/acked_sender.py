"""Sending records to Kafka and waiting until every in-sync replica has them: the one way our
services publish, from an HTTP request's event to a worker's results and dead letters."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence

from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared.consumer.records import Message
from shared.kafka_io import durable_producer


class SendFailed(Exception):
    """Kafka did not acknowledge in time, or could not be reached; the caller may retry."""


class AckedSender:
    """A durable producer made on first use (never at import, and after gunicorn's fork).

    After a failed connection it fails fast for a second rather than make every request wait
    for its own attempt. After a failed send the producer is dropped and the next send makes
    a new one: kafka-python's producer can stay wedged after the broker restarted (its sends
    then never complete), and a new producer recovers.
    """

    def __init__(self, bootstrap_servers: str, timeout_s: float, client_id: str) -> None:
        self._bootstrap = bootstrap_servers
        self._timeout_s = timeout_s
        self._client_id = client_id
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None
        self._last_failure = float("-inf")

    def _get(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                if time.monotonic() - self._last_failure < 1.0:
                    raise SendFailed("Kafka was unreachable a moment ago")
                try:
                    self._producer = durable_producer(
                        self._bootstrap, client_id=self._client_id, timeout_s=self._timeout_s
                    )
                except KafkaError as exc:
                    self._last_failure = time.monotonic()
                    raise SendFailed(f"cannot connect to Kafka: {exc}") from exc
            return self._producer

    def send_all(
        self,
        topic: str,
        records: list[tuple[bytes | None, bytes | None]],
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        """(key, value) records to ``topic``, each with ``headers``; see ``publish``."""
        self.publish([Message(topic, key, value, list(headers or [])) for key, value in records])

    def publish(self, messages: Sequence[Message]) -> None:
        """Each message to its own topic with its own headers; returns once Kafka has every
        one of them, raises SendFailed otherwise (the producer's delivery timeout is shorter
        than this wait, so nothing refused stays queued behind the caller's back)."""
        if not messages:
            return
        producer = self._get()
        try:
            futures = [
                producer.send(m.topic, key=m.key, value=m.value, headers=m.headers or None)
                for m in messages
            ]
            for future in futures:
                future.get(timeout=self._timeout_s + 1.0)
        except KafkaError as exc:
            self._discard(producer)
            raise SendFailed(f"Kafka did not acknowledge: {type(exc).__name__}") from exc

    def _discard(self, producer: KafkaProducer) -> None:
        doomed = producer  # (the identity test below narrows ``producer``'s type)
        with self._lock:
            if self._producer is not producer:
                return  # another request already replaced it
            self._producer = None
        # Records it still holds fail (their requests answer 503); a wedged one cannot even
        # flush, and close() then raises.
        with contextlib.suppress(KafkaError):
            doomed.close(timeout=0)

    def ready(self, topic: str) -> bool:
        """True when Kafka answers a metadata request for ``topic``."""
        try:
            return bool(self._get().partitions_for(topic))
        except (SendFailed, KafkaError):
            return False

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=self._timeout_s)
                self._producer = None
