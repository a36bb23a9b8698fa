"""Publishing station records to the compacted ``stations`` topic, acknowledged or not at all."""

from __future__ import annotations

import threading

from kafka import KafkaProducer
from kafka.errors import KafkaError

from shared.stations_feed import STATIONS_TOPIC, StationChanged


def _producer(bootstrap_servers: str, client_id: str, timeout_s: float) -> KafkaProducer:
    """The settings of shared.kafka_io.durable_producer (acks=all, idempotent, bounded
    delivery) plus a bound on the first connection: kafka-python waits 30 s for a first
    broker by default (``bootstrap_timeout_ms``), and durable_producer takes no overrides,
    so with Kafka down an admin's request would hang that long."""
    request_ms = max(500, int(timeout_s * 1000 * 0.75))
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        request_timeout_ms=request_ms,
        delivery_timeout_ms=int(timeout_s * 1000),
        max_block_ms=int(timeout_s * 1000),
        bootstrap_timeout_ms=int(timeout_s * 1000),
        retry_backoff_ms=100,
        reconnect_backoff_max_ms=1000,
    )


class PublishFailed(Exception):
    """Kafka did not acknowledge the record in time."""


class StationsPublisher:
    """Sends StationChanged records keyed by station code and waits for every in-sync
    replica's acknowledgement. The producer is made on first use (after gunicorn's fork)
    and again after a failure."""

    def __init__(self, bootstrap_servers: str, timeout_s: float, client_id: str = "qr") -> None:
        self._bootstrap = bootstrap_servers
        self._timeout_s = timeout_s
        self._client_id = client_id
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None

    def _get(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                try:
                    self._producer = _producer(self._bootstrap, self._client_id, self._timeout_s)
                except KafkaError as exc:
                    raise PublishFailed(f"cannot connect to Kafka: {exc}") from exc
            return self._producer

    def publish(self, *records: StationChanged) -> None:
        """Returns once Kafka has every record; PublishFailed otherwise."""
        producer = self._get()
        try:
            futures = [producer.send(STATIONS_TOPIC, key=r.key, value=r.to_json()) for r in records]
            for future in futures:
                future.get(timeout=self._timeout_s + 1.0)
        except KafkaError as exc:
            raise PublishFailed(f"Kafka did not acknowledge: {type(exc).__name__}") from exc

    def ready(self) -> bool:
        try:
            return bool(self._get().partitions_for(STATIONS_TOPIC))
        except (PublishFailed, KafkaError):
            return False

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=self._timeout_s)
                self._producer = None
