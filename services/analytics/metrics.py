"""Analytics' Prometheus metrics: the HTTP app's own, plus the consumer's figures (kept in
Redis by the consumer process) and the consumer group's lag per partition (asked of Kafka at
scrape time, cached for a few seconds)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from services.analytics.telemetry import SECONDS_BUCKETS, SIZE_BUCKETS

logger = logging.getLogger(__name__)
REQUESTS = Counter(
    "analytics_http_requests_total", "HTTP requests answered", ["endpoint", "status"]
)


class ConsumerCollector:
    """Reads the consumer's figures and lag when scraped; a failing source is left out."""

    def __init__(self, read_figures: Callable[[], dict[str, float]],
                 read_lag: Callable[[], dict[int, int]]) -> None:  # fmt: skip
        self.read_figures = read_figures
        self.read_lag = read_lag

    def collect(self) -> Iterator:
        try:
            figures = self.read_figures()
        except Exception:
            logger.warning("consumer figures unavailable", exc_info=True)
            figures = None
        if figures is not None:
            yield from _figures(figures)
        try:
            lag = self.read_lag()
        except Exception:
            logger.warning("consumer lag unavailable", exc_info=True)
            lag = None
        if lag is not None:
            gauge = GaugeMetricFamily(
                "analytics_consumer_lag", "Records not yet consumed, per partition",
                labels=["partition"],
            )  # fmt: skip
            for partition, behind in sorted(lag.items()):
                gauge.add_metric([str(partition)], behind)
            yield gauge


def _figures(f: dict[str, float]) -> Iterator:
    for name, key, text in (
        ("analytics_events_consumed", "events_consumed", "Feedback records consumed"),
        ("analytics_events_inserted", "events_inserted", "Feedback stored for the first time"),
        ("analytics_batches", "batches", "Batches processed"),
    ):
        yield CounterMetricFamily(name, text, value=f.get(key, 0.0))
    dlq = CounterMetricFamily(
        "analytics_dead_letters", "Messages sent to the dead-letter topic", labels=["reason"]
    )
    for key, value in sorted(f.items()):
        if key.startswith("dlq:"):
            dlq.add_metric([key[4:]], value)
    yield dlq
    for name, prefix, bounds, text in (
        ("analytics_batch_size", "batch_size", SIZE_BUCKETS, "Records per batch"),
        ("analytics_batch_seconds", "batch_seconds", SECONDS_BUCKETS, "Time to process a batch"),
    ):
        count = f.get("batches", 0.0)
        buckets = [(f"{b:g}", f.get(f"{prefix}_le:{b}", 0.0)) for b in bounds]
        buckets.append(("+Inf", count))
        yield HistogramMetricFamily(
            name, text, buckets=buckets, sum_value=f.get(f"{prefix}_sum", 0)
        )


class LagReader:
    """The group's lag per partition: end offset minus committed offset."""

    def __init__(self, bootstrap_servers: str, group_id: str, topic: str, ttl_s: float = 5.0):
        self.bootstrap_servers = bootstrap_servers
        self.group_id = group_id
        self.topic = topic
        self.ttl_s = ttl_s
        self._cached: tuple[float, dict[int, int]] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> dict[int, int]:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self.ttl_s:
                return self._cached[1]
            from kafka import KafkaConsumer, TopicPartition

            reader = KafkaConsumer(
                bootstrap_servers=self.bootstrap_servers, group_id=self.group_id,
                enable_auto_commit=False, request_timeout_ms=3000,
            )  # fmt: skip
            try:
                partitions = reader.partitions_for_topic(self.topic) or set()
                tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
                ends = reader.end_offsets(tps)
                lag = {tp.partition: ends[tp] - (reader.committed(tp) or 0) for tp in tps}
            finally:
                reader.close()
            self._cached = (time.monotonic(), lag)
            return lag


def render(extra: ConsumerCollector | None = None) -> bytes:
    """Every metric; the HTTP ones summed over gunicorn's workers when
    PROMETHEUS_MULTIPROC_DIR is set (the run command sets it)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(DEFAULT_REGISTRY)
    if extra is not None:
        consumer = CollectorRegistry()
        consumer.register(extra)
        text += generate_latest(consumer)
    return text
