"""Intake's station directory with the stations topic beside PostgreSQL: the higher
revision wins, and changes arrive without waiting for a reload."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from services.intake.stations import KnownStation, RegistryUnavailable, StationDirectory
from shared.stations_feed import StationChanged


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Registry:
    def __init__(self, *stations: KnownStation) -> None:
        self.stations = {s.code: s for s in stations}
        self.loads = 0
        self.down = False

    def load(self) -> dict:
        self.loads += 1
        if self.down:
            raise ConnectionError("registry unreachable")
        return dict(self.stations)


class Feed:
    """The topic reader as the directory sees it: records by code."""

    def __init__(self) -> None:
        self.records: dict[str, StationChanged] = {}
        self.started = False
        self.caught_up = False

    def start(self) -> None:
        self.started = True

    def get(self, code: str) -> StationChanged | None:
        return self.records.get(code)

    def publish(self, station: KnownStation, change: str = "updated") -> None:
        self.records[station.code] = record(station, change)


def a_station(*, qr_version: int = 1, active: bool = True, revision: int = 10) -> KnownStation:
    code = f"GGN-FEED-{random.randrange(10**6):06d}"
    return KnownStation(code, f"Test {code}", "परीक्षण थाना", "East", active, qr_version, revision)


def record(station: KnownStation, change: str) -> StationChanged:
    return StationChanged(
        change=change, code=station.code, name_en=station.name_en, name_hi=station.name_hi,
        zone=station.zone, active=station.active, qr_version=station.qr_version,
        revision=station.revision,
    )  # fmt: skip


def directory(registry: Registry, feed: Feed, clock: Clock) -> StationDirectory:
    return StationDirectory(registry.load, refresh_s=3600, miss_reload_s=5, clock=clock, feed=feed)


def test_a_rotation_on_the_topic_is_seen_at_once_without_reading_postgres_again() -> None:
    station = a_station(qr_version=1, revision=10)
    registry, feed, clock = Registry(station), Feed(), Clock()
    stations = directory(registry, feed, clock)
    assert stations.get(station.code).qr_version == 1

    feed.publish(replace(station, qr_version=2, revision=11), "rotated")

    assert stations.get(station.code).qr_version == 2
    assert registry.loads == 1
    assert feed.started


def test_a_station_created_through_the_api_is_found_from_the_topic_alone() -> None:
    registry, feed, clock = Registry(a_station()), Feed(), Clock()
    stations = directory(registry, feed, clock)
    stations.get("GGN-ANY")
    new = a_station(revision=50)

    feed.publish(new, "created")

    assert stations.get(new.code) == new
    assert registry.loads == 1


def test_an_older_record_on_the_topic_never_brings_back_a_replaced_code() -> None:
    current = a_station(qr_version=3, revision=30)
    registry, feed, clock = Registry(current), Feed(), Clock()
    feed.publish(replace(current, qr_version=2, revision=20))  # replayed history

    assert directory(registry, feed, clock).get(current.code).qr_version == 3


def test_a_deactivation_on_the_topic_is_seen_as_an_inactive_station() -> None:
    station = a_station(revision=7)
    registry, feed, clock = Registry(station), Feed(), Clock()
    stations = directory(registry, feed, clock)
    stations.get(station.code)

    feed.publish(replace(station, active=False, revision=8), "deactivated")

    found = stations.get(station.code)
    assert found is not None and found.active is False


def test_with_postgres_down_at_start_the_topic_answers_once_it_has_been_read() -> None:
    station = a_station()
    registry, feed, clock = Registry(station), Feed(), Clock()
    registry.down = True
    feed.publish(station)
    stations = directory(registry, feed, clock)

    with pytest.raises(RegistryUnavailable):
        stations.get(station.code)
    feed.caught_up = True
    assert stations.get(station.code) == station


def test_a_stale_view_is_reloaded_in_the_background_not_in_the_request() -> None:
    station = a_station()
    registry, feed, clock = Registry(station), Feed(), Clock()
    stations = directory(registry, feed, clock)
    stations.get(station.code)
    registry.down = True

    clock.now += 3601
    # The failing reload happens on another thread; this request is answered from memory.
    assert stations.get(station.code) == station
