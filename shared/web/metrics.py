"""Rendering Prometheus metrics, summed over gunicorn's workers when
``PROMETHEUS_MULTIPROC_DIR`` is set (the run command sets it)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4"


def render_metrics(extra: Iterable[Collector] = ()) -> bytes:
    """Every metric of this process (of every worker under multiprocess mode), plus the
    ``extra`` collectors, which are asked at scrape time (figures kept outside the process,
    say a worker's in Redis or Kafka's lag)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


class _Everything:
    """The default registry as one collector, so extra collectors can sit beside it without
    being registered there for good."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()
