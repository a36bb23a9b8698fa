"""Intake's directory follows what the QR service publishes on the stations topic: a
rotation, a new station and a deactivation are seen without a restart, and an older record
never brings back a replaced code."""

from __future__ import annotations

import random
from dataclasses import replace

from services.intake.adapters.stations import StationDirectory
from shared.events import Station
from tests.unit.stations_feed_fake import FakeFeed


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def a_station(*, qr_version: int = 1, active: bool = True, revision: int = 10) -> Station:
    code = f"GGN-FEED-{random.randrange(10**6):06d}"
    return Station(code, f"Test {code}", "परीक्षण थाना", "East", active, qr_version, revision)


def following(*stations: Station) -> tuple[StationDirectory, FakeFeed]:
    clock = Clock()
    feed = FakeFeed(*stations, clock=clock)
    feed.caught_up = True
    return StationDirectory(feed, max_lag_s=0.0, clock=clock), feed


def test_a_rotation_on_the_topic_is_seen_by_the_next_request() -> None:
    station = a_station(qr_version=1, revision=10)
    stations, feed = following(station)
    assert stations.get(station.code).qr_version == 1

    feed.publish(replace(station, qr_version=2, revision=11), "rotated")

    assert stations.get(station.code).qr_version == 2
    assert feed.started


def test_a_station_created_through_the_api_is_found_without_a_restart() -> None:
    stations, feed = following(a_station())
    new = a_station(revision=50)
    assert stations.get(new.code) is None

    feed.publish(new, "created")

    assert stations.get(new.code) == new


def test_an_older_record_on_the_topic_never_brings_back_a_replaced_code() -> None:
    current = a_station(qr_version=3, revision=30)
    stations, feed = following(current)
    feed.publish(replace(current, qr_version=2, revision=20))  # replayed history

    assert stations.get(current.code).qr_version == 3


def test_a_deactivation_on_the_topic_is_seen_as_an_inactive_station() -> None:
    station = a_station(revision=7)
    stations, feed = following(station)
    stations.get(station.code)

    feed.publish(replace(station, active=False, revision=8), "deactivated")

    found = stations.get(station.code)
    assert found is not None and found.active is False
