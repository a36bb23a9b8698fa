"""Intake's view of the station registry, held in memory, so that visitors' requests wait
neither on PostgreSQL nor, as a rule, on Kafka.

The one source is the compacted ``stations`` topic, read from its beginning by a background
thread (``shared.stations_reader``): the QR service publishes every station there at start
and after every change, so a rotated or deactivated code is refused, and a new station's
form opens, within about a second and without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from services.intake.ports import RegistryUnavailable
from shared.events import Station, StationChanged

logger = logging.getLogger(__name__)


class Feed(Protocol):
    """What the directory needs of ``shared.stations_reader.StationsFeed``."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def get(self, code: str) -> StationChanged | None: ...

    @property
    def caught_up(self) -> bool: ...

    def wait_caught_up(self, timeout_s: float) -> bool: ...

    @property
    def current_at(self) -> float: ...

    def sync(self, timeout_s: float) -> bool: ...


class StationDirectory:
    """Stations by code, as the ``stations`` topic tells them.

    ``get`` answers from memory once the feed has read the whole topic; before that it waits
    up to ``first_read_s`` and then raises RegistryUnavailable. When the feed has not been at
    the end of the topic for ``max_lag_s`` (0: on every call) ``get`` first makes it read up
    to the topic's current end, for at most ``sync_timeout_s`` (one call at a time: a call
    that finds another reading answers from the view); if that fails (Kafka down) the answer
    comes from the view as it is, and no further attempt is made for ``retry_s``.
    """

    def __init__(
        self,
        feed: Feed,
        *,
        max_lag_s: float = 5.0,
        first_read_s: float = 5.0,
        sync_timeout_s: float = 1.0,
        retry_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._feed = feed
        self._max_lag_s = max_lag_s
        self._first_read_s = first_read_s
        self._sync_timeout_s = sync_timeout_s
        self._retry_s = retry_s
        self._clock = clock
        self._failed_at = float("-inf")
        self._syncing = threading.Lock()

    def get(self, code: str) -> Station | None:
        """The station of ``code``, None for a code the registry never had (a deactivated
        station is found, so its page can say so). RegistryUnavailable before the first
        full read of the topic."""
        self._feed.start()
        if not self._feed.caught_up and not self._feed.wait_caught_up(self._first_read_s):
            raise RegistryUnavailable("the stations topic has not been read to its end yet")
        now = self._clock()
        lagging = now - self._feed.current_at >= self._max_lag_s
        if lagging and now - self._failed_at >= self._retry_s:
            self._sync(now)
        record = self._feed.get(code)
        return record.station if record is not None else None

    def ready(self) -> bool:
        """True once the feed has read the whole topic (starting it, and waiting for it up to
        ``first_read_s``, if need be)."""
        self._feed.start()
        return self._feed.caught_up or self._feed.wait_caught_up(self._first_read_s)

    def close(self) -> None:
        self._feed.stop()

    def _sync(self, now: float) -> None:
        # One request reads to the end at a time; the others answer from the view meanwhile,
        # so an unreachable broker holds up one request per ``retry_s``, not every one.
        if not self._syncing.acquire(blocking=False):
            return
        try:
            if self._feed.sync(self._sync_timeout_s):
                return
            self._failed_at = now
        finally:
            self._syncing.release()
        logger.warning("stations topic not read to its end; answering from the view as it is")
