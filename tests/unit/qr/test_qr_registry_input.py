"""What the registry API accepts: codes, names in both scripts, contacts, locked fields."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.qr import tokens
from services.qr.schemas import RotationSchema, StationChangesSchema, StationSchema


def errors_of(schema, data) -> dict:
    with pytest.raises(ValidationError) as caught:
        schema.load(data)
    return caught.value.messages


def test_a_complete_station_is_taken_with_the_mobile_normalised() -> None:
    loaded = StationSchema().load(
        {
            "code": "GGN-DLF-PH-1", "name_en": " DLF Phase 1 ", "name_hi": "डीएलएफ फेज 1",
            "zone": "East", "sho_mobile": "098123 45678", "sho_email": "sho@example.invalid",
        }
    )  # fmt: skip
    assert loaded["name_en"] == "DLF Phase 1"
    assert loaded["sho_mobile"] == "+919812345678"
    assert (loaded["active"], loaded["kind"], loaded["address"]) == (True, "police", "")


def test_every_bad_field_gets_its_own_message() -> None:
    errors = errors_of(
        StationSchema(),
        {"code": "ggn sadar", "name_en": "", "name_hi": "Sadar", "zone": "1East",
         "sho_mobile": "12345", "sho_email": "nobody", "kind": "army", "colour": "blue"},
    )  # fmt: skip
    assert set(errors) == {
        "code", "name_en", "name_hi", "zone", "sho_mobile", "sho_email", "kind", "colour",
    }  # fmt: skip
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)


def test_required_fields_are_named_when_missing() -> None:
    assert set(errors_of(StationSchema(), {})) == {"code", "name_en", "name_hi", "zone"}


def test_a_change_may_not_touch_the_code_or_the_qr_version() -> None:
    errors = errors_of(StationChangesSchema(), {"code": "GGN-X", "qr_version": 9})
    assert set(errors) == {"code", "qr_version"}
    assert StationChangesSchema().load({"sho_name": "Insp. Kavita"}) == {"sho_name": "Insp. Kavita"}


def test_a_rotation_needs_a_reason() -> None:
    assert set(errors_of(RotationSchema(), {"reason": "  "})) == {"reason"}
    assert RotationSchema().load({"reason": "poster defaced"}) == {"reason": "poster defaced"}


def test_tokens_are_long_random_and_only_their_hash_is_kept() -> None:
    first, second = tokens.new_token(), tokens.new_token()
    assert first != second and first.startswith(tokens.PREFIX) and len(first) >= 40
    assert tokens.token_hash(first) != tokens.token_hash(second)
    assert first not in tokens.token_hash(first) and len(tokens.token_hash(first)) == 64
