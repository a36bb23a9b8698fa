"""Intake's Prometheus metrics, served at /metrics by the HTTP kit. Under gunicorn with
several workers, set PROMETHEUS_MULTIPROC_DIR (the run command does) so /metrics adds up
every worker."""

from prometheus_client import Counter, Histogram

REQUESTS = Counter("intake_http_requests_total", "HTTP requests answered", ["endpoint", "status"])
REJECTIONS = Counter(
    "intake_feedback_rejected_total", "Feedback not accepted, by reason", ["reason"]
)
ACCEPTED = Counter("intake_feedback_accepted_total", "Feedback events acknowledged by Kafka")
PUBLISH_SECONDS = Histogram(
    "intake_kafka_publish_seconds",
    "Time from send to Kafka's acknowledgement",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
