"""The notifier's recipients from the stations topic alone: a station published a moment ago
is found, and an unread topic is a transient failure, never "no such station"."""

from __future__ import annotations

import pytest

from services.notifier.adapters.stations import FeedDirectory, RegistryNotRead
from shared.events import Contact, Station
from tests.unit.stations_feed_fake import FakeFeed

SADAR = Station("GGN-SADAR", "Sadar", "सदर", "East", sho=Contact("SHO Sadar", "+919000000001", ""))


class WholeFeed(FakeFeed):
    """The fake feed with the whole view, as ``StationsFeed.stations`` gives it."""

    def stations(self):
        return dict(self.records)


def a_directory(*stations: Station) -> tuple[FeedDirectory, WholeFeed]:
    feed = WholeFeed(*stations)
    feed.caught_up = True
    return FeedDirectory(feed, sync_timeout_s=1.0), feed  # type: ignore[arg-type]


def test_a_known_station_s_officers_come_from_memory() -> None:
    directory, feed = a_directory(SADAR)

    assert directory.contacts("GGN-SADAR").officers["sho"].mobile == "+919000000001"
    assert feed.syncs == 0


def test_a_station_published_a_moment_ago_is_found_after_reading_to_the_topic_s_end() -> None:
    directory, feed = a_directory(SADAR)
    new = Station("GGN-NEW", "New", "नया", "West", sho=Contact("SHO New", "+919000000002", ""))
    feed.publish(new, "created")

    assert directory.contacts("GGN-NEW") == new
    assert directory.contacts("GGN-NOWHERE") is None


def test_before_the_topic_is_read_or_when_its_end_cannot_be_reached_the_failure_is_transient() -> (
    None
):
    directory, feed = a_directory(SADAR)
    feed.reachable = False
    with pytest.raises(RegistryNotRead):
        directory.contacts("GGN-NOWHERE")

    feed.caught_up = False
    with pytest.raises(RegistryNotRead):
        directory.contacts("GGN-SADAR")


def test_a_zone_s_stations_include_one_published_a_moment_ago_and_its_feed_starts_on_first_use():
    city = Station("GGN-CITY", "City", "सिटी", "East")
    manesar = Station("GGN-MANESAR", "Manesar", "मानेसर", "Manesar")
    directory, feed = a_directory(SADAR, city, manesar)
    feed.started = False
    feed.publish(Station("GGN-NEW-EAST", "New", "नया", "East"), "created")

    east = directory.stations_in("East")

    assert feed.started
    assert east == {"GGN-SADAR", "GGN-CITY", "GGN-NEW-EAST"}
    assert directory.zone_of("GGN-MANESAR") == "Manesar" and directory.zone_of("GGN-NO") is None
    assert set(directory.names(frozenset({"GGN-CITY", "GGN-NO"}))) == {"GGN-CITY"}


def test_a_zone_s_stations_come_from_the_view_when_the_topic_s_end_cannot_be_reached() -> None:
    directory, feed = a_directory(SADAR)
    feed.reachable = False

    assert directory.stations_in("East") == {"GGN-SADAR"}
    feed.caught_up = False
    with pytest.raises(RegistryNotRead):
        directory.stations_in("East")
