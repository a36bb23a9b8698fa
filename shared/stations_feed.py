"""The station registry as a stream: the ``StationChanged`` event on the compacted
``stations`` topic, and ``StationsFeed``, a reader that keeps an in-memory view of it.

The QR service publishes the full current record of a station, keyed by its code, after
every change (created, updated, rotated, deactivated) and once per station when the
installation starts ("announced"). Compaction keeps at least the last record per code, so a
reader that starts from the beginning of the topic learns the whole registry. A deactivated
station stays on the topic as a record with ``active: false`` rather than a Kafka tombstone
(a null value): a tombstone would let compaction forget the station, and readers would then
answer "unknown station" (404) instead of "this poster was replaced" (410), and the notifier
could no longer name the station of an old alert.

``revision`` grows with every change to a station (a database sequence), so a reader holding
two descriptions of one station, say one from the topic and one read from PostgreSQL, keeps
the higher revision.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from shared.events import STATION_CODE_PATTERN, InvalidEvent, StrictBoolean, decode_object

logger = logging.getLogger(__name__)
STATIONS_TOPIC = "stations"
CHANGES = ("announced", "created", "updated", "rotated", "deactivated")


@dataclass(frozen=True)
class Contact:
    """An officer the notifier may write to: the SHO, or a zone's ACP or DCP."""

    name: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class StationChanged:
    """The full current record of one station after a change."""

    SCHEMA_VERSION: ClassVar[int] = 1

    change: str
    code: str
    name_en: str
    name_hi: str
    zone: str
    active: bool
    qr_version: int
    revision: int
    kind: str = "police"
    address: str = ""
    sho: Contact = field(default_factory=Contact)
    acp: Contact = field(default_factory=Contact)
    dcp: Contact = field(default_factory=Contact)
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    schema_version: int = 1

    @property
    def key(self) -> bytes:
        return self.code.encode()

    def to_json(self) -> bytes:
        return json.dumps(StationChangedSchema().dump(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> StationChanged:
        """Parse a message value; InvalidEvent says why it cannot be used."""
        data = decode_object(raw, cls.SCHEMA_VERSION)
        try:
            return StationChangedSchema().load(data)
        except ValidationError as exc:
            raise InvalidEvent(f"schema: {exc.messages}") from None


class ContactSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True)
    mobile = fields.String(required=True)
    email = fields.String(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Contact:
        return Contact(**data)


class StationChangedSchema(Schema):
    class Meta:
        unknown = RAISE

    schema_version = fields.Integer(required=True, strict=True, validate=validate.Equal(1))
    change = fields.String(required=True, validate=validate.OneOf(CHANGES))
    code = fields.String(required=True, validate=validate.Regexp(STATION_CODE_PATTERN))
    name_en = fields.String(required=True)
    name_hi = fields.String(required=True)
    zone = fields.String(required=True)
    kind = fields.String(required=True)
    address = fields.String(required=True)
    active = StrictBoolean(required=True)
    qr_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    revision = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sho = fields.Nested(ContactSchema, required=True)
    acp = fields.Nested(ContactSchema, required=True)
    dcp = fields.Nested(ContactSchema, required=True)
    changed_at = fields.AwareDateTime(required=True, default_timezone=UTC)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> StationChanged:
        return StationChanged(**data)


def _consumer(bootstrap_servers: str, client_id: str) -> KafkaConsumer:
    # No group: every reader reads the whole topic for itself and commits nothing.
    return KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=5000,
        reconnect_backoff_max_ms=2000,
    )


class StationsFeed:
    """The registry as last read from the ``stations`` topic, kept current by a daemon thread.

    ``start()`` begins reading from the beginning of the topic (nothing connects before);
    ``get`` and ``stations`` answer from memory and never block on Kafka. Of two records for
    one station the higher revision wins, so replays and duplicates are harmless. A record
    that cannot be parsed is logged and skipped: this is a view, there is nothing to commit.
    If Kafka is unreachable the view stays as it was and the thread retries with a pause.
    ``on_change`` is called from the reader thread with each record that changed the view.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        on_change: Callable[[StationChanged], None] | None = None,
        poll_ms: int = 500,
        retry_s: float = 2.0,
        topic: str = STATIONS_TOPIC,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._on_change = on_change
        self._poll_ms = poll_ms
        self._retry_s = retry_s
        self._topic = topic
        self._lock = threading.Lock()
        self._stations: dict[str, StationChanged] = {}
        self._stop = threading.Event()
        self._caught_up = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the view --------------------------------------------------------------------------

    def apply(self, record: StationChanged) -> bool:
        """Take ``record`` into the view unless a record of a higher or equal revision is
        there already; True when the view changed."""
        with self._lock:
            held = self._stations.get(record.code)
            if held is not None and held.revision >= record.revision:
                return False
            self._stations[record.code] = record
        if self._on_change is not None:
            self._on_change(record)
        return True

    def get(self, code: str) -> StationChanged | None:
        with self._lock:
            return self._stations.get(code)

    def stations(self) -> dict[str, StationChanged]:
        """A copy of the whole view, by code."""
        with self._lock:
            return dict(self._stations)

    @property
    def caught_up(self) -> bool:
        """True once everything that was on the topic when reading began has been read."""
        return self._caught_up.is_set()

    def wait_caught_up(self, timeout_s: float) -> bool:
        return self._caught_up.wait(timeout_s)

    # -- the reader thread -----------------------------------------------------------------

    def start(self) -> None:
        """Start the reader thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name=f"stations-feed-{self._client_id}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read()
            except KafkaError:
                logger.warning("stations feed: Kafka unreachable, retrying", exc_info=True)
                self._stop.wait(self._retry_s)

    def _read(self) -> None:
        consumer = _consumer(self._bootstrap, self._client_id)
        try:
            partitions = consumer.partitions_for_topic(self._topic)
            if not partitions:
                logger.warning("stations feed: topic missing", extra={"topic": self._topic})
                self._stop.wait(self._retry_s)
                return
            assigned = [TopicPartition(self._topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            consumer.seek_to_beginning()
            ends = consumer.end_offsets(assigned)
            while not self._stop.is_set():
                for batch in consumer.poll(timeout_ms=self._poll_ms).values():
                    for message in batch:
                        self._take(message.value)
                if not self.caught_up and all(consumer.position(tp) >= ends[tp] for tp in ends):
                    self._caught_up.set()
                    logger.info("stations feed caught up", extra={"stations": len(self._stations)})
        finally:
            consumer.close()

    def _take(self, value: bytes | None) -> None:
        if value is None:
            return  # a true tombstone: we never write them; nothing to learn from one
        try:
            record = StationChanged.from_json(value)
        except InvalidEvent as exc:
            logger.warning("stations feed: unusable record skipped", extra={"reason": str(exc)})
            return
        self.apply(record)
