"""The FeedbackSubmitted event on the wire: UTF-8 JSON, one schema version, strict parsing,
and the visitor's name and number only sealed."""

import json
import random
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.events import FeedbackSubmitted, InvalidEvent, Personal
from shared.mobile import mobile_hash
from shared.sealing import Opener, Sealer, generate

KEYS = generate("k1")
SEALER, OPENER = Sealer.from_setting(KEYS.public), Opener.from_setting(KEYS.private)

HINDI_COMMENT = "थाने में कर्मचारियों ने बहुत मदद की"


def a_station_code() -> str:
    return f"GGN-TEST-{random.randrange(10**6):06d}"


def an_event(name: str | None = "आशा देवी", **changes: Any) -> FeedbackSubmitted:
    mobile = changes.pop("mobile", f"+919{random.randrange(10**9):09d}")
    event_id = changes.pop("event_id", uuid.uuid4())
    fields: dict[str, Any] = {
        "station_code": a_station_code(),
        "qr_version": 2,
        "rating": 2,
        "sealed": SEALER.seal(Personal(mobile, name), event_id),
        "mobile_hash": mobile_hash(secrets.token_bytes(32), mobile),
        "complaint_type": "cyber_fraud",
        "staff_available": True,
        "staff_helped": False,
        "problem_resolved": False,
        "language": "hi",
        "complaint_date": date(2025, 1, 15),
        "officer_name": "SI Verma",
        "comments": HINDI_COMMENT,
        "cleanliness": 3,
        "event_id": event_id,
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


def test_the_json_uses_the_contract_names_and_schema_version_2() -> None:
    event = an_event()

    data = json.loads(event.to_json())

    assert data["schema_version"] == 2
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


@pytest.mark.parametrize("version", [1, 3, 0, "2", None, 2.5])
def test_a_message_of_an_unknown_schema_version_is_an_invalid_event(version: Any) -> None:
    with pytest.raises(InvalidEvent, match="schema_version"):
        FeedbackSubmitted.from_json(wire(an_event(), schema_version=version))


def test_a_message_without_a_schema_version_is_an_invalid_event() -> None:
    data = json.loads(an_event().to_json())
    del data["schema_version"]

    with pytest.raises(InvalidEvent, match="schema_version"):
        FeedbackSubmitted.from_json(json.dumps(data).encode())


@pytest.mark.parametrize("field", ["event_id", "station_code", "rating", "sealed", "mobile_hash"])
def test_a_message_missing_a_required_field_is_an_invalid_event(field: str) -> None:
    data = json.loads(an_event().to_json())
    del data[field]

    with pytest.raises(InvalidEvent, match=field):
        FeedbackSubmitted.from_json(json.dumps(data).encode())


def test_a_message_with_an_extra_field_is_an_invalid_event() -> None:
    with pytest.raises(InvalidEvent, match="email"):
        FeedbackSubmitted.from_json(wire(an_event(), email="someone@example.invalid"))


@pytest.mark.parametrize("field", ["name", "mobile"])
def test_a_message_with_a_clear_name_or_mobile_is_an_invalid_event(field: str) -> None:
    """Version 1 carried them in clear; no producer may put them back beside the box."""
    with pytest.raises(InvalidEvent, match=field):
        FeedbackSubmitted.from_json(wire(an_event(), **{field: "+919812345678"}))


@pytest.mark.parametrize(
    "sealed",
    [
        {"kid": "k1"},
        {"box": "AAAA"},
        {"kid": "k 1", "box": "AAAA"},
        {"kid": "k1", "box": "not base64!"},
        {"kid": "k1", "box": "A" * 2000},
        {"kid": "k1", "box": "AAAA", "name": "Kamla"},
        "k1:AAAA",
    ],
)
def test_a_message_whose_sealed_part_is_malformed_is_an_invalid_event(sealed: Any) -> None:
    with pytest.raises(InvalidEvent, match="sealed"):
        FeedbackSubmitted.from_json(wire(an_event(), sealed=sealed))


def test_the_wire_holds_neither_name_nor_number_and_the_box_opens_to_both() -> None:
    event = an_event(name="Kamla Devi", mobile="+919812345678")

    raw = event.to_json()

    assert b"Kamla" not in raw and b"9812345678" not in raw
    back = FeedbackSubmitted.from_json(raw)
    assert back.sealed.kid == "k1"
    assert OPENER.open(back.sealed, back.event_id) == Personal("+919812345678", "Kamla Devi")


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


def test_the_facts_of_an_event_hold_no_name_mobile_or_box() -> None:
    event = an_event(name="Kamla Devi", mobile="+919812345678")

    facts = event.facts()

    assert not {"name", "mobile", "sealed"} & set(facts)
    flat = json.dumps(facts, default=str, ensure_ascii=False)
    assert "Kamla" not in flat
    assert "9812345678" not in flat
    assert event.sealed.box not in flat


def test_the_facts_of_an_event_keep_everything_analysts_need() -> None:
    event = an_event()

    facts = event.facts()

    assert facts["station_code"] == event.station_code
    assert facts["rating"] == event.rating
    assert facts["event_id"] == event.event_id
    assert facts["mobile_hash"] == event.mobile_hash
    assert facts["comments"] == HINDI_COMMENT
