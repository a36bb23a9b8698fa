"""The Kafka side of ``ConsumerBroker``: a kafka-python consumer that commits only when told."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.consumer.broker import CommitRefused
from shared.consumer.records import Record
from shared.kafka_io import manual_consumer

logger = logging.getLogger(__name__)
LAG_BUDGET_S = 0.5


class KafkaBroker:
    """A member of ``group_id`` reading ``topics``. Connects when made (raises KafkaError when
    a topic does not exist): make it in ``run``, never at import."""

    def __init__(
        self, bootstrap_servers: str, *, group_id: str, topics: list[str], client_id: str,
        **overrides: Any,
    ) -> None:  # fmt: skip
        self.consumer: KafkaConsumer = manual_consumer(
            bootstrap_servers, group_id=group_id, topics=topics, client_id=client_id,
            # A member that died (SIGKILL, power) is replaced after 10 s rather than
            # kafka-python's 45 s: until then its restarted successor consumes nothing.
            session_timeout_ms=10_000, heartbeat_interval_ms=3_000, **overrides,
        )  # fmt: skip

    def poll(self, timeout_s: float, max_records: int) -> list[Record]:
        polled = self.consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        return [record for records in polled.values() for record in records]

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        try:
            self.consumer.commit(
                {
                    TopicPartition(t, p): OffsetAndMetadata(o, "", -1)
                    for (t, p), o in offsets.items()
                }
            )
        except CommitFailedError as refused:
            raise CommitRefused(str(refused)) from refused

    def lag(self) -> int | None:
        """Records not read yet in the assigned partitions; None when Kafka cannot say
        within LAG_BUDGET_S. Bounded on purpose: without a timeout ``position`` waits for
        the group coordinator for ever, and a worker reporting its lag while Kafka is down
        would never process again."""
        deadline = time.monotonic() + LAG_BUDGET_S
        total = 0
        try:
            for tp in self.consumer.assignment():
                high = self.consumer.highwater(tp)  # from the last fetch: no request
                left_ms = int((deadline - time.monotonic()) * 1000)
                if high is None or left_ms <= 0:
                    return None
                position = self.consumer.position(tp, timeout_ms=left_ms)
                if position is None:
                    return None
                total += max(0, high - position)
        except KafkaError:
            logger.warning("consumer lag unknown", exc_info=True)
            return None
        return total

    def close(self) -> None:
        self.consumer.close(autocommit=False)
