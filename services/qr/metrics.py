"""The QR service's Prometheus metrics (summed over gunicorn's workers when
PROMETHEUS_MULTIPROC_DIR is set, as the run command does)."""

import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess

REQUESTS = Counter("qr_http_requests_total", "HTTP requests answered", ["endpoint", "status"])
CHANGES = Counter("qr_station_changes_total", "Registry changes published, by kind", ["change"])
AUTH_FAILURES = Counter("qr_admin_auth_failures_total", "Requests with a missing or bad token")


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)
