"""Redis side of analytics (``ScoresCache``): each station's windows and, per window, every
station's sums, from which the ranking is made when it is read.

Everything here is recomputed from PostgreSQL and written whole (HSET of every field, in one
MULTI), never incremented, so a replayed batch or a rebuild leaves the same values.

Keys (prefix ``analytics`` by default):
  <prefix>:station:<code>       hash, field "<window>.<stat>" for every window and sum,
                                plus "computed_at"
  <prefix>:sums:<window>        hash, station code -> "count:rating_sum" (what the ranking is
                                made from when it is read)
  <prefix>:stations             set of the station codes that have a hash
  <prefix>:built                set by a rebuild; missing means Redis lost its data
  <prefix>:version              a new random token at every write of scores
                                (in the same MULTI): readers reuse a ranking until it moves
                                (random, not a counter: a counter restarted after Redis lost
                                its data could come back to a value a reader still holds)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

import redis

from services.analytics.domain import (
    ALL_WINDOWS,
    PUBLIC_WINDOWS,
    STAT_FIELDS,
    RankedStation,
    RankingPolicy,
    rank_stations,
)
from shared.scores import WindowStats


class ScoresCache:
    def __init__(self, client: redis.Redis, prefix: str = "analytics") -> None:
        self.client = client
        self.prefix = prefix

    def _station_key(self, code: str) -> str:
        return f"{self.prefix}:station:{code}"

    def _sums_key(self, window: str) -> str:
        return f"{self.prefix}:sums:{window}"

    def _version_key(self) -> str:
        return f"{self.prefix}:version"

    def write_stations(
        self,
        windows: Mapping[str, Mapping[str, WindowStats]],
        computed_at: datetime,
    ) -> None:
        """Replace the stored windows of these stations and their sums, in one MULTI, with a
        new version token. Only these stations are written, however many there are: the
        ranking is made from the sums when it is read (``ranking``), so a reader never sees
        a station's new scores beside an older ranking, and members of the group writing
        different stations at once do not have to wait for each other."""
        if not windows:
            return
        with self.client.pipeline(transaction=True) as pipe:
            for code, by_window in windows.items():
                mapping: dict[Any, Any] = {"computed_at": computed_at.isoformat()}
                for window, stats in by_window.items():
                    for name in STAT_FIELDS:
                        mapping[f"{window}.{name}"] = getattr(stats, name)
                pipe.hset(self._station_key(code), mapping=mapping)
            pipe.sadd(f"{self.prefix}:stations", *windows)
            for window in PUBLIC_WINDOWS:
                pipe.hset(self._sums_key(window), mapping={
                    code: f"{by_window[window].count}:{by_window[window].rating_sum}"
                    for code, by_window in windows.items()
                })  # fmt: skip
            pipe.set(self._version_key(), uuid.uuid4().hex)
            pipe.execute()

    def read_station(self, code: str) -> dict[str, WindowStats] | None:
        raw = cast(dict[str, str], self.client.hgetall(self._station_key(code)))
        return _parse(raw) if raw else None

    def all_stations(self) -> dict[str, dict[str, WindowStats]]:
        codes = sorted(self.station_codes())
        pipe = self.client.pipeline(transaction=False)
        for code in codes:
            pipe.hgetall(self._station_key(code))
        return {code: _parse(raw) for code, raw in zip(codes, pipe.execute(), strict=True) if raw}

    def ranking(self, window: str, policy: RankingPolicy) -> list[RankedStation]:
        """Stations with feedback in ``window``, best first (``rank_stations``: ranked ones,
        then those with too few), from every station's sums as they are now."""
        raw = cast(dict[str, str], self.client.hgetall(self._sums_key(window)))
        sums = {code: _unpack(packed) for code, packed in raw.items()}
        return [r for r in rank_stations(sums, policy) if r.count > 0]

    def version(self) -> str | None:
        """The last write's token; None after Redis lost its data (or before any write)."""
        return cast(str | None, self.client.get(self._version_key()))

    def station_codes(self) -> set[str]:
        """The stations that have a hash."""
        return set(self.client.smembers(f"{self.prefix}:stations"))  # type: ignore[arg-type]

    def forget(self, codes: Iterable[str]) -> None:
        codes = list(codes)
        if codes:
            self.client.delete(*(self._station_key(c) for c in codes))
            self.client.srem(f"{self.prefix}:stations", *codes)
            for window in PUBLIC_WINDOWS:
                self.client.hdel(self._sums_key(window), *codes)
            self.client.set(self._version_key(), uuid.uuid4().hex)

    def mark_built(self) -> None:
        """Say that every station was written (by a rebuild)."""
        self.client.set(f"{self.prefix}:built", "1")
        # The sorted rankings that versions before December 2026 kept: no longer read.
        self.client.delete(*(f"{self.prefix}:ranking:{window}" for window in PUBLIC_WINDOWS))

    def is_built(self) -> bool:
        """False after Redis lost its data (a flush, a restart without persistence)."""
        return bool(self.client.exists(f"{self.prefix}:built"))

    def ping(self) -> bool:
        return bool(self.client.ping())


def _unpack(raw: str) -> WindowStats:
    count, rating_sum = raw.split(":")
    return WindowStats(count=int(count), rating_sum=int(rating_sum))


def _parse(raw: Mapping[str, str]) -> dict[str, WindowStats]:
    return {
        window: WindowStats(**{name: int(raw.get(f"{window}.{name}", 0)) for name in STAT_FIELDS})
        for window in ALL_WINDOWS
    }
