"""Intake's view of the station registry, held in memory, so that visitors' requests do not
wait on PostgreSQL.

Two sources feed it. The ``stations`` topic (``shared.stations_feed``), read by a
background thread, brings every change made through the QR service within about a second:
a rotated or deactivated code is refused, and a new station's form opens, without a
restart. PostgreSQL gives the first view at start and a periodic reconciliation (rows
changed by hand in SQL publish nothing). Every record carries the station's ``revision``
(a database sequence bumped by each change), and of the two sources the higher revision
wins, so neither can bring back a replaced code.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from services.intake.domain import Station
from shared import db
from shared.stations_feed import StationChanged

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownStation(Station):
    """A station with the registry revision it was read at."""

    revision: int = 0


def revision_of(station: Station) -> int:
    return getattr(station, "revision", 0)


def from_record(record: StationChanged) -> KnownStation:
    return KnownStation(
        record.code,
        record.name_en,
        record.name_hi,
        record.zone,
        record.active,
        record.qr_version,
        record.revision,
    )


def load_stations(database_url: str) -> dict[str, Station]:
    """Every station in the registry, by code."""
    with (
        db.connection(database_url, application_name="intake") as conn,
        db.transaction(conn) as cur,
    ):
        cur.execute(
            "SELECT code, name_en, name_hi, zone, active, qr_version, revision FROM stations"
        )
        return {row[0]: KnownStation(*row) for row in cur.fetchall()}


class Feed(Protocol):
    """What the directory needs of ``shared.stations_feed.StationsFeed``."""

    def start(self) -> None: ...

    def get(self, code: str) -> StationChanged | None: ...

    @property
    def caught_up(self) -> bool: ...


class RegistryUnavailable(Exception):
    """No view of the registry could be loaded yet."""


class StationDirectory:
    """Stations by code, from PostgreSQL reloaded when older than ``refresh_s`` and, when a
    ``feed`` is given, from the ``stations`` topic as changes happen.

    Without a feed the reload runs in the request that finds the view stale. With a feed
    it runs in a background thread (the feed carries the changes; the reload only
    reconciles), so no request waits on PostgreSQL but the very first. An unknown code
    triggers an early reload (at most every ``miss_reload_s``), so a station added to the
    registry opens its form without a restart even when it was added by hand. If a reload
    fails the previous view is kept and the failure logged; with no view at all ``get``
    answers from the feed once it has read the whole topic, and raises RegistryUnavailable
    otherwise.
    """

    def __init__(
        self,
        load: Callable[[], dict[str, Station]],
        refresh_s: float = 30.0,
        miss_reload_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        feed: Feed | None = None,
    ) -> None:
        self._load = load
        self._refresh_s = refresh_s
        self._miss_reload_s = miss_reload_s
        self._clock = clock
        self._feed = feed
        self._lock = threading.Lock()
        self._stations: dict[str, Station] | None = None
        self._loaded_at = float("-inf")
        self._reloading = False

    def get(self, code: str) -> Station | None:
        now = self._clock()
        if self._feed is not None:
            self._feed.start()
        try:
            if self._stations is None:
                self._reload(now)
            elif now - self._loaded_at >= self._refresh_s:
                if self._feed is not None:
                    self._reload_in_background(now)
                else:
                    self._reload(now)
        except RegistryUnavailable:
            if self._feed is None or not self._feed.caught_up:
                raise
            logger.warning("registry database unreachable; answering from the stations topic")
            return self._newer(None, code)
        assert self._stations is not None
        station = self._newer(self._stations.get(code), code)
        if station is None and now - self._loaded_at >= self._miss_reload_s:
            self._reload(now)
            station = self._newer(self._stations.get(code), code)
        return station

    def ready(self) -> bool:
        """True when a view of the registry is held (loading it now if need be)."""
        try:
            self.get("")
        except RegistryUnavailable:
            return False
        return True

    def _newer(self, known: Station | None, code: str) -> Station | None:
        record = self._feed.get(code) if self._feed is not None else None
        if record is not None and (known is None or record.revision > revision_of(known)):
            return from_record(record)
        return known

    def _reload_in_background(self, now: float) -> None:
        with self._lock:
            if self._reloading:
                return
            self._reloading = True

        def reload() -> None:
            try:
                self._reload(now)
            finally:
                self._reloading = False

        threading.Thread(target=reload, name="stations-reload", daemon=True).start()

    def _reload(self, now: float) -> None:
        with self._lock:
            if self._stations is not None and self._loaded_at >= now:
                return  # another thread reloaded while this one waited
            try:
                self._stations = self._load()
            except Exception as exc:
                if self._stations is None:
                    raise RegistryUnavailable(str(exc)) from exc
                logger.warning("station reload failed; keeping the previous view", exc_info=True)
            self._loaded_at = now
