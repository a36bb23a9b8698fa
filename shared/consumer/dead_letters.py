"""The one dead-letter envelope of every worker: the original key and value unchanged, why
and where from in headers (``dlq.reason``, ``dlq.origin.topic``, ``dlq.origin.partition``,
``dlq.origin.offset``)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.consumer.records import Message, Record


@dataclass(frozen=True)
class Invalid:
    """A record that can never be processed, and why (house style 7)."""

    record: Record
    reason: str


def envelope(topic: str, invalid: Invalid) -> Message:
    record = invalid.record
    return Message(
        topic,
        record.key,
        record.value if record.value is not None else b"",
        [
            ("dlq.reason", invalid.reason.encode()[:1000]),
            ("dlq.origin.topic", record.topic.encode()),
            ("dlq.origin.partition", str(record.partition).encode()),
            ("dlq.origin.offset", str(record.offset).encode()),
        ],
    )


def reason_kind(reason: str) -> str:
    """A low-cardinality label for a dead-letter reason (the metrics' ``reason``)."""
    for prefix, kind in (
        ("not JSON", "not_json"),
        ("not a JSON object", "not_json"),
        ("unknown schema_version", "unknown_version"),
        ("schema", "schema"),
        ("unknown station", "unknown_station"),
        ("sealed personal data", "sealed"),
    ):
        if reason.startswith(prefix):
            return kind
    return "other"
