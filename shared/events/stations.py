"""The station registry's record, ``Station``, and the ``StationChanged`` event that carries
it on the compacted ``stations`` topic.

The registry's owner publishes the full current record of a station, keyed by its code,
after every change (created, updated, rotated, deactivated) and once per station when the
installation starts ("announced"). Compaction keeps at least the last record per
code, so a reader that starts from the beginning of the topic learns the whole registry. A
deactivated station stays on the topic as a record with ``active: false`` rather than a Kafka
tombstone (a null value): a tombstone would let compaction forget the station, and readers
would then answer "unknown station" (404) instead of "this poster was replaced" (410), and
could no longer name the station of an old alert.

``revision`` grows with every change to a station (a database sequence), so a reader holding
two descriptions of one station keeps the higher revision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, post_load, validate
from marshmallow import fields as schema_fields

from shared.events.envelope import STATION_CODE_PATTERN, FullMatch, StrictBoolean, load_event

CHANGES = ("announced", "created", "updated", "rotated", "deactivated")
ROLES = ("sho", "acp", "dcp")


@dataclass(frozen=True)
class Contact:
    """An officer who may be written to: the SHO, or a zone's ACP or DCP. Personal data:
    kept out of reprs, so out of log lines."""

    name: str = field(default="", repr=False)
    mobile: str = field(default="", repr=False)
    email: str = field(default="", repr=False)


@dataclass(frozen=True)
class Station:
    """A police station as the registry describes it.

    Every reader needs the first six fields (is a code current, what is the station called).
    The contacts are empty where the reader has no use for them: ``acp`` and ``dcp`` are the
    station's zone's, filled in on the topic's record; ``updated_at`` is known only to the
    registry's own rows.
    """

    code: str
    name_en: str
    name_hi: str
    zone: str
    active: bool = True
    qr_version: int = 1
    revision: int = 0
    kind: str = "police"
    address: str = ""
    sho: Contact = field(default_factory=Contact)
    acp: Contact = field(default_factory=Contact)
    dcp: Contact = field(default_factory=Contact)
    updated_at: datetime | None = None

    @property
    def officers(self) -> dict[str, Contact]:
        """The officers by role ("sho", "acp", "dcp")."""
        return {role: getattr(self, role) for role in ROLES}


_STATION_FIELDS = tuple(f.name for f in fields(Station))


@dataclass(frozen=True, kw_only=True)
class StationChanged(Station):
    """The full current record of one station after ``change``."""

    SCHEMA_VERSION: ClassVar[int] = 1

    change: str
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    schema_version: int = 1

    @classmethod
    def of(cls, change: str, station: Station) -> StationChanged:
        """The record of ``station`` after ``change`` (its ``updated_at`` stays behind: the
        record says when it was published, as ``changed_at``)."""
        values = {name: getattr(station, name) for name in _STATION_FIELDS}
        values.pop("updated_at")
        return cls(change=change, **values)

    @property
    def station(self) -> Station:
        """The station this record describes, without the event's own fields."""
        return Station(**{name: getattr(self, name) for name in _STATION_FIELDS})

    @property
    def key(self) -> bytes:
        return self.code.encode()

    def to_json(self) -> bytes:
        return json.dumps(_SCHEMA.dump(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> StationChanged:
        """Parse a message value; InvalidEvent says why it cannot be used."""
        record: StationChanged = load_event(_SCHEMA, raw, cls.SCHEMA_VERSION)
        return record


class ContactSchema(Schema):
    class Meta:
        unknown = RAISE

    name = schema_fields.String(required=True)
    mobile = schema_fields.String(required=True)
    email = schema_fields.String(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Contact:
        return Contact(**data)


class StationChangedSchema(Schema):
    class Meta:
        unknown = RAISE

    schema_version = schema_fields.Integer(required=True, strict=True, validate=validate.Equal(1))
    change = schema_fields.String(required=True, validate=validate.OneOf(CHANGES))
    code = schema_fields.String(required=True, validate=FullMatch(STATION_CODE_PATTERN))
    name_en = schema_fields.String(required=True)
    name_hi = schema_fields.String(required=True)
    zone = schema_fields.String(required=True)
    kind = schema_fields.String(required=True)
    address = schema_fields.String(required=True)
    active = StrictBoolean(required=True)
    qr_version = schema_fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    revision = schema_fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sho = schema_fields.Nested(ContactSchema, required=True)
    acp = schema_fields.Nested(ContactSchema, required=True)
    dcp = schema_fields.Nested(ContactSchema, required=True)
    changed_at = schema_fields.AwareDateTime(required=True, default_timezone=UTC)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> StationChanged:
        return StationChanged(**data)


_SCHEMA = StationChangedSchema()
