"""Property-based tests of every schema a message or request passes through: whatever bytes
or JSON arrive, the only failure is the schema's own refusal, never a crash; and every valid
event survives the trip through JSON unchanged."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.qr.schemas import RotationSchema, StationChangesSchema, StationSchema
from shared.complaint_types import COMPLAINT_TYPES
from shared.events import (
    FeedbackSubmitted,
    InvalidEvent,
    Sealed,
    StationChanged,
    StationScoresUpdated,
)
from shared.scores import WINDOWS, WindowStats

SETTINGS = settings(
    max_examples=150, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
# Objects with the schemas' own field names, so generated input reaches the field checks.
FIELD_NAMES = st.sampled_from(
    ["schema_version", "event_id", "submitted_at", "station_code", "qr_version", "rating",
     "mobile", "mobile_hash", "complaint_type", "staff_available", "staff_helped",
     "problem_resolved", "language", "name", "code", "name_en", "name_hi", "zone", "active",
     "sho_mobile", "sho_email", "windows", "computed_at", "revision", "reason"]
)  # fmt: skip
objects = st.dictionaries(FIELD_NAMES | st.text(max_size=8), json_values, max_size=12)


@SETTINGS
@given(raw=st.binary(max_size=300) | objects.map(lambda o: json.dumps(o).encode()))
def test_any_message_is_either_an_event_or_refused_as_invalid(raw):
    for event_type in (FeedbackSubmitted, StationScoresUpdated, StationChanged):
        try:
            event = event_type.from_json(raw)
        except InvalidEvent:
            continue
        assert isinstance(event, event_type)


@SETTINGS
@given(body=objects | json_values)
def test_any_registry_request_body_is_either_loaded_or_refused_per_field(body):
    for schema in (StationSchema(), StationChangesSchema(), RotationSchema()):
        try:
            loaded = schema.load(body)
        except ValidationError as refused:
            assert refused.messages  # says what is wrong
            continue
        assert isinstance(loaded, dict)


feedback_events = st.builds(
    FeedbackSubmitted,
    station_code=st.from_regex(r"[A-Z0-9-]{1,32}", fullmatch=True),
    qr_version=st.integers(1, 10_000),
    rating=st.integers(1, 5),
    sealed=st.builds(
        Sealed,
        kid=st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True),
        box=st.binary(min_size=1, max_size=700).map(lambda b: base64.b64encode(b).decode()),
    ),
    mobile_hash=st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    complaint_type=st.sampled_from(list(COMPLAINT_TYPES)),
    staff_available=st.booleans(),
    staff_helped=st.booleans(),
    problem_resolved=st.booleans(),
    language=st.sampled_from(["hi", "en"]),
    complaint_date=st.none() | st.dates(),
    officer_name=st.none() | st.text(max_size=100),
    comments=st.none() | st.text(max_size=2000),
    cleanliness=st.none() | st.integers(1, 5),
    event_id=st.uuids(version=4),
    submitted_at=st.datetimes(timezones=st.just(UTC)),
)


@SETTINGS
@given(event=feedback_events)
def test_every_valid_feedback_event_comes_back_unchanged_from_json(event):
    assert FeedbackSubmitted.from_json(event.to_json()) == event


window_stats = st.builds(
    WindowStats, *(st.integers(0, 10**6) for _ in range(8))
)  # fmt: skip


@SETTINGS
@given(
    windows=st.dictionaries(st.sampled_from([*WINDOWS, "baseline_30d"]), window_stats),
    offset_minutes=st.integers(-720, 720),
)
def test_every_scores_event_comes_back_unchanged_from_json(windows, offset_minutes):
    computed_at = datetime(2026, 3, 27, 10, 0, tzinfo=UTC) + timedelta(minutes=offset_minutes)
    event = StationScoresUpdated("GGN-SADAR", computed_at, windows, event_id=uuid.uuid4())
    assert StationScoresUpdated.from_json(event.to_json()) == event
