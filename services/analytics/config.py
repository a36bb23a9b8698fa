"""Analytics' settings, read once from the environment (see docs/analytics.md for each)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from shared.config import Connections, Env
from shared.topics import FEEDBACK_DLQ_TOPIC, FEEDBACK_TOPIC, SCORES_TOPIC


@dataclass(frozen=True)
class AnalyticsConfig:
    connections: Connections
    # ``<id>:<base64 private key>,...``, the current key first: the worker opens sealed names
    # and numbers with them and will not start without; the web app never needs them.
    seal_keys: str = ""
    port: int = 8003
    group_id: str = "analytics"
    feedback_topic: str = FEEDBACK_TOPIC
    dlq_topic: str = FEEDBACK_DLQ_TOPIC
    scores_topic: str = SCORES_TOPIC
    # A batch ends at whichever comes first: this many events, or this long after its first.
    batch_max_events: int = 2000
    batch_max_seconds: float = 0.5
    # How often the consumer checks whether windows moved (an hour boundary passed).
    refresh_every_s: float = 60.0
    # Transient failures (PostgreSQL, Redis or Kafka down) are retried with exponential
    # backoff up to this pause between attempts, for as long as it takes.
    retry_max_pause_s: float = 30.0
    # Fair ranking: a Bayesian average pulled towards the city-wide mean with the weight of
    # this many responses; stations with fewer responses than the minimum are not ranked.
    ranking_prior_weight: float = 10.0
    ranking_min_count: int = 10
    # Visitors' names and numbers are purged this many days after they were stored (the
    # form says so: intake reads the same variable); the worker runs the purge this often,
    # at most this many batches of this many rows a run, so a backlog never stalls the
    # consumer for long (the rest goes at the next run).
    retention_days: int = 180
    purge_every_s: float = 3600.0
    purge_batch_rows: int = 1000
    purge_max_batches: int = 100
    # Feedback stored without officer and comment keys (before migration 0008, or under an
    # older shared.textkeys.KEY_VERSION) gets them this often, this many batches of rows a run.
    rekey_every_s: float = 60.0
    rekey_batch_rows: int = 1000
    rekey_max_batches: int = 20
    # No officer's count or average is shown on a station's page below this many feedback.
    officer_min_count: int = 5
    # A direction's before-and-after: equal windows of this many days either side of it, and
    # no verdict unless each holds at least this many responses.
    direction_window_days: int = 28
    direction_min_count: int = 10
    redis_prefix: str = "analytics"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> AnalyticsConfig:
        e = Env.current(env)
        config = cls(
            connections=Connections.from_env(e),
            seal_keys=e.str("ANALYTICS_SEAL_KEYS", ""),
            port=e.int("ANALYTICS_PORT", 8003),
            batch_max_events=e.int("ANALYTICS_BATCH_MAX_EVENTS", 2000),
            batch_max_seconds=e.float("ANALYTICS_BATCH_MAX_SECONDS", 0.5),
            refresh_every_s=e.float("ANALYTICS_REFRESH_EVERY_S", 60.0),
            retry_max_pause_s=e.float("ANALYTICS_RETRY_MAX_PAUSE_S", 30.0),
            ranking_prior_weight=e.float("ANALYTICS_RANKING_PRIOR_WEIGHT", 10.0),
            ranking_min_count=e.int("ANALYTICS_RANKING_MIN_COUNT", 10),
            retention_days=e.int("PERSONAL_DATA_RETENTION_DAYS", 180),
            purge_every_s=e.float("ANALYTICS_PURGE_EVERY_S", 3600.0),
            rekey_every_s=e.float("ANALYTICS_REKEY_EVERY_S", 60.0),
            officer_min_count=e.int("ANALYTICS_OFFICER_MIN_COUNT", 5),
            direction_window_days=e.int("ANALYTICS_DIRECTION_WINDOW_DAYS", 28),
            direction_min_count=e.int("ANALYTICS_DIRECTION_MIN_COUNT", 10),
            log_level=e.str("LOG_LEVEL", "INFO"),
        )
        return replace(config, **overrides)
