"""Intake's in-memory view of the station registry, driven by a controlled clock."""

import random
from dataclasses import replace

import pytest

from services.intake.domain import Station
from services.intake.stations import RegistryUnavailable, StationDirectory


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Registry:
    """A fake registry: the stations it holds, how often it was read, and whether it is down."""

    def __init__(self, *stations: Station) -> None:
        self.stations = {s.code: s for s in stations}
        self.loads = 0
        self.down = False

    def load(self) -> dict[str, Station]:
        self.loads += 1
        if self.down:
            raise ConnectionError("registry unreachable")
        return dict(self.stations)

    def add(self, station: Station) -> None:
        self.stations[station.code] = station


def a_station(*, qr_version: int = 1, active: bool = True) -> Station:
    code = f"GGN-TEST-{random.randrange(10**6):06d}"
    return Station(code, f"Test {code}", "परीक्षण थाना", "West", active, qr_version)


def a_directory(registry: Registry, clock: Clock) -> StationDirectory:
    return StationDirectory(registry.load, refresh_s=30.0, miss_reload_s=5.0, clock=clock)


def test_a_known_station_is_found_after_one_read_of_the_registry() -> None:
    station = a_station()
    registry, clock = Registry(station), Clock()
    directory = a_directory(registry, clock)

    assert directory.get(station.code) == station
    clock.advance(29.9)
    assert directory.get(station.code) == station
    assert registry.loads == 1


def test_a_change_in_the_registry_is_seen_once_the_refresh_period_has_passed() -> None:
    station = a_station(qr_version=1)
    registry, clock = Registry(station), Clock()
    directory = a_directory(registry, clock)
    directory.get(station.code)
    registry.add(replace(station, qr_version=2))

    clock.advance(29.9)
    assert directory.get(station.code).qr_version == 1
    clock.advance(0.1)
    assert directory.get(station.code).qr_version == 2


def test_a_station_added_to_the_registry_is_found_soon_without_waiting_for_the_refresh() -> None:
    registry, clock = Registry(a_station()), Clock()
    directory = a_directory(registry, clock)
    directory.get("GGN-ANY")
    new = a_station()
    registry.add(new)

    clock.advance(4.9)
    assert directory.get(new.code) is None
    clock.advance(0.1)
    assert directory.get(new.code) == new


def test_unknown_codes_reload_the_registry_at_most_once_per_miss_period() -> None:
    registry, clock = Registry(a_station()), Clock()
    directory = a_directory(registry, clock)
    directory.get("GGN-ANY")

    for _ in range(50):
        clock.advance(0.2)
        assert directory.get("GGN-NO-SUCH-STATION") is None

    assert registry.loads == 1 + 2  # ten seconds of misses: one reload each five seconds


def test_a_failed_reload_keeps_the_previous_view() -> None:
    station = a_station()
    registry, clock = Registry(station), Clock()
    directory = a_directory(registry, clock)
    directory.get(station.code)
    registry.down = True

    clock.advance(31)
    assert directory.get(station.code) == station
    assert directory.ready()


def test_a_failed_reload_is_not_retried_on_every_request() -> None:
    station = a_station()
    registry, clock = Registry(station), Clock()
    directory = a_directory(registry, clock)
    directory.get(station.code)
    registry.down = True
    clock.advance(30)
    directory.get(station.code)
    loads_after_failure = registry.loads

    for _ in range(20):
        clock.advance(1)
        directory.get(station.code)

    assert registry.loads == loads_after_failure


def test_the_registry_is_read_again_once_it_is_back() -> None:
    station = a_station()
    registry, clock = Registry(station), Clock()
    directory = a_directory(registry, clock)
    directory.get(station.code)
    registry.down = True
    clock.advance(30)
    directory.get(station.code)
    registry.down = False
    later = a_station()
    registry.add(later)

    clock.advance(30)

    assert directory.get(later.code) == later


def test_with_no_view_yet_a_failed_first_read_raises() -> None:
    registry, clock = Registry(a_station()), Clock()
    registry.down = True
    directory = a_directory(registry, clock)

    with pytest.raises(RegistryUnavailable):
        directory.get("GGN-ANY")


def test_after_a_failed_first_read_the_next_request_tries_again() -> None:
    station = a_station()
    registry, clock = Registry(station), Clock()
    registry.down = True
    directory = a_directory(registry, clock)
    with pytest.raises(RegistryUnavailable):
        directory.get(station.code)
    registry.down = False

    assert directory.get(station.code) == station


def test_the_directory_is_ready_once_it_holds_a_view() -> None:
    registry, clock = Registry(a_station()), Clock()
    directory = a_directory(registry, clock)

    assert directory.ready()
    assert registry.loads == 1


def test_a_deactivated_station_is_still_found_so_its_page_can_say_so() -> None:
    station = a_station(active=False)
    registry, clock = Registry(station), Clock()

    assert a_directory(registry, clock).get(station.code) == station
