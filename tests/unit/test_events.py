"""The FeedbackSubmitted event on the wire: UTF-8 JSON, one schema version, strict parsing."""

import json
import random
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.events import FeedbackSubmitted, InvalidEvent
from shared.mobile import mobile_hash

HINDI_COMMENT = "थाने में कर्मचारियों ने बहुत मदद की"


def a_station_code() -> str:
    return f"GGN-TEST-{random.randrange(10**6):06d}"


def an_event(**changes: Any) -> FeedbackSubmitted:
    mobile = f"+919{random.randrange(10**9):09d}"
    fields: dict[str, Any] = {
        "station_code": a_station_code(),
        "qr_version": 2,
        "rating": 2,
        "mobile": mobile,
        "mobile_hash": mobile_hash(secrets.token_bytes(32), mobile),
        "complaint_type": "cyber_fraud",
        "staff_available": True,
        "staff_helped": False,
        "problem_resolved": False,
        "language": "hi",
        "name": "आशा देवी",
        "complaint_date": date(2025, 1, 15),
        "officer_name": "SI Verma",
        "comments": HINDI_COMMENT,
        "cleanliness": 3,
        "event_id": uuid.uuid4(),
        "submitted_at": datetime(2025, 1, 16, 4, 30, 15, 123456, tzinfo=UTC),
    }
    fields.update(changes)
    return FeedbackSubmitted(**fields)


def wire(event: FeedbackSubmitted, **changes: Any) -> bytes:
    data = json.loads(event.to_json())
    data.update(changes)
    return json.dumps(data).encode()


def test_an_event_read_back_from_its_json_equals_the_original() -> None:
    event = an_event()

    assert FeedbackSubmitted.from_json(event.to_json()) == event


def test_an_event_without_optional_fields_reads_back_equal() -> None:
    event = an_event(
        name=None, complaint_date=None, officer_name=None, comments=None, cleanliness=None
    )

    assert FeedbackSubmitted.from_json(event.to_json()) == event


def test_each_new_event_gets_its_own_id_and_an_aware_submission_time() -> None:
    first = an_event(event_id=uuid.uuid4())
    fields = {k: v for k, v in vars(first).items() if k not in ("event_id", "submitted_at")}

    one, two = FeedbackSubmitted(**fields), FeedbackSubmitted(**fields)

    assert one.event_id != two.event_id
    assert one.submitted_at.tzinfo is not None


def test_the_json_is_utf8_with_hindi_written_as_is() -> None:
    event = an_event()

    raw = event.to_json()

    assert isinstance(raw, bytes)
    assert HINDI_COMMENT.encode("utf-8") in raw
    assert b"\\u" not in raw
    assert json.loads(raw.decode("utf-8"))["comments"] == HINDI_COMMENT


def test_the_json_uses_the_contract_names_and_schema_version_1() -> None:
    event = an_event()

    data = json.loads(event.to_json())

    assert data["schema_version"] == 1
    assert data["event_id"] == str(event.event_id)
    assert data["station_code"] == event.station_code
    assert data["complaint_date"] == "2025-01-15"
    assert data["staff_available"] is True


def test_the_message_key_is_the_station_code_so_a_station_stays_on_one_partition() -> None:
    event = an_event()

    assert event.key == event.station_code.encode()


@pytest.mark.parametrize("raw", [b"not json", b"", b"\xff\xfe\x00", b"{", b"[]", b"42", b'"x"'])
def test_a_message_that_is_not_a_json_object_is_an_invalid_event(raw: bytes) -> None:
    with pytest.raises(InvalidEvent):
        FeedbackSubmitted.from_json(raw)


@pytest.mark.parametrize("version", [2, 0, "1", None, 1.5])
def test_a_message_of_an_unknown_schema_version_is_an_invalid_event(version: Any) -> None:
    with pytest.raises(InvalidEvent, match="schema_version"):
        FeedbackSubmitted.from_json(wire(an_event(), schema_version=version))


def test_a_message_without_a_schema_version_is_an_invalid_event() -> None:
    data = json.loads(an_event().to_json())
    del data["schema_version"]

    with pytest.raises(InvalidEvent, match="schema_version"):
        FeedbackSubmitted.from_json(json.dumps(data).encode())


@pytest.mark.parametrize("field", ["event_id", "station_code", "rating", "mobile", "mobile_hash"])
def test_a_message_missing_a_required_field_is_an_invalid_event(field: str) -> None:
    data = json.loads(an_event().to_json())
    del data[field]

    with pytest.raises(InvalidEvent, match=field):
        FeedbackSubmitted.from_json(json.dumps(data).encode())


def test_a_message_with_an_extra_field_is_an_invalid_event() -> None:
    with pytest.raises(InvalidEvent, match="email"):
        FeedbackSubmitted.from_json(wire(an_event(), email="someone@example.invalid"))


@pytest.mark.parametrize("mobile", ["9812345678", "+915812345678", "+91 98123 45678", ""])
def test_a_message_with_a_mobile_not_in_e164_is_an_invalid_event(mobile: str) -> None:
    with pytest.raises(InvalidEvent, match="mobile"):
        FeedbackSubmitted.from_json(wire(an_event(), mobile=mobile))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", 6),
        ("rating", "5"),
        ("complaint_type", "robbery"),
        ("language", "fr"),
        ("station_code", "ggn-sadar"),
        ("submitted_at", "yesterday"),
        ("mobile_hash", "not-a-hash"),
        ("staff_helped", "yes"),
    ],
)
def test_a_message_with_a_value_outside_the_contract_is_an_invalid_event(
    field: str, value: Any
) -> None:
    with pytest.raises(InvalidEvent, match=field):
        FeedbackSubmitted.from_json(wire(an_event(), **{field: value}))


def test_the_facts_of_an_event_hold_no_name_or_mobile() -> None:
    event = an_event(name="Kamla Devi")

    facts = event.facts()

    assert "name" not in facts
    assert "mobile" not in facts
    flat = json.dumps(facts, default=str, ensure_ascii=False)
    assert "Kamla" not in flat
    assert event.mobile not in flat
    assert event.mobile[3:] not in flat


def test_the_facts_of_an_event_keep_everything_analysts_need() -> None:
    event = an_event()

    facts = event.facts()

    assert facts["station_code"] == event.station_code
    assert facts["rating"] == event.rating
    assert facts["event_id"] == event.event_id
    assert facts["mobile_hash"] == event.mobile_hash
    assert facts["comments"] == HINDI_COMMENT
