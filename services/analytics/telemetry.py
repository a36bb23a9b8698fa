"""The consumer's own figures (events consumed, batch sizes, processing time, dead letters),
kept in Redis so that the HTTP app's /metrics can show them: the consumer is a process of its
own, without an HTTP port. These are counters of work done, so HINCRBY is right here; the
scores themselves are never incremented."""

from __future__ import annotations

import contextlib
from typing import Any

import redis

SIZE_BUCKETS = (1, 10, 50, 100, 500, 1000, 2000, 5000)
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ConsumerTelemetry:
    def __init__(self, client: redis.Redis, prefix: str = "analytics") -> None:
        self.client = client
        self.key = f"{prefix}:consumer:metrics"

    def record_batch(self, outcome: Any, dlq_reasons: list[str], seconds: float) -> None:
        """Best effort: a Redis hiccup here must not hold up committing the batch."""
        pipe = self.client.pipeline(transaction=False)
        pipe.hincrby(self.key, "events_consumed", outcome.received)
        pipe.hincrby(self.key, "events_inserted", outcome.inserted)
        pipe.hincrby(self.key, "batches", 1)
        pipe.hincrby(self.key, "batch_size_sum", outcome.received)
        pipe.hincrbyfloat(self.key, "batch_seconds_sum", seconds)
        for bound in SIZE_BUCKETS:
            if outcome.received <= bound:
                pipe.hincrby(self.key, f"batch_size_le:{bound}", 1)
        for bound in SECONDS_BUCKETS:
            if seconds <= bound:
                pipe.hincrby(self.key, f"batch_seconds_le:{bound}", 1)
        for reason in dlq_reasons:
            pipe.hincrby(self.key, f"dlq:{_reason_kind(reason)}", 1)
        with contextlib.suppress(redis.RedisError):  # figures only: never hold up a commit
            pipe.execute()

    def read(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.client.hgetall(self.key).items()}


def _reason_kind(reason: str) -> str:
    """A low-cardinality label for a dead-letter reason."""
    for prefix, kind in (
        ("not JSON", "not_json"),
        ("not a JSON object", "not_json"),
        ("unknown schema_version", "unknown_version"),
        ("schema", "schema"),
        ("unknown station", "unknown_station"),
    ):
        if reason.startswith(prefix):
            return kind
    return "other"
