"""Publishing accepted feedback to Kafka, durably or not at all."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared.events import FEEDBACK_TOPIC, FeedbackSubmitted
from shared.kafka_io import durable_producer

logger = logging.getLogger(__name__)


class PublishFailed(Exception):
    """Kafka did not acknowledge the event in time; it may be retried with the same id."""


class FeedbackPublisher:
    """Sends FeedbackSubmitted events keyed by station code and waits for the acknowledgement
    of every in-sync replica. The producer is created on first use (never at import, and after
    gunicorn has forked) and again after Kafka was unreachable."""

    def __init__(self, bootstrap_servers: str, timeout_s: float, client_id: str = "intake"):
        self._bootstrap = bootstrap_servers
        self._timeout_s = timeout_s
        self._client_id = client_id
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None
        self._last_failure = float("-inf")

    def _get_producer(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                # After a failed connect, fail fast for a second rather than make every
                # request wait for its own connection attempt.
                if time.monotonic() - self._last_failure < 1.0:
                    raise PublishFailed("Kafka was unreachable a moment ago")
                try:
                    self._producer = durable_producer(
                        self._bootstrap, client_id=self._client_id, timeout_s=self._timeout_s
                    )
                except KafkaError as exc:
                    self._last_failure = time.monotonic()
                    raise PublishFailed(f"cannot connect to Kafka: {exc}") from exc
            return self._producer

    def publish(self, event: FeedbackSubmitted) -> None:
        """Returns once Kafka has the event; PublishFailed otherwise (nothing half-sent stays
        queued: the producer's delivery timeout is shorter than our wait)."""
        producer = self._get_producer()
        try:
            future = producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json())
            future.get(timeout=self._timeout_s + 1.0)
        except KafkaError as exc:
            # kafka-python's producer can stay wedged after the broker restarted (sends
            # never complete): start again with a new one.
            self._discard(producer)
            raise PublishFailed(f"Kafka did not acknowledge: {type(exc).__name__}") from exc

    def _discard(self, producer: KafkaProducer) -> None:
        with self._lock:
            if self._producer is not producer:
                return  # another request already replaced it
            self._producer = None
        # Records it still holds fail (their requests answer 503); a wedged one cannot even
        # flush, and close() then raises.
        with contextlib.suppress(KafkaError):
            producer.close(timeout=0)

    def ready(self) -> bool:
        """True when Kafka answers a metadata request for the feedback topic."""
        try:
            producer = self._get_producer()
            return bool(producer.partitions_for(FEEDBACK_TOPIC))
        except (PublishFailed, KafkaError):
            return False

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=self._timeout_s)
                self._producer = None
