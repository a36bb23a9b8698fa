"""An in-memory broker: topics with partitions, records keyed to a partition, a consumer
group's committed offsets, a producer. It lets a consumer's logic be tested without Kafka
(arroyo's ``backends/local``); it is not a Kafka: one process, every member of a group reads
every partition until a test takes some away (``MemoryConsumer.lose``, a rebalance acted
out).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Mapping, Sequence

from shared.consumer.broker import CommitRefused
from shared.consumer.records import Message, Record, StoredRecord


class InMemoryBroker:
    def __init__(self) -> None:
        self.topics: dict[str, list[list[StoredRecord]]] = {}
        self.committed: dict[str, dict[tuple[str, int], int]] = {}
        self._round_robin = itertools.count()

    def create_topic(self, name: str, partitions: int = 1) -> None:
        self.topics.setdefault(name, [[] for _ in range(partitions)])

    def partition_for(self, topic: str, key: bytes | None) -> int:
        """Same key, same partition (what keeps a station's events in order)."""
        count = len(self._partitions(topic))
        if key is None:
            return next(self._round_robin) % count
        return zlib.crc32(key) % count

    def publish(self, messages: Sequence[Message]) -> None:
        """The producer side: every message appended, as if acknowledged."""
        for message in messages:
            partition = self.partition_for(message.topic, message.key)
            log = self._partitions(message.topic)[partition]
            log.append(StoredRecord(
                message.topic, partition, len(log), message.key, message.value,
                tuple(message.headers),
            ))  # fmt: skip

    def close(self) -> None:
        """The producer side's close: nothing to release."""

    def records(self, topic: str) -> list[StoredRecord]:
        """Every record of ``topic``, partition by partition."""
        return [r for log in self._partitions(topic) for r in log]

    def end_offsets(self, topic: str) -> dict[int, int]:
        return {p: len(log) for p, log in enumerate(self._partitions(topic))}

    def consumer(self, group: str, topics: Sequence[str]) -> MemoryConsumer:
        return MemoryConsumer(self, group, list(topics))

    def _partitions(self, topic: str) -> list[list[StoredRecord]]:
        if topic not in self.topics:
            raise KeyError(f"topic {topic} does not exist")
        return self.topics[topic]


class MemoryConsumer:
    """A ``ConsumerBroker`` over an ``InMemoryBroker``: reads from the group's committed
    offsets on, commits when told. ``refuse_commits`` acts out a rebalance."""

    def __init__(self, broker: InMemoryBroker, group: str, topics: list[str]) -> None:
        self.broker, self.group = broker, group
        committed = broker.committed.setdefault(group, {})
        self.positions = {
            (topic, p): committed.get((topic, p), 0)
            for topic in topics
            for p in range(len(broker.topics[topic]))
        }
        self.refuse_commits = False
        self.closed = False
        self._lost: set[tuple[str, int]] = set()

    def lose(self, *partitions: tuple[str, int]) -> None:
        """A rebalance gave these partitions to another member: no more records of them."""
        for where in partitions:
            self.positions.pop(where, None)
            self._lost.add(where)

    def take_lost(self) -> set[tuple[str, int]]:
        taken, self._lost = self._lost, set()
        return taken

    def poll(self, timeout_s: float, max_records: int) -> list[Record]:
        batch: list[Record] = []
        for (topic, partition), position in self.positions.items():
            taken = self.broker.topics[topic][partition][
                position : position + max_records - len(batch)
            ]
            batch.extend(taken)
            self.positions[(topic, partition)] = position + len(taken)
        return batch

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        if self.refuse_commits:
            raise CommitRefused("the group rebalanced")
        self.broker.committed[self.group].update(offsets)

    def lag(self) -> int:
        return sum(
            len(self.broker.topics[t][p]) - position for (t, p), position in self.positions.items()
        )

    def close(self) -> None:
        self.closed = True
