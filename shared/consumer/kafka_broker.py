"""The Kafka side of ``ConsumerBroker``: a kafka-python consumer that commits only when told."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaConnectionError, KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.consumer.broker import CommitRefused
from shared.consumer.records import Record
from shared.kafka_io import manual_consumer

logger = logging.getLogger(__name__)
# A commit Kafka does not answer in time is given up (the records may be read again): the
# loop must not wait on it for ever.
COMMIT_TIMEOUT_MS = 30_000


class LostPartitions(ConsumerRebalanceListener):
    """Which partitions a rebalance took away. Kafka revokes (under the eager protocol,
    every partition) and then assigns; kafka-python keeps the position of a partition that
    comes back, so only one revoked and not assigned again is lost. Called on the consumer's
    own thread, inside ``poll``."""

    def __init__(self) -> None:
        self.pending: set[tuple[str, int]] = set()
        self.lost: set[tuple[str, int]] = set()

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.pending |= {(tp.topic, tp.partition) for tp in revoked}

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.lost |= self.pending - {(tp.topic, tp.partition) for tp in assigned}
        self.pending = set()

    def take(self) -> set[tuple[str, int]]:
        """Lost since the last call, and the revoked ones not known yet to come back."""
        taken = self.lost | self.pending
        self.lost = set()
        return taken


class KafkaBroker:
    """A member of ``group_id`` reading ``topics``. Connects when made (raises KafkaError when
    a topic does not exist): make it in ``run``, never at import."""

    def __init__(
        self, bootstrap_servers: str, *, group_id: str, topics: list[str], client_id: str,
        **overrides: Any,
    ) -> None:  # fmt: skip
        self._lost = LostPartitions()
        self.consumer: KafkaConsumer = manual_consumer(
            bootstrap_servers, group_id=group_id, topics=topics, client_id=client_id,
            listener=self._lost,
            # A member that died (SIGKILL, power) is replaced after 10 s rather than
            # kafka-python's 45 s: until then its restarted successor consumes nothing.
            session_timeout_ms=10_000, heartbeat_interval_ms=3_000, **overrides,
        )  # fmt: skip
        self._next: dict[tuple[str, int], int] = {}

    def poll(self, timeout_s: float, max_records: int) -> list[Record]:
        try:
            polled = self.consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        except KafkaConnectionError:
            # The broker of the group's coordinator died (a node of a cluster killed): the
            # consumer finds the new coordinator on its next poll. Nothing was read, so
            # nothing is lost; the process must not exit over it.
            logger.warning("Kafka connection lost while polling; polling again", exc_info=True)
            time.sleep(min(timeout_s, 0.5))
            return []
        records = [record for batch in polled.values() for record in batch]
        for record in records:
            self._next[(record.topic, record.partition)] = record.offset + 1
        return records

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        try:
            self.consumer.commit(
                {
                    TopicPartition(t, p): OffsetAndMetadata(o, "", -1)
                    for (t, p), o in offsets.items()
                },
                timeout_ms=COMMIT_TIMEOUT_MS,
            )
        except (CommitFailedError, KafkaTimeoutError) as refused:
            raise CommitRefused(str(refused)) from refused

    def take_lost(self) -> set[tuple[str, int]]:
        return self._lost.take()

    def lag(self) -> int | None:
        """Records not read yet in the assigned partitions, from what the consumer already
        knows: each partition's high watermark (from the last fetch) less the offset after
        the last record this broker handed out. No request to Kafka: asking (``position``,
        ``end_offsets``) can wait for the group coordinator for a long time while Kafka is
        down, and a worker that reports its lag must never stop processing for it. A
        partition not read from since it was assigned has nothing left to fetch once its
        high watermark is known (else the fetch would have brought records), so it counts
        0. None when Kafka's state cannot be read."""
        total = 0
        try:
            for tp in self.consumer.assignment():
                high = self.consumer.highwater(tp)
                if high is not None:
                    total += max(0, high - self._next.get((tp.topic, tp.partition), high))
        except KafkaError:
            logger.warning("consumer lag unknown", exc_info=True)
            return None
        return total

    def close(self) -> None:
        self.consumer.close(autocommit=False)
