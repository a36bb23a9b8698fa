"""Analytics' Prometheus metrics: the HTTP app's own, plus the consumer's figures (kept in
Redis by the consumer process) and the consumer group's lag per partition and the
dead-letter topic's size (shared.lag_metrics.KafkaLagCollector: asked of Kafka at scrape
time, cached for a few seconds)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from shared.consumer.health import SECONDS_BUCKETS, SIZE_BUCKETS

logger = logging.getLogger(__name__)
REQUESTS = Counter(
    "analytics_http_requests_total", "HTTP requests answered", ["endpoint", "status"]
)


class ConsumerCollector:
    """Reads the consumer's figures when scraped; left out when Redis cannot be read."""

    def __init__(self, read_figures: Callable[[], dict[str, float]]) -> None:
        self.read_figures = read_figures

    def collect(self) -> Iterator:
        try:
            figures = self.read_figures()
        except Exception:
            logger.warning("consumer figures unavailable", exc_info=True)
            return
        yield from _figures(figures)


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


def render(extra: Iterable[Collector] = ()) -> bytes:
    """Every metric; the HTTP ones summed over gunicorn's workers when
    PROMETHEUS_MULTIPROC_DIR is set (the run command sets it). ``extra`` collectors (the
    consumer's figures, the lag) are computed here, once per scrape, by this process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(DEFAULT_REGISTRY)
    own = CollectorRegistry()
    for collector in extra:
        own.register(collector)
    return text + generate_latest(own)
