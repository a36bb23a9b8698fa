"""The events services exchange over Kafka: one definition, used by producers and consumers.

An event is a frozen dataclass with a marshmallow schema and a schema version. On the wire it
is UTF-8 JSON; the station code is the message key, so one station's events stay in order on
one partition. Which topic carries which event is in ``shared.topics``.

- ``envelope``: what all events share (the JSON object, the schema version, InvalidEvent);
- ``feedback``: ``FeedbackSubmitted`` and its sealed personal part;
- ``scores``: ``StationScoresUpdated``;
- ``stations``: the registry's ``Station`` and the ``StationChanged`` event.
"""

from shared.events.envelope import (
    STATION_CODE_PATTERN,
    FullMatch,
    InvalidEvent,
    StrictBoolean,
)
from shared.events.feedback import FeedbackSubmitted, FeedbackSubmittedSchema, Personal, Sealed
from shared.events.scores import StationScoresUpdated, StationScoresUpdatedSchema
from shared.events.stations import Contact, Station, StationChanged, StationChangedSchema

__all__ = [
    "STATION_CODE_PATTERN",
    "Contact",
    "FeedbackSubmitted",
    "FeedbackSubmittedSchema",
    "FullMatch",
    "InvalidEvent",
    "Personal",
    "Sealed",
    "Station",
    "StationChanged",
    "StationChangedSchema",
    "StationScoresUpdated",
    "StationScoresUpdatedSchema",
    "StrictBoolean",
]
