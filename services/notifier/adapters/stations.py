"""Who is told about a station (the ``Directory`` port): its SHO, and its zone's ACP and DCP,
as the compacted ``stations`` topic tells them (``shared.stations_reader``, kept in memory);
and, for the HTTP side, where each station is (the ``StationMap`` port: whose alerts a
zone's officers read).
The topic holds the whole registry: the installation announces every station on it
(``./pratikriya up``, ``python -m services.qr.cli announce``) and the QR service publishes
every change, so the notifier reads no registry table.
"""

from __future__ import annotations

import time
from collections.abc import Callable

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
    whole topic, or when it cannot reach its end, RegistryNotRead.

    The feed is started on first use (the HTTP side's, in each gunicorn worker after the
    fork); a zone's list of stations is read up to the topic's end first when the view is
    older than ``max_lag_s``, and answered from the view as it is when Kafka does not answer.
    """

    def __init__(
        self, feed: StationsFeed, sync_timeout_s: float = 5.0, max_lag_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.feed = feed
        self.sync_timeout_s = sync_timeout_s
        self.max_lag_s = max_lag_s
        self.clock = clock

    def _caught_up(self) -> None:
        self.feed.start()
        if not self.feed.wait_caught_up(self.sync_timeout_s):
            raise RegistryNotRead("the stations topic has not been read to its end yet")

    def contacts(self, station_code: str) -> Station | None:
        self._caught_up()
        record = self.feed.get(station_code)
        if record is None:
            if not self.feed.sync(self.sync_timeout_s):
                raise RegistryNotRead("the stations topic cannot be read to its end now")
            record = self.feed.get(station_code)
        return record.station if record is not None else None

    def zone_of(self, station_code: str) -> str | None:
        station = self.contacts(station_code)
        return station.zone if station is not None else None

    def stations_in(self, zone: str) -> frozenset[str]:
        self._caught_up()
        if self.clock() - self.feed.current_at > self.max_lag_s:
            self.feed.sync(self.sync_timeout_s)  # a station added a moment ago; best effort
        return frozenset(
            code for code, record in self.feed.stations().items() if record.zone == zone
        )

    def names(self, codes: frozenset[str]) -> dict[str, Station]:
        self.feed.start()
        self.feed.wait_caught_up(min(1.0, self.sync_timeout_s))
        found = {code: self.feed.get(code) for code in codes}
        return {code: record.station for code, record in found.items() if record is not None}

    def close(self) -> None:
        self.feed.stop()


def build_directory(
    kafka_bootstrap_servers: str, client_id: str = "notifier-stations"
) -> FeedDirectory:
    """A directory following the stations topic, its reader started."""
    feed = StationsFeed(kafka_bootstrap_servers, client_id=client_id)
    feed.start()
    return FeedDirectory(feed)
