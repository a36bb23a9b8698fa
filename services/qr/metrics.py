"""The QR service's Prometheus metrics (served by the HTTP kit's ``/metrics``, summed over
gunicorn's workers when PROMETHEUS_MULTIPROC_DIR is set, as the run command does)."""

from prometheus_client import Counter

REQUESTS = Counter("qr_http_requests_total", "HTTP requests answered", ["endpoint", "status"])
CHANGES = Counter("qr_station_changes_total", "Registry changes published, by kind", ["change"])
