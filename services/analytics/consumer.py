"""The analytics consumer: ``python -m services.analytics.consumer``.

Reads ``feedback.submitted`` as consumer group ``analytics`` in batches bounded by count and
time, hands each batch to ``usecases.process_batch`` and commits the batch's offsets only
after that returned (the batch is in PostgreSQL, Redis and on ``station.scores``). Once a
minute it checks whether the hour turned, and if so refreshes the stations whose windows
moved. SIGTERM or SIGINT: the batch in hand is finished and committed, then it exits.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime

from kafka import KafkaConsumer
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata, TopicPartition

from services.analytics.adapters import Database, Outbox
from services.analytics.cache import ScoresCache
from services.analytics.config import AnalyticsConfig
from services.analytics.domain import hour_of
from services.analytics.ranking import RankingPolicy
from services.analytics.telemetry import ConsumerTelemetry
from services.analytics.usecases import (
    Deps,
    Stopped,
    process_batch,
    rebuild,
    refresh_moved,
    retrying,
)
from shared import logs
from shared.kafka_io import manual_consumer
from shared.redis_io import redis_client

logger = logging.getLogger(__name__)


def build_deps(config: AnalyticsConfig, **overrides) -> Deps:
    """The real adapters; none connects before first use."""
    client = redis_client(config.connections.redis_url, timeout_s=5.0)
    deps = Deps(
        database=Database(config.connections.database_url),
        cache=ScoresCache(client, config.redis_prefix),
        outbox=Outbox(config.connections.kafka_bootstrap_servers),
        telemetry=ConsumerTelemetry(client, config.redis_prefix),
        policy=RankingPolicy(config.ranking_prior_weight, config.ranking_min_count),
        dlq_topic=config.dlq_topic,
        scores_topic=config.scores_topic,
        retry_max_pause_s=config.retry_max_pause_s,
    )
    for name, value in overrides.items():
        setattr(deps, name, value)
    return deps


class FeedbackConsumer:
    """One member of the consumer group; ``run`` until ``deps.stopping`` is set."""

    def __init__(
        self,
        config: AnalyticsConfig,
        deps: Deps,
        consumer_factory: Callable[[], KafkaConsumer] | None = None,
    ) -> None:
        self.config = config
        self.deps = deps
        self.consumer = (consumer_factory or self._consumer)()
        self._refreshed_at: datetime | None = None
        self._next_refresh = 0.0

    def _consumer(self) -> KafkaConsumer:
        return manual_consumer(
            self.config.connections.kafka_bootstrap_servers,
            group_id=self.config.group_id,
            topics=[self.config.feedback_topic],
            client_id="analytics",
            max_poll_records=self.config.batch_max_events,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=8 * 1024 * 1024,
            # A consumer that died (SIGKILL, power) is replaced after 10 s rather than
            # kafka-python's 45 s: until then its restarted successor consumes nothing.
            session_timeout_ms=10_000,
            heartbeat_interval_ms=3_000,
        )

    def poll_batch(self) -> list:
        """Records until the batch is full or its time is up (the time starts with the first
        record, so an idle consumer waits in poll, not in a half-full batch)."""
        batch: list = []
        deadline = None
        while len(batch) < self.config.batch_max_events and not self.deps.stopping.is_set():
            wait = 0.5 if deadline is None else deadline - time.monotonic()
            if wait <= 0:
                break
            polled = self.consumer.poll(
                timeout_ms=int(wait * 1000), max_records=self.config.batch_max_events - len(batch)
            )
            for records in polled.values():
                batch.extend(records)
            if batch and deadline is None:
                deadline = time.monotonic() + self.config.batch_max_seconds
            if not polled and deadline is None:
                break
        return batch

    def commit(self, batch: list) -> None:
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in batch:
            tp = TopicPartition(record.topic, record.partition)
            if tp not in offsets or offsets[tp].offset <= record.offset:
                offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        if not offsets:
            return
        try:
            self.consumer.commit(offsets)
        except CommitFailedError:
            # The group rebalanced under us: the new owner gets these records again and
            # counts them once (inserts are idempotent).
            logger.warning("offset commit refused after a rebalance", exc_info=True)

    def run_once(self, *, commit: bool = True) -> int:
        """One batch (maybe empty) processed and, unless told otherwise, committed."""
        self.maybe_refresh()
        batch = self.poll_batch()
        if batch:
            process_batch(self.deps, batch)
            if commit:
                self.commit(batch)
        return len(batch)

    def maybe_refresh(self) -> None:
        """At start, and whenever Redis lost its data, every station; otherwise, once per
        ``refresh_every_s``, the stations whose windows moved since the last refresh."""
        if time.monotonic() < self._next_refresh:
            return
        now = self.deps.clock()
        if self._refreshed_at is None or not retrying(self.deps, "redis", self.deps.cache.is_built):
            rebuild(self.deps)
        elif hour_of(now) != hour_of(self._refreshed_at):
            refresh_moved(self.deps, self._refreshed_at, now)
        self._refreshed_at = now
        self._next_refresh = time.monotonic() + self.config.refresh_every_s

    def run(self) -> None:
        try:
            while not self.deps.stopping.is_set():
                self.run_once()
        except Stopped as stopped:
            logger.info(
                "stopped while retrying; nothing committed past it", extra={"step": str(stopped)}
            )
        finally:
            self.close()

    def close(self) -> None:
        self.consumer.close(autocommit=False)
        self.deps.outbox.close()
        self.deps.database.close()


def run(config: AnalyticsConfig) -> None:
    deps = build_deps(config)
    stopping = deps.stopping

    def stop(signum, frame) -> None:
        logger.info("stop requested", extra={"signal": signum})
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    consumer = FeedbackConsumer(config, deps)
    logger.info("analytics consumer started", extra={"topic": config.feedback_topic})
    consumer.run()
    logger.info("analytics consumer stopped")


def main() -> None:
    config = AnalyticsConfig.from_env()
    logs.configure_logging("analytics-consumer", config.log_level)
    run(config)


if __name__ == "__main__":
    main()
