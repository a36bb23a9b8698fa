"""What the registry API accepts: codes, names in both scripts, contacts, locked fields."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.qr.contacts import ZoneContactsSchema
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


def test_a_zone_s_contacts_are_checked_like_an_sho_s_and_nothing_else_is_taken() -> None:
    loaded = ZoneContactsSchema().load(
        {"acp_name": " ACP Meena ", "acp_mobile": "098123 45678", "dcp_email": ""}
    )
    assert loaded == {"acp_name": "ACP Meena", "acp_mobile": "+919812345678", "dcp_email": ""}
    errors = errors_of(
        ZoneContactsSchema(),
        {"acp_mobile": "12345", "dcp_email": "nobody", "dcp_name": "x" * 101, "zone": "East"},
    )
    assert set(errors) == {"acp_mobile", "dcp_email", "dcp_name", "zone"}
