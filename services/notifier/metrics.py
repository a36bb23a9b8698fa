"""The notifier's /metrics. Alerts and deliveries are counted from the tables at scrape time,
so the HTTP workers and the consumer process (separate processes) report one truth; HTTP
requests are counted in-process (the HTTP kit sums them over gunicorn's workers when
PROMETHEUS_MULTIPROC_DIR is set)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from services.notifier.domain import RULES

REQUESTS = Counter("notifier_http_requests_total", "HTTP requests answered", ["endpoint", "status"])


class TablesCollector:
    """Reads ``snapshot()`` (store.metrics_snapshot) on each scrape."""

    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        data = self.snapshot()
        raised = CounterMetricFamily(
            "notifier_alerts_raised", "Alerts raised, by rule", labels=["rule"]
        )
        for rule in RULES:
            raised.add_metric([rule], data["raised"].get(rule, 0))
        yield raised
        current = GaugeMetricFamily(
            "notifier_alerts", "Alerts by rule and status", labels=["rule", "status"]
        )
        for rule in RULES:
            for status in ("open", "acknowledged", "resolved"):
                current.add_metric([rule, status], data["by_status"].get((rule, status), 0))
        yield current
        deliveries = GaugeMetricFamily(
            "notifier_deliveries",
            "Deliveries by channel and outcome (pending, sent, failed)",
            labels=["channel", "outcome"],
        )
        for channel in ("sms", "email"):
            for outcome in ("pending", "sent", "failed"):
                deliveries.add_metric(
                    [channel, outcome], data["deliveries"].get((channel, outcome), 0)
                )
        yield deliveries
        retries = CounterMetricFamily(
            "notifier_delivery_retries", "Attempts beyond the first", labels=["channel"]
        )
        for channel in ("sms", "email"):
            retries.add_metric([channel], data["retries"].get(channel, 0))
        yield retries
        worker = data["worker"]
        lag = GaugeMetricFamily(
            "notifier_consumer_lag", "Scores events not yet handled, at the last heartbeat"
        )
        age = GaugeMetricFamily(
            "notifier_worker_heartbeat_age_seconds", "Seconds since the consumer's last heartbeat"
        )
        if worker:
            lag.add_metric([], worker[1])
            age.add_metric([], (datetime.now(UTC) - worker[0]).total_seconds())
        yield lag
        yield age
