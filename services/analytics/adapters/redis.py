"""Redis side of analytics (``ScoresCache``): each station's windows and a ranking per window.

Everything here is recomputed from PostgreSQL and written whole (HSET of every field, the
ranking replaced in one MULTI), never incremented, so a replayed batch or a rebuild leaves
the same values.

Keys (prefix ``analytics`` by default):
  <prefix>:station:<code>       hash, field "<window>.<stat>" for every window and sum,
                                plus "computed_at"
  <prefix>:ranking:<window>     sorted set, station code -> fair score (stations with feedback)
  <prefix>:sums:<window>        hash, station code -> "count:rating_sum" (what ranking needs)
  <prefix>:stations             set of the station codes that have a hash
  <prefix>:built                set by a rebuild; missing means Redis lost its data
  <prefix>:version              a new random token at every write of scores and rankings
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

    def _ranking_key(self, window: str) -> str:
        return f"{self.prefix}:ranking:{window}"

    def _sums_key(self, window: str) -> str:
        return f"{self.prefix}:sums:{window}"

    def _version_key(self) -> str:
        return f"{self.prefix}:version"

    def write_stations(
        self,
        windows: Mapping[str, Mapping[str, WindowStats]],
        computed_at: datetime,
        policy: RankingPolicy,
    ) -> None:
        """Replace the stored windows of these stations and every window's ranking, in one
        MULTI (retried while another writer changed the sums under it), so a reader never
        sees a station's new scores beside an older ranking (the city-wide mean moves with
        every batch, so every station's fair score does)."""
        if not windows:
            return
        # Every member of the group rewrites the rankings from all the stations' sums, so
        # the sums are watched: a member that read them just before another wrote its own
        # stations' would rank with stale ones. Then it reads them again and retries.
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    self._write_watched(pipe, windows, computed_at, policy)
                    return
                except redis.WatchError:
                    continue

    def _write_watched(
        self,
        pipe: Any,
        windows: Mapping[str, Mapping[str, WindowStats]],
        computed_at: datetime,
        policy: RankingPolicy,
    ) -> None:
        pipe.watch(*(self._sums_key(window) for window in PUBLIC_WINDOWS))
        stored = {window: pipe.hgetall(self._sums_key(window)) for window in PUBLIC_WINDOWS}
        pipe.multi()
        for code, by_window in windows.items():
            mapping: dict[Any, Any] = {"computed_at": computed_at.isoformat()}
            for window, stats in by_window.items():
                for name in STAT_FIELDS:
                    mapping[f"{window}.{name}"] = getattr(stats, name)
            pipe.hset(self._station_key(code), mapping=mapping)
        pipe.sadd(f"{self.prefix}:stations", *windows)
        for window in PUBLIC_WINDOWS:
            sums = {code: _unpack(raw) for code, raw in stored[window].items()}
            sums.update({code: by_window[window] for code, by_window in windows.items()})
            pipe.hset(self._sums_key(window), mapping={
                code: f"{by_window[window].count}:{by_window[window].rating_sum}"
                for code, by_window in windows.items()
            })  # fmt: skip
            ranked = rank_stations(sums, policy)
            scores = {r.station_code: r.score for r in ranked if r.score is not None}
            pipe.delete(self._ranking_key(window))
            if scores:
                pipe.zadd(self._ranking_key(window), scores)
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
        """Stations with feedback in ``window``, best first, from the stored sorted set."""
        pipe = self.client.pipeline(transaction=True)
        pipe.zrevrange(self._ranking_key(window), 0, -1, withscores=True)
        pipe.hgetall(self._sums_key(window))
        pairs, sums = pipe.execute()
        counts = [_unpack(sums.get(code, "0:0")).count for code, _ in pairs]
        rows = [(code, score, n) for (code, score), n in zip(pairs, counts, strict=True)]
        enough = [r for r in rows if r[2] >= policy.min_count]
        few = [r for r in rows if r[2] < policy.min_count]
        out = [RankedStation(c, s, n, i) for i, (c, s, n) in enumerate(enough, 1)]
        return out + [RankedStation(c, s, n, None) for c, s, n in few]

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
                self.client.zrem(self._ranking_key(window), *codes)
            self.client.set(self._version_key(), uuid.uuid4().hex)

    def mark_built(self) -> None:
        """Say that every station was written (by a rebuild)."""
        self.client.set(f"{self.prefix}:built", "1")

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
