"""The scores and stations events on the wire: their schemas refuse what breaks the
contract, and a station's record carries the one Station type every reader uses."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.events import (
    Contact,
    InvalidEvent,
    Station,
    StationChanged,
    StationScoresUpdated,
)
from shared.scores import WindowStats

AT = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)


def a_scores_event() -> StationScoresUpdated:
    return StationScoresUpdated(
        "GGN-SADAR", AT, {"24h": WindowStats(count=4, rating_sum=9, low_ratings=2)}, uuid.uuid4()
    )


def wire(event: StationScoresUpdated, **changes) -> bytes:
    data = json.loads(event.to_json())
    data.update(changes)
    return json.dumps(data).encode()


def test_a_scores_event_keeps_its_wire_names_and_reads_back_equal() -> None:
    event = a_scores_event()
    data = json.loads(event.to_json())

    assert list(data) == ["schema_version", "event_id", "station_code", "computed_at", "windows"]
    assert data["computed_at"] == "2026-03-27T10:00:00+00:00"
    assert data["windows"]["24h"]["low_ratings"] == 2
    assert StationScoresUpdated.from_json(event.to_json()) == event


def test_a_window_may_leave_out_the_sums_that_are_zero() -> None:
    raw = wire(a_scores_event(), windows={"7d": {"count": 1, "rating_sum": 5}})

    assert StationScoresUpdated.from_json(raw).windows["7d"] == WindowStats(1, 5)


@pytest.mark.parametrize(
    "changes",
    [
        {"schema_version": 2},
        {"computed_at": "2026-03-27T10:00:00"},  # no time zone
        {"event_id": "not-a-uuid"},
        {"station_code": "ggn sadar"},
        {"windows": {"24h": {"count": "4"}}},
        {"windows": {"24h": {"count": -1}}},
        {"windows": {"24h": {"visitors": 4}}},
        {"windows": ["24h"]},
        {"extra": True},
    ],
)
def test_a_scores_event_that_breaks_the_contract_is_refused(changes) -> None:
    with pytest.raises(InvalidEvent):
        StationScoresUpdated.from_json(wire(a_scores_event(), **changes))


def test_a_station_s_record_is_the_station_with_the_change_and_its_time() -> None:
    station = Station(
        "GGN-SADAR", "Sadar", "सदर", "East", True, 2, 77, sho=Contact("SHO", "+919000000001", "")
    )

    record = StationChanged.of("rotated", station)

    assert record.change == "rotated" and record.changed_at.tzinfo is not None
    assert record.station == station
    assert StationChanged.from_json(record.to_json()).station == station
    assert record.officers["sho"].mobile == "+919000000001"
    assert record.officers["dcp"] == Contact()


def test_an_officer_s_contacts_stay_out_of_a_station_s_repr() -> None:
    station = Station("GGN-SADAR", "Sadar", "सदर", "East", sho=Contact("Insp. Kavita", "+9190", ""))

    assert "Kavita" not in repr(station) and "+9190" not in repr(station)


def test_a_refused_scores_event_says_so_in_the_words_dead_letters_always_had() -> None:
    with pytest.raises(InvalidEvent, match=r"^not a station scores event: not JSON"):
        StationScoresUpdated.from_json(b"{not json")
