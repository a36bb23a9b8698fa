"""``FeedbackSubmitted``: a visitor's feedback, once the form or the API has accepted it.

Keyed by station code, so one station's feedback stays in order on one partition. The
visitor's name and mobile number are not on the wire in clear: they travel ``sealed`` for
the analytics consumer alone (``shared.sealing``); the keyed hash of the number stays outside
the box, for de-duplication and the abuse limits.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, fields, post_load, validate

from shared.complaint_types import COMPLAINT_TYPES
from shared.events.envelope import STATION_CODE_PATTERN, FullMatch, StrictBoolean, load_event


@dataclass(frozen=True)
class Personal:
    """A visitor's name and mobile number, in clear: what goes into a sealed box and what
    the analytics consumer stores apart from the facts. Never logged."""

    mobile: str
    name: str | None = None


@dataclass(frozen=True)
class Sealed:
    """The personal part as it travels: a sealed box (base64) and the id of the key it was
    sealed for."""

    kid: str
    box: str


@dataclass(frozen=True)
class FeedbackSubmitted:
    """A visitor's feedback, as accepted, with the name and number ``sealed``.

    Version 2: version 1 carried ``name`` and ``mobile`` in clear."""

    SCHEMA_VERSION: ClassVar[int] = 2

    station_code: str
    qr_version: int
    rating: int
    sealed: Sealed
    mobile_hash: str
    complaint_type: str
    staff_available: bool
    staff_helped: bool
    problem_resolved: bool
    language: str = "hi"
    complaint_date: date | None = None
    officer_name: str | None = None
    comments: str | None = None
    cleanliness: int | None = None
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    submitted_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    schema_version: int = 2

    @property
    def key(self) -> bytes:
        return self.station_code.encode()

    def to_json(self) -> bytes:
        """UTF-8 JSON (Hindi kept as it is). Written by hand rather than through the schema:
        this runs once per accepted feedback, and ``from_json`` checks the result."""
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "event_id": str(self.event_id),
                "submitted_at": self.submitted_at.astimezone(UTC).isoformat(),
                "station_code": self.station_code,
                "qr_version": self.qr_version,
                "rating": self.rating,
                "sealed": {"kid": self.sealed.kid, "box": self.sealed.box},
                "mobile_hash": self.mobile_hash,
                "complaint_date": self.complaint_date.isoformat() if self.complaint_date else None,
                "complaint_type": self.complaint_type,
                "officer_name": self.officer_name,
                "comments": self.comments,
                "cleanliness": self.cleanliness,
                "staff_available": self.staff_available,
                "staff_helped": self.staff_helped,
                "problem_resolved": self.problem_resolved,
                "language": self.language,
            },
            ensure_ascii=False,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> FeedbackSubmitted:
        """Parse a message value; InvalidEvent says why it cannot be processed."""
        event: FeedbackSubmitted = load_event(_SCHEMA, raw, cls.SCHEMA_VERSION)
        return event

    def facts(self) -> dict[str, Any]:
        """Everything but the personal data (the box)."""
        data = asdict(self)
        data.pop("sealed")
        return data


class SealedSchema(Schema):
    class Meta:
        unknown = RAISE

    kid = fields.String(required=True, validate=FullMatch(r"^[A-Za-z0-9_-]{1,32}$"))
    # A name of 100 characters (4 bytes each at most) and a number, sealed, in base64.
    box = fields.String(
        required=True, validate=[validate.Length(1, 1024), FullMatch(r"^[A-Za-z0-9+/]+={0,2}$")]
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Sealed:
        return Sealed(**data)


class FeedbackSubmittedSchema(Schema):
    class Meta:
        unknown = RAISE

    schema_version = fields.Integer(required=True, strict=True, validate=validate.Equal(2))
    event_id = fields.UUID(required=True)
    submitted_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    station_code = fields.String(required=True, validate=FullMatch(STATION_CODE_PATTERN))
    qr_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    rating = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    sealed = fields.Nested(SealedSchema, required=True)
    mobile_hash = fields.String(required=True, validate=FullMatch(r"^[0-9a-f]{64}$"))
    complaint_date = fields.Date(load_default=None, allow_none=True)
    complaint_type = fields.String(required=True, validate=validate.OneOf(list(COMPLAINT_TYPES)))
    officer_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100)
    )
    comments = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    cleanliness = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 5)
    )
    staff_available = StrictBoolean(required=True)
    staff_helped = StrictBoolean(required=True)
    problem_resolved = StrictBoolean(required=True)
    language = fields.String(required=True, validate=validate.OneOf(["hi", "en"]))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FeedbackSubmitted:
        return FeedbackSubmitted(**data)


_SCHEMA = FeedbackSubmittedSchema()
