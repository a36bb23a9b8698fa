"""Fakes of analytics' ports (services/analytics/ports.py): a feedback database whose
transactions roll back, a scores cache, and faults to inject. No sockets."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from services.analytics.domain import bucket_events
from services.analytics.domain.windows import add
from shared.events import FeedbackSubmitted, Personal
from shared.scores import WindowStats


class Unreachable(Exception):
    """The fakes' transient fault (the database or the cache cannot be reached)."""


class FakeFeedback:
    """The repository: feedback facts by event id, buckets by (station, hour)."""

    def __init__(self, stations: set[str]) -> None:
        self.stations = stations
        # Each station's lock, as PostgreSQL's advisory locks: held by a thread until its
        # transaction ends; ``waiting`` counts the threads waiting for one.
        self.locks: dict[str, threading.Lock] = {}
        self.held = threading.local()
        self.waiting = 0
        self.facts: dict[object, FeedbackSubmitted] = {}
        self.personal: dict[object, Personal] = {}
        self.buckets: dict[tuple[str, datetime], WindowStats] = {}

    def store_batch(
        self, events: Sequence[FeedbackSubmitted], personal: Mapping[object, Personal]
    ) -> int:
        new = [e for e in {e.event_id: e for e in events}.values() if e.event_id not in self.facts]
        for event in new:
            self.facts[event.event_id] = event
            self.personal[event.event_id] = personal[event.event_id]
        for key, stats in bucket_events(new).items():
            self.buckets[key] = add(self.buckets.get(key, WindowStats()), stats)
        return len(new)

    def lock_stations(self, codes: Sequence[str]) -> None:
        for code in sorted(set(codes)):
            lock = self.locks.setdefault(code, threading.Lock())
            if not lock.acquire(blocking=False):
                self.waiting += 1
                lock.acquire()
                self.waiting -= 1
            self.held.locks = [*getattr(self.held, "locks", []), lock]

    def release_locks(self) -> None:
        for lock in getattr(self.held, "locks", []):
            lock.release()
        self.held.locks = []

    def existing_stations(self, codes: Iterable[str]) -> set[str]:
        return set(codes) & self.stations

    def all_station_codes(self) -> list[str]:
        return sorted(self.stations)

    def load_buckets(self, codes: Iterable[str], since: datetime):
        found: dict[str, dict[datetime, WindowStats]] = {}
        for (code, hour), stats in self.buckets.items():
            if code in set(codes) and hour >= since:
                found.setdefault(code, {})[hour] = stats
        return found

    def stations_with_buckets_in(self, ranges: Sequence[tuple[datetime, datetime]]) -> set[str]:
        return {c for (c, hour) in self.buckets if any(a <= hour <= b for a, b in ranges)}


class FakeDatabase:
    """Transactions over a FakeFeedback: the state is restored when the block raises.
    ``fail_next`` transactions raise Unreachable before doing anything."""

    def __init__(self, stations: Iterable[str] = ()) -> None:
        self.feedback = FakeFeedback(set(stations))
        self.fail_next = 0
        self.failures = 0

    @contextmanager
    def transaction(self) -> Iterator[FakeFeedback]:
        if self.fail_next:
            self.fail_next -= 1
            self.failures += 1
            raise Unreachable("database down")
        saved = copy.deepcopy((self.feedback.facts, self.feedback.buckets))
        try:
            yield self.feedback
        except BaseException:
            self.feedback.facts, self.feedback.buckets = saved
            raise
        finally:
            self.feedback.release_locks()

    def close(self) -> None:
        pass


class FakeScoresCache:
    """Each station's windows as last written, and the built flag."""

    def __init__(self) -> None:
        self.windows: dict[str, dict[str, WindowStats]] = {}
        self.computed_at: dict[str, datetime] = {}
        self.built = False

    def write_stations(
        self,
        windows: Mapping[str, Mapping[str, WindowStats]],
        computed_at: datetime,
    ) -> None:
        for code, by_window in windows.items():
            self.windows[code] = dict(by_window)
            self.computed_at[code] = computed_at

    def read_station(self, code: str) -> dict[str, WindowStats] | None:
        return self.windows.get(code)

    def station_codes(self) -> set[str]:
        return set(self.windows)

    def forget(self, codes: Iterable[str]) -> None:
        for code in codes:
            self.windows.pop(code, None)

    def mark_built(self) -> None:
        self.built = True

    def is_built(self) -> bool:
        return self.built


class FakeHealth:
    """The worker's figures, summed."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}
        self.beats = 0

    def add(self, counters: Mapping[str, float]) -> None:
        for name, value in counters.items():
            self.figures[name] = self.figures.get(name, 0.0) + value

    def beat(self, lag: int | None) -> None:
        self.beats += 1

    def close(self) -> None:
        pass


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 14, 10, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now
