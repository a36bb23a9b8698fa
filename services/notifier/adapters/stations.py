"""Who is told about a station (the ``Directory`` port): its SHO, and its zone's ACP and DCP,
as the compacted ``stations`` topic tells them (``shared.stations_reader``, kept in memory).
The topic holds the whole registry: the installation announces every station on it
(``./pratikriya up``, ``python -m services.qr.cli announce``) and the QR service publishes
every change, so the notifier reads no registry table.
"""

from __future__ import annotations

from kafka.errors import KafkaError

from shared.events import Station
from shared.stations_reader import StationsFeed


class RegistryNotRead(KafkaError):
    """The stations topic has not been read to its end yet: a transient failure, the event
    is handled again later."""


class FeedDirectory:
    """Stations from the topic. A code not in the view is looked for again once the feed has
    read up to the topic's current end (within ``sync_timeout_s``), so a station created a
    moment ago is found; alerts are rare, so this costs little. Until the feed has read the
    whole topic, or when it cannot reach its end, RegistryNotRead."""

    def __init__(self, feed: StationsFeed, sync_timeout_s: float = 5.0) -> None:
        self.feed = feed
        self.sync_timeout_s = sync_timeout_s

    def contacts(self, station_code: str) -> Station | None:
        if not self.feed.wait_caught_up(self.sync_timeout_s):
            raise RegistryNotRead("the stations topic has not been read to its end yet")
        record = self.feed.get(station_code)
        if record is None:
            if not self.feed.sync(self.sync_timeout_s):
                raise RegistryNotRead("the stations topic cannot be read to its end now")
            record = self.feed.get(station_code)
        return record.station if record is not None else None

    def close(self) -> None:
        self.feed.stop()


def build_directory(
    kafka_bootstrap_servers: str, client_id: str = "notifier-stations"
) -> FeedDirectory:
    """A directory following the stations topic, its reader started."""
    feed = StationsFeed(kafka_bootstrap_servers, client_id=client_id)
    feed.start()
    return FeedDirectory(feed)
