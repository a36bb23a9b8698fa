"""The two kinds of message a worker handles: a record it consumed, a message it sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

Headers = Sequence[tuple[str, bytes]]


class Record(Protocol):
    """A consumed record, as kafka-python's ``ConsumerRecord`` and the in-memory broker's
    ``StoredRecord`` both have it."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Headers: ...


@dataclass(frozen=True)
class StoredRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()


@dataclass(frozen=True)
class Message:
    """One record to send: ``topic``, ``key``, ``value`` and its own headers."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def next_offsets(records: Sequence[Record]) -> dict[tuple[str, int], int]:
    """(topic, partition) -> the offset to commit after ``records``: one past the highest."""
    offsets: dict[tuple[str, int], int] = {}
    for record in records:
        where = (record.topic, record.partition)
        offsets[where] = max(offsets.get(where, 0), record.offset + 1)
    return offsets
