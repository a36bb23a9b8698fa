"""``StationScoresUpdated``: a station's windows as recomputed, keyed by station code."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, fields, post_load, validate

from shared.events.envelope import STATION_CODE_PATTERN, FullMatch, InvalidEvent, load_event
from shared.scores import WindowStats


@dataclass(frozen=True)
class StationScoresUpdated:
    """A station's windows as recomputed at ``computed_at``. Later events supersede earlier
    ones for the same station (the topic is keyed by station code)."""

    SCHEMA_VERSION: ClassVar[int] = 1

    station_code: str
    computed_at: datetime
    windows: dict[str, WindowStats]
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    schema_version: int = 1

    @property
    def key(self) -> bytes:
        return self.station_code.encode()

    def to_json(self) -> bytes:
        """Written by hand, like the feedback event's: once per station and batch, and
        ``from_json`` checks the result."""
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "event_id": str(self.event_id),
                "station_code": self.station_code,
                "computed_at": self.computed_at.astimezone(UTC).isoformat(),
                "windows": {name: asdict(stats) for name, stats in self.windows.items()},
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> StationScoresUpdated:
        """Parse a message value; InvalidEvent says why it cannot be processed (the reason
        begins "not a station scores event", as dead letters have always said)."""
        try:
            event: StationScoresUpdated = load_event(_SCHEMA, raw, cls.SCHEMA_VERSION)
        except InvalidEvent as exc:
            raise InvalidEvent(f"not a station scores event: {exc}") from None
        return event


def _sum(**kwargs: Any) -> fields.Integer:
    # A window may leave out a sum that is zero.
    return fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0), **kwargs)


class WindowStatsSchema(Schema):
    class Meta:
        unknown = RAISE

    count = _sum()
    rating_sum = _sum()
    low_ratings = _sum()
    unresolved = _sum()
    staff_available = _sum()
    staff_helped = _sum()
    cleanliness_sum = _sum()
    cleanliness_count = _sum()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> WindowStats:
        return WindowStats(**data)


class StationScoresUpdatedSchema(Schema):
    class Meta:
        unknown = RAISE

    schema_version = fields.Integer(required=True, strict=True, validate=validate.Equal(1))
    event_id = fields.UUID(required=True)
    station_code = fields.String(required=True, validate=FullMatch(STATION_CODE_PATTERN))
    computed_at = fields.AwareDateTime(required=True)
    windows = fields.Dict(
        keys=fields.String(), values=fields.Nested(WindowStatsSchema), required=True
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> StationScoresUpdated:
        return StationScoresUpdated(**data)


_SCHEMA = StationScoresUpdatedSchema()
