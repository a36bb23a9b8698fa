"""Consumer lag and dead-letter counts as Prometheus gauges, read from Kafka when scraped.

The operations service registers one collector for every group of its settings; a scrape
costs a few requests to Kafka, so results are kept for ``cache_s`` seconds between scrapes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ops.lag.reader import Groups, LagReader, PartitionSample
from shared.kafka_io import kafka_security

logger = logging.getLogger(__name__)


def dead_letter_counts(
    bootstrap_servers: str, topics: tuple[str, ...], timeout_s: float = 2.0
) -> dict[str, int]:
    """Messages kept on each dead-letter topic (log end minus log start, every partition).

    Raises KafkaError when Kafka cannot be asked within about ``timeout_s``."""
    if not topics:
        return {}
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        client_id="pratikriya-lag",
        request_timeout_ms=int(timeout_s * 1000) + 500,
        **kafka_security(),
    )
    try:
        counts = {}
        for topic in topics:
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            ends = consumer.end_offsets(parts) if parts else {}
            starts = consumer.beginning_offsets(parts) if parts else {}
            counts[topic] = sum(ends[tp] - starts[tp] for tp in parts)
        return counts
    finally:
        consumer.close()


class KafkaLagCollector(Collector):
    """Lag of ``groups`` (group -> its topics) and the size of ``dead_letter_topics``.

    Register it in the registry that /metrics renders (under gunicorn's multiprocess mode,
    beside the MultiProcessCollector, not in the default registry), one per process: each
    scrape reads Kafka at most once per ``cache_s``. When Kafka cannot be asked, only
    ``pratikriya_kafka_lag_read_ok`` (0) is reported: stale lag would look like no growth."""

    def __init__(
        self,
        bootstrap_servers: str,
        groups: Groups,
        dead_letter_topics: tuple[str, ...] = (),
        cache_s: float = 5.0,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._groups = groups
        self._dlq = dead_letter_topics
        self._cache_s = cache_s
        self._lock = threading.Lock()
        self._taken = float("-inf")
        self._samples: list[PartitionSample] = []
        self._dlq_counts: dict[str, int] = {}
        self._ok = False

    def _refresh(self) -> None:
        reader = None
        try:
            reader = LagReader(self._bootstrap, timeout_s=2.0)
            self._samples = reader.sample(self._groups)
            self._dlq_counts = dead_letter_counts(self._bootstrap, self._dlq)
            self._ok = True
        except (KafkaError, OSError):
            logger.warning("consumer lag could not be read", exc_info=True)
            self._samples, self._dlq_counts, self._ok = [], {}, False
        finally:
            if reader is not None:
                reader.close()
            self._taken = time.monotonic()

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            if time.monotonic() - self._taken >= self._cache_s:
                self._refresh()
            samples, dlq, ok = list(self._samples), dict(self._dlq_counts), self._ok
        up = GaugeMetricFamily(
            "pratikriya_kafka_lag_read_ok", "1 if the last lag reading from Kafka worked"
        )
        up.add_metric([], 1.0 if ok else 0.0)
        yield up
        messages = GaugeMetricFamily(
            "pratikriya_consumer_lag_messages",
            "Messages after the group's committed offset",
            labels=["group", "topic", "partition"],
        )
        seconds = GaugeMetricFamily(
            "pratikriya_consumer_lag_seconds",
            "Age of the oldest message the group has not consumed (0 when caught up)",
            labels=["group", "topic", "partition"],
        )
        committed = GaugeMetricFamily(
            "pratikriya_consumer_committed_offset",
            "The group's committed offset (-1 when it never committed)",
            labels=["group", "topic", "partition"],
        )
        for s in samples:
            labels = [s.group, s.topic, str(s.partition)]
            messages.add_metric(labels, s.lag)
            seconds.add_metric(labels, s.lag_seconds or 0.0)
            committed.add_metric(labels, -1 if s.committed is None else s.committed)
        yield messages
        yield seconds
        yield committed
        dead = GaugeMetricFamily(
            "pratikriya_dead_letter_messages",
            "Messages kept on a dead-letter topic",
            labels=["topic"],
        )
        for topic, count in dlq.items():
            dead.add_metric([topic], count)
        yield dead
