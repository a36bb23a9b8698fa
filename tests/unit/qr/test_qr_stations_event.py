"""The stations topic's record: its JSON contract, and how a reader's view takes records."""

from __future__ import annotations

import json

import pytest

from shared.events import Contact, InvalidEvent, StationChanged
from shared.stations_reader import StationsFeed


def a_record(**overrides) -> StationChanged:
    fields = {
        "change": "rotated", "code": "GGN-SADAR", "name_en": "Sadar Gurugram",
        "name_hi": "सदर गुरुग्राम", "zone": "East", "active": True, "qr_version": 2,
        "revision": 77, "sho": Contact("SHO Sadar", "+919000000001", "sho@example.invalid"),
        "acp": Contact("ACP East", "+919000000101", "acp@example.invalid"),
    }  # fmt: skip
    return StationChanged(**{**fields, **overrides})


def test_a_record_survives_the_round_trip_through_json_with_hindi_kept_readable() -> None:
    original = a_record()
    raw = original.to_json()

    assert "सदर गुरुग्राम".encode() in raw
    assert StationChanged.from_json(raw) == original
    assert original.key == b"GGN-SADAR"
    data = json.loads(raw)
    assert data["schema_version"] == 1
    assert data["acp"] == {
        "name": "ACP East",
        "mobile": "+919000000101",
        "email": "acp@example.invalid",
    }
    assert data["dcp"] == {"name": "", "mobile": "", "email": ""}


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        json.dumps({"schema_version": 2}).encode(),
        a_record().to_json().replace(b'"rotated"', b'"renamed"'),
        a_record().to_json().replace(b'"qr_version": 2', b'"qr_version": "2"'),
        a_record().to_json().replace(b'"GGN-SADAR"', b'"ggn sadar"'),
    ],
)
def test_records_that_break_the_contract_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidEvent):
        StationChanged.from_json(raw)


def test_the_view_keeps_the_highest_revision_whatever_order_records_come_in() -> None:
    changes: list[str] = []
    feed = StationsFeed(
        "unused:9092", client_id="test", on_change=lambda r: changes.append(r.change)
    )

    assert feed.apply(a_record(revision=5, qr_version=1, change="created"))
    assert feed.apply(a_record(revision=9, qr_version=2, change="rotated"))
    assert not feed.apply(a_record(revision=5, qr_version=1, change="created"))  # replayed
    assert not feed.apply(a_record(revision=9, qr_version=2, change="rotated"))  # duplicate

    assert feed.get("GGN-SADAR").qr_version == 2
    assert feed.stations().keys() == {"GGN-SADAR"}
    assert changes == ["created", "rotated"]
    assert not feed.caught_up  # never started: nothing was read from Kafka
