"""What a worker needs of a broker: the consuming side and the sending side.

Two implementations of each: Kafka (``shared.consumer.kafka_broker`` and
``shared.acked_sender.AckedSender``) and an in-memory broker (``shared.consumer.memory``)
for tests of a consumer's logic without Kafka.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from shared.consumer.records import Message, Record


class CommitRefused(Exception):
    """The offsets were not stored: the group rebalanced under the consumer (its partitions
    went to another member), or Kafka did not answer in time. The records may be read again,
    so every step must be idempotent."""


class ConsumerBroker(Protocol):
    def poll(self, timeout_s: float, max_records: int) -> list[Record]:
        """Up to ``max_records`` records, waiting at most ``timeout_s`` for the first."""

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """Store the group's offsets, (topic, partition) -> next offset; CommitRefused after
        a rebalance."""

    def lag(self) -> int | None:
        """Records in the assigned partitions not read yet (None: unknown just now)."""

    def take_lost(self) -> set[tuple[str, int]]:
        """The partitions this member lost to a rebalance since the last call (or is losing:
        revoked, the new assignment not known yet). Records of them already in hand may be
        processed (every step is idempotent), but their offsets must not be committed: the
        new owner commits its own, and an older commit from here would move it back."""

    def close(self) -> None: ...


class Producer(Protocol):
    def publish(self, messages: Sequence[Message]) -> None:
        """Return once the broker acknowledged every message; raise otherwise."""
