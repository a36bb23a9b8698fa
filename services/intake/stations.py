"""Intake's view of the station registry, held in memory and refreshed in the background of
requests, so that no request waits on Postgres except the first."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from services.intake.domain import Station
from shared import db

logger = logging.getLogger(__name__)


def load_stations(database_url: str) -> dict[str, Station]:
    """Every station in the registry, by code."""
    with (
        db.connection(database_url, application_name="intake") as conn,
        db.transaction(conn) as cur,
    ):
        cur.execute("SELECT code, name_en, name_hi, zone, active, qr_version FROM stations")
        return {row[0]: Station(*row) for row in cur.fetchall()}


class RegistryUnavailable(Exception):
    """No view of the registry could be loaded yet."""


class StationDirectory:
    """Stations by code, reloaded when older than ``refresh_s``.

    An unknown code triggers an early reload (at most every ``miss_reload_s``), so a station
    added to the registry opens its form without a restart. If a reload fails the previous
    view is kept and the failure logged; with no view at all, ``get`` raises
    RegistryUnavailable.
    """

    def __init__(
        self,
        load: Callable[[], dict[str, Station]],
        refresh_s: float = 30.0,
        miss_reload_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._refresh_s = refresh_s
        self._miss_reload_s = miss_reload_s
        self._clock = clock
        self._lock = threading.Lock()
        self._stations: dict[str, Station] | None = None
        self._loaded_at = float("-inf")

    def get(self, code: str) -> Station | None:
        now = self._clock()
        if self._stations is None or now - self._loaded_at >= self._refresh_s:
            self._reload(now)
        assert self._stations is not None
        station = self._stations.get(code)
        if station is None and now - self._loaded_at >= self._miss_reload_s:
            self._reload(now)
            station = self._stations.get(code)
        return station

    def ready(self) -> bool:
        """True when a view of the registry is held (loading it now if need be)."""
        try:
            self.get("")
        except RegistryUnavailable:
            return False
        return True

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
