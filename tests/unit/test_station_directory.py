"""Intake's station directory: the stations topic is its one source, read into memory; a
view that lags reads up to the topic's end before it answers."""

import random
from dataclasses import replace

import pytest

from services.intake.adapters.stations import StationDirectory
from services.intake.ports import RegistryUnavailable
from shared.events import Station
from tests.unit.stations_feed_fake import FakeFeed


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def a_station(*, qr_version: int = 1, active: bool = True, revision: int = 10) -> Station:
    code = f"GGN-TEST-{random.randrange(10**6):06d}"
    return Station(code, f"Test {code}", "परीक्षण थाना", "West", active, qr_version, revision)


def a_directory(feed: FakeFeed, clock: Clock, max_lag_s: float = 5.0) -> StationDirectory:
    return StationDirectory(feed, max_lag_s=max_lag_s, retry_s=5.0, clock=clock)


def caught_up_feed(*stations: Station, clock: Clock) -> FakeFeed:
    feed = FakeFeed(*stations, clock=clock)
    feed.caught_up = True
    feed.read()
    return feed


def test_before_the_topic_has_been_read_to_its_end_there_is_no_answer_and_no_readiness() -> None:
    clock = Clock()
    feed = FakeFeed(a_station(), clock=clock)
    directory = a_directory(feed, clock)

    with pytest.raises(RegistryUnavailable):
        directory.get("GGN-ANY")
    assert not directory.ready()
    assert feed.started


def test_once_the_topic_is_read_the_directory_is_ready_and_answers_from_memory() -> None:
    clock = Clock()
    station = a_station()
    feed = caught_up_feed(station, clock=clock)
    directory = a_directory(feed, clock)

    assert directory.ready()
    clock.advance(4.9)
    assert directory.get(station.code) == station
    assert directory.get("GGN-NO-SUCH-STATION") is None
    assert feed.syncs == 0


def test_a_view_that_lags_more_than_the_bound_reads_the_topic_to_its_end_first() -> None:
    clock = Clock()
    station = a_station(qr_version=1, revision=10)
    feed = caught_up_feed(station, clock=clock)
    directory = a_directory(feed, clock)
    feed.publish(replace(station, qr_version=2, revision=11), "rotated")

    assert directory.get(station.code).qr_version == 1  # within the bound: from memory
    clock.advance(5.1)
    assert directory.get(station.code).qr_version == 2
    assert feed.syncs == 1


def test_with_no_lag_allowed_a_change_acknowledged_a_moment_ago_is_seen_at_once() -> None:
    clock = Clock()
    station = a_station(revision=10)
    feed = caught_up_feed(station, clock=clock)
    directory = a_directory(feed, clock, max_lag_s=0.0)
    new = a_station(revision=50)

    feed.publish(new, "created")
    assert directory.get(new.code) == new
    feed.publish(replace(station, active=False, revision=11), "deactivated")
    assert directory.get(station.code).active is False


def test_with_kafka_unreachable_the_view_answers_as_it_is_and_is_not_retried_every_request() -> (
    None
):
    clock = Clock()
    station = a_station()
    feed = caught_up_feed(station, clock=clock)
    directory = a_directory(feed, clock)
    feed.reachable = False
    clock.advance(10)

    assert directory.get(station.code) == station
    for _ in range(10):
        clock.advance(0.4)
        assert directory.get(station.code) == station
    assert feed.syncs == 1
    clock.advance(1.1)
    directory.get(station.code)
    assert feed.syncs == 2


def test_a_deactivated_station_is_still_found_so_its_page_can_say_so() -> None:
    clock = Clock()
    station = a_station(active=False)

    assert a_directory(caught_up_feed(station, clock=clock), clock).get(station.code) == station


def test_a_request_that_finds_another_reading_to_the_end_answers_from_the_view_meanwhile() -> None:
    clock = Clock()
    station = a_station(qr_version=1, revision=10)
    feed = caught_up_feed(station, clock=clock)
    directory = a_directory(feed, clock, max_lag_s=0.0)
    feed.publish(replace(station, qr_version=2, revision=11), "rotated")
    answered_meanwhile = []
    read_to_end = feed.sync

    def slow_sync(timeout_s: float) -> bool:
        answered_meanwhile.append(directory.get(station.code))  # another visitor's request
        return read_to_end(timeout_s)

    feed.sync = slow_sync  # type: ignore[method-assign]

    assert directory.get(station.code).qr_version == 2
    assert [s.qr_version for s in answered_meanwhile] == [1]
    assert feed.syncs == 1
