"""Analytics' Prometheus metrics, served at /metrics by the HTTP kit: the HTTP app's own,
plus the consumer's figures and the purge's (kept in PostgreSQL's ``worker_health`` by the
consumer process and by ``./pratikriya purge``, read at scrape time)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import psycopg2
import redis
from prometheus_client import Counter
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from services.analytics.adapters.purge import LAST_RUN, PURGED
from shared.consumer.health import SECONDS_BUCKETS, SIZE_BUCKETS

logger = logging.getLogger(__name__)
REQUESTS = Counter(
    "analytics_http_requests_total", "HTTP requests answered", ["endpoint", "status"]
)


class ConsumerCollector:
    """Reads the consumer's figures when scraped; left out when Redis cannot be read."""

    def __init__(self, read_figures: Callable[[], dict[str, float]]) -> None:
        self.read_figures = read_figures

    def collect(self) -> Iterator[Metric]:
        try:
            figures = self.read_figures()
        except (redis.RedisError, psycopg2.Error):
            logger.warning("consumer figures unavailable", exc_info=True)
            return
        yield from _figures(figures)


def _figures(f: dict[str, float]) -> Iterator[Metric]:
    for name, key, text in (
        ("analytics_events_consumed", "events_consumed", "Feedback records consumed"),
        ("analytics_events_inserted", "events_inserted", "Feedback stored for the first time"),
        ("analytics_batches", "batches", "Batches processed"),
        (
            "analytics_personal_data_purged",
            PURGED,
            "Feedback whose name and mobile number were purged after the retention period",
        ),
    ):
        yield CounterMetricFamily(name, text, value=f.get(key, 0.0))
    if LAST_RUN in f:
        yield GaugeMetricFamily(
            "analytics_personal_data_purge_last_run_timestamp_seconds",
            "When the last purge of names and numbers finished (Unix time)",
            value=f[LAST_RUN],
        )
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
