"""The analytics worker: ``python -m services.analytics.entrypoints.worker``.

Reads ``feedback.submitted`` as consumer group ``analytics`` on the shared consumer runtime
(batches bounded by count and time, commit last, dead letters, health in the database),
with ``usecases.process_batch`` as its step. Once a minute it checks whether the hour
turned, and if so refreshes the stations whose windows moved; at start, and whenever Redis
lost its data, it rebuilds every station. At start and then every ``purge_every_s`` it purges
the names and numbers past the retention period (``usecases.purge``), and every
``rekey_every_s`` it gives feedback stored without officer and comment keys its keys
(``adapters.text_keys``). At start and every ``purge_every_s`` too it makes the feedback
table's partitions for this month and the next ``MONTHS_AHEAD`` (``adapters.partitions``),
so rows never wait for a month to exist. SIGTERM or SIGINT: the
batch in hand is finished and committed, then it exits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import psycopg2
import redis
from kafka.errors import KafkaError

from services.analytics.adapters.partitions import PostgresMonths
from services.analytics.adapters.postgres import Database
from services.analytics.adapters.purge import PostgresPersonalData
from services.analytics.adapters.redis import ScoresCache
from services.analytics.adapters.text_keys import PostgresTextKeys, rekey_feedback
from services.analytics.config import AnalyticsConfig
from services.analytics.domain import RankingPolicy, hour_of
from services.analytics.ports import FeedbackMonths, TextKeyStore
from services.analytics.usecases import Deps, process_batch, rebuild, refresh_moved
from services.analytics.usecases.purge import PersonalDataStore, purge_personal_data
from shared import db, logs
from shared.acked_sender import AckedSender, SendFailed
from shared.consumer import (
    ConsumerBroker,
    ConsumerLoop,
    Health,
    LoopSettings,
    Periodic,
    Record,
    RetryPolicy,
    StepResult,
)
from shared.consumer.health import HealthReporter
from shared.consumer.kafka_broker import KafkaBroker
from shared.consumer.signals import stop_on_signals
from shared.redis_io import redis_client
from shared.sealing import Opener

logger = logging.getLogger(__name__)
MONTHS_AHEAD = 2  # partitions made before their month begins (the default one takes the rest)
TRANSIENT = (
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
    KafkaError,
    SendFailed,
)


def build_deps(config: AnalyticsConfig, **overrides: Any) -> Deps:
    """The real adapters; none connects before first use."""
    client = redis_client(config.connections.redis_url, timeout_s=5.0)
    deps = Deps(
        database=Database(config.connections.database_url),
        cache=ScoresCache(client, config.redis_prefix),
        publisher=AckedSender(
            config.connections.kafka_bootstrap_servers, timeout_s=10.0, client_id="analytics"
        ),
        policy=RankingPolicy(config.ranking_prior_weight, config.ranking_min_count),
        scores_topic=config.scores_topic,
        retry=RetryPolicy(TRANSIENT, threading.Event(), config.retry_max_pause_s),
        opener=Opener.from_setting(config.seal_keys),
    )
    return replace(deps, **overrides)


def kafka_broker(config: AnalyticsConfig) -> KafkaBroker:
    return KafkaBroker(
        config.connections.kafka_bootstrap_servers,
        group_id=config.group_id,
        topics=[config.feedback_topic],
        client_id="analytics",
        max_poll_records=config.batch_max_events,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )


class FeedbackWorker:
    """One member of the consumer group; ``run`` until ``deps.retry.stopping`` is set."""

    def __init__(
        self,
        config: AnalyticsConfig,
        deps: Deps,
        broker: ConsumerBroker | None = None,
        health: Health | None = None,
        personal: PersonalDataStore | None = None,
        text_keys: TextKeyStore | None = None,
        months: FeedbackMonths | None = None,
    ) -> None:
        self.config, self.deps = config, deps
        self.personal = personal or PostgresPersonalData(
            config.connections.database_url, config.group_id
        )
        self.text_keys = text_keys or PostgresTextKeys(config.connections.database_url)
        self.months = months or PostgresMonths(config.connections.database_url)
        self.stopping = deps.retry.stopping
        self.health = health or HealthReporter(
            lambda: db.connect(config.connections.database_url, application_name="analytics"),
            config.group_id,
        )
        self._refreshed_at: datetime | None = None
        self.loop = ConsumerLoop(
            broker or kafka_broker(config), self.step, deps.publisher, deps.retry,
            LoopSettings(config.dlq_topic, config.batch_max_events, config.batch_max_seconds),
            health=self.health,
            periodic=[
                Periodic("refresh", config.refresh_every_s, self.refresh),
                Periodic("purge", config.purge_every_s, self.purge),
                Periodic("partitions", config.purge_every_s, self.partitions),
                Periodic("text keys", config.rekey_every_s, self.rekey),
            ],
        )  # fmt: skip

    def step(self, records: Sequence[Record]) -> StepResult:
        return process_batch(self.deps, records)

    def refresh(self) -> None:
        """At start, and whenever Redis lost its data, every station; otherwise the
        stations whose windows moved since the last refresh."""
        now = self.deps.clock()
        if self._refreshed_at is None or not self.deps.cache.is_built():
            rebuild(self.deps)
        elif hour_of(now) != hour_of(self._refreshed_at):
            refresh_moved(self.deps, self._refreshed_at, now)
        self._refreshed_at = now

    def purge(self) -> None:
        """Names and numbers past the retention period, a bounded number of batches."""
        c = self.config
        purge_personal_data(
            self.personal, self.deps.clock, c.retention_days,
            batch_rows=c.purge_batch_rows, max_batches=c.purge_max_batches,
        )  # fmt: skip

    def partitions(self) -> None:
        """The feedback table's partitions for this month and the next ``MONTHS_AHEAD``."""
        self.months.ensure_ahead(self.deps.clock().date(), MONTHS_AHEAD)

    def rekey(self) -> None:
        """Officer and comment keys for feedback stored before them or under older rules
        (``shared.textkeys.KEY_VERSION``), a bounded number of batches a run."""
        c = self.config
        rekey_feedback(self.text_keys, c.rekey_batch_rows, c.rekey_max_batches)

    def run_once(self, *, commit: bool = True) -> int:
        """One batch (maybe empty) processed and, unless told otherwise, committed."""
        return self.loop.run_once(commit=commit)

    def run(self) -> None:
        try:
            self.loop.run()
        finally:
            self.close()

    def close(self) -> None:
        self.loop.broker.close()
        self.deps.publisher.close()
        self.deps.database.close()
        self.health.close()
        self.personal.close()
        self.text_keys.close()
        self.months.close()


def run(config: AnalyticsConfig) -> None:
    deps = build_deps(config)
    stop_on_signals(deps.retry.stopping)
    worker = FeedbackWorker(config, deps)
    logger.info("analytics consumer started", extra={"topic": config.feedback_topic})
    worker.run()
    logger.info("analytics consumer stopped")


def main() -> None:
    config = AnalyticsConfig.from_env()
    logs.configure_logging("analytics-consumer", config.log_level)
    run(config)


if __name__ == "__main__":
    main()
