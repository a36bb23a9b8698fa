"""The registry's changes, on fakes of its ports: what is stored, what is published, and
that a change Kafka did not acknowledge leaves the registry as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.qr import usecases
from services.qr.adapters.kafka import PublishFailed
from services.qr.domain import Deactivated, Duplicate, NotFound, UnknownZone
from tests.unit.qr.fakes import NOW, FakePublisher, FakeUnitOfWork, a_zone, station_fields

pytestmark = pytest.mark.usefixtures("no_sockets")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    unit_of_work = FakeUnitOfWork()
    unit_of_work.committed.zones["East"] = a_zone("East")
    unit_of_work.committed.zones["West"] = a_zone("West")
    return unit_of_work


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def deps(uow, publisher) -> usecases.Deps:
    return usecases.Deps(uow, publisher, clock=lambda: NOW)


def test_a_new_station_is_stored_and_published_as_created_with_its_zone_contacts(
    deps, uow, publisher
):
    station = usecases.create_station(deps, station_fields("GGN-NEW"))

    assert uow.committed.stations["GGN-NEW"] == station
    assert (station.qr_version, station.active) == (1, True)
    [record] = publisher.acknowledged
    assert (record.change, record.code, record.revision) == ("created", "GGN-NEW", station.revision)
    assert record.sho.mobile == "+919000000301"
    assert record.acp.name == "ACP East" and record.dcp.email == "dcp@example.invalid"


def test_a_change_kafka_did_not_acknowledge_leaves_the_registry_unchanged(deps, uow, publisher):
    usecases.create_station(deps, station_fields("GGN-KEPT"))
    before = uow.committed.stations["GGN-KEPT"]
    publisher.down = True

    with pytest.raises(PublishFailed):
        usecases.create_station(deps, station_fields("GGN-LOST"))
    with pytest.raises(PublishFailed):
        usecases.update_station(deps, "GGN-KEPT", {"name_en": "Renamed"})
    with pytest.raises(PublishFailed):
        usecases.rotate_qr(deps, "GGN-KEPT", reason="defaced", rotated_by="desk")
    with pytest.raises(PublishFailed):
        usecases.update_zone(deps, "East", {"acp_name": "Someone else"})

    assert "GGN-LOST" not in uow.committed.stations
    assert uow.committed.stations["GGN-KEPT"] == before
    assert uow.committed.rotations == []
    assert uow.committed.zones["East"] == a_zone("East")
    assert [r.change for r in publisher.acknowledged] == ["created"]


def test_a_rotation_bumps_the_version_signs_anew_and_keeps_an_audit_record(deps, uow, publisher):
    created = usecases.create_station(deps, station_fields("GGN-ROT"))

    station, audit = usecases.rotate_qr(
        deps, "GGN-ROT", reason="poster defaced", rotated_by="control room", token_id=7
    )

    assert station.qr_version == 2 and station.revision > created.revision
    assert uow.committed.stations["GGN-ROT"].qr_version == 2
    assert audit == {
        "id": 1, "station_code": "GGN-ROT", "from_version": 1, "to_version": 2,
        "reason": "poster defaced", "rotated_by": "control room", "rotated_at": NOW.isoformat(),
    }  # fmt: skip
    assert uow.committed.rotations[0]["token_id"] == 7
    assert usecases.rotations(deps, "GGN-ROT") == [audit]
    assert [(r.change, r.qr_version) for r in publisher.acknowledged] == [
        ("created", 1), ("rotated", 2),
    ]  # fmt: skip


def test_the_rotated_station_s_url_is_signed_for_the_new_version_only():
    from services.qr.rendering.posters import Fonts
    from services.qr.rendering.printing import Printer
    from shared.signing import sign

    fake = FakeUnitOfWork()
    fake.committed.zones["East"] = a_zone()
    deps = usecases.Deps(fake, FakePublisher(), clock=lambda: NOW)
    printer = Printer("https://feedback.example", b"k" * 32, Fonts.in_folder(Path("unused")))
    old = printer.url(usecases.create_station(deps, station_fields("GGN-SIGN")))

    station, _ = usecases.rotate_qr(deps, "GGN-SIGN", reason="lost", rotated_by="it.admin")
    new = printer.url(station)

    assert new == f"https://feedback.example/s/GGN-SIGN?v=2&sig={sign(b'k' * 32, 'GGN-SIGN', 2)}"
    assert new != old


def test_deactivating_publishes_active_false_and_the_code_is_no_longer_printed(
    deps, uow, publisher
):
    usecases.create_station(deps, station_fields("GGN-OFF"))

    station = usecases.deactivate_station(deps, "GGN-OFF")

    assert station.active is False and uow.committed.stations["GGN-OFF"].active is False
    assert [(r.change, r.active) for r in publisher.acknowledged] == [
        ("created", True), ("deactivated", False),
    ]  # fmt: skip
    with pytest.raises(Deactivated):
        usecases.active_station(deps, "GGN-OFF")
    with pytest.raises(NotFound):
        usecases.zone_stations(deps, "East")


def test_an_update_that_changes_nothing_publishes_nothing(deps, publisher):
    created = usecases.create_station(deps, station_fields("GGN-SAME"))

    same = usecases.update_station(deps, "GGN-SAME", {"name_en": created.name_en})

    assert same == created
    assert [r.change for r in publisher.acknowledged] == ["created"]


def test_a_duplicate_code_is_refused_and_the_first_station_kept(deps, uow, publisher):
    first = usecases.create_station(deps, station_fields("GGN-DUP"))

    with pytest.raises(Duplicate):
        usecases.create_station(deps, station_fields("GGN-DUP", name_en="Other"))

    assert uow.committed.stations["GGN-DUP"] == first
    assert len(publisher.acknowledged) == 1


def test_an_unknown_zone_is_refused_on_create_and_on_update(deps, uow, publisher):
    with pytest.raises(UnknownZone):
        usecases.create_station(deps, station_fields("GGN-NOZONE", zone="Atlantis"))
    usecases.create_station(deps, station_fields("GGN-MOVE"))
    with pytest.raises(UnknownZone):
        usecases.update_station(deps, "GGN-MOVE", {"zone": "Atlantis"})

    assert "GGN-NOZONE" not in uow.committed.stations
    assert uow.committed.stations["GGN-MOVE"].zone == "East"
    assert [r.change for r in publisher.acknowledged] == ["created"]


def test_a_code_that_is_not_a_station_code_is_not_found_without_asking_the_store(deps, uow):
    for code in ("not a code", "GGN\x00X", "ggn-lower"):
        with pytest.raises(NotFound):
            usecases.get_station(deps, code)
    with pytest.raises(NotFound):
        usecases.zone_stations(deps, "Bad\x00Zone")
    assert uow.commits == 0


def test_a_zone_s_posters_are_its_active_stations_in_code_order(deps):
    for code in ("GGN-B", "GGN-A", "GGN-C"):
        usecases.create_station(deps, station_fields(code))
    usecases.create_station(deps, station_fields("GGN-W", zone="West"))
    usecases.deactivate_station(deps, "GGN-C")

    assert [s.code for s in usecases.zone_stations(deps, "East")] == ["GGN-A", "GGN-B"]


def test_announcing_publishes_every_station_once_with_its_zone(deps, publisher):
    usecases.create_station(deps, station_fields("GGN-E1"))
    usecases.create_station(deps, station_fields("GGN-W1", zone="West"))
    publisher.acknowledged.clear()

    assert usecases.announce_registry(deps) == 2
    assert sorted((r.change, r.code, r.zone) for r in publisher.acknowledged) == [
        ("announced", "GGN-E1", "East"), ("announced", "GGN-W1", "West"),
    ]  # fmt: skip


def test_an_edit_names_the_fields_it_really_changed(deps, publisher):
    usecases.create_station(deps, station_fields("GGN-EDIT"))

    station, changed = usecases.edit_station(
        deps, "GGN-EDIT", {"name_en": "Test GGN-EDIT", "sho_mobile": "+919000000399",
                           "address": "Sector 2"},
    )  # fmt: skip

    assert changed == ["address", "sho_mobile"]
    assert station.sho.mobile == "+919000000399"
    assert usecases.edit_station(deps, "GGN-EDIT", {"address": "Sector 2"})[1] == []
    assert [r.change for r in publisher.acknowledged] == ["created", "updated"]


def test_a_zone_s_new_contacts_go_out_on_every_station_of_that_zone_alone(deps, uow, publisher):
    east = [usecases.create_station(deps, station_fields(c)) for c in ("GGN-E1", "GGN-E2")]
    usecases.create_station(deps, station_fields("GGN-W1", zone="West"))
    publisher.acknowledged.clear()

    zone, changed = usecases.update_zone(
        deps, "East", {"dcp_name": "DCP Rao", "dcp_email": "dcp.rao@example.invalid"}
    )

    assert changed == ["dcp_email", "dcp_name"]
    assert (zone.dcp.name, zone.dcp.mobile) == ("DCP Rao", "+919000000111")
    assert uow.committed.zones["East"] == zone
    records = publisher.acknowledged
    assert [(r.change, r.code, r.dcp.name) for r in records] == [
        ("updated", "GGN-E1", "DCP Rao"), ("updated", "GGN-E2", "DCP Rao"),
    ]  # fmt: skip
    assert all(r.revision > s.revision for r, s in zip(records, east, strict=True))
    assert [r.code for r in records] == [s.code for s in east]


def test_a_zone_edit_that_changes_nothing_publishes_nothing(deps, publisher):
    usecases.create_station(deps, station_fields("GGN-E3"))
    publisher.acknowledged.clear()

    zone, changed = usecases.update_zone(deps, "East", {"acp_name": "ACP East"})

    assert changed == [] and zone == a_zone("East")
    assert publisher.acknowledged == []
    with pytest.raises(NotFound):
        usecases.update_zone(deps, "Atlantis", {"acp_name": "X"})
    with pytest.raises(NotFound):
        usecases.update_zone(deps, "Bad\x00Zone", {"acp_name": "X"})
