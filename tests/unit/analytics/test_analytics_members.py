"""Several members of the analytics group on the same station at once (a new member's
rebuild, the hourly refresh, a batch still in hand after a rebalance): whoever writes the
station's windows to the cache last has loaded them last, so no event goes missing from the
cache; a batch replayed by another member is counted once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from services.analytics.usecases import process_batch, rebuild
from shared.consumer import Record
from shared.consumer.records import StoredRecord
from shared.scores import WindowStats
from tests.unit.analytics.fakes import FakeScoresCache
from tests.unit.analytics.test_analytics_batch import STATION, Pipeline, feedback


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.005)


class PausedCache:
    """The shared cache, but this member's first write waits until ``go`` is set (the
    member is slow between loading the buckets and writing what it computed)."""

    def __init__(self, cache: FakeScoresCache) -> None:
        self.cache = cache
        self.writing, self.go = threading.Event(), threading.Event()

    def write_stations(
        self,
        windows: Mapping[str, Mapping[str, WindowStats]],
        computed_at: datetime,
    ) -> None:
        if not self.go.is_set():
            self.writing.set()
            assert self.go.wait(10.0), "never let go"
        self.cache.write_stations(windows, computed_at)

    def __getattr__(self, name: str):
        return getattr(self.cache, name)


def as_records(*events) -> list[Record]:
    return [
        StoredRecord("feedback.submitted", 0, offset, STATION.encode(), e.to_json(), ())
        for offset, e in enumerate(events)
    ]


def test_a_slow_rebuild_on_a_new_member_does_not_overwrite_fresher_windows():
    pipeline = Pipeline()
    paused = PausedCache(pipeline.cache)
    new_member = replace(pipeline.deps, cache=paused)
    rebuilding = threading.Thread(target=rebuild, args=(new_member,))
    rebuilding.start()
    assert paused.writing.wait(10.0)  # it loaded the station's buckets: no feedback yet

    # Meanwhile the member that owns the station's partition stores an event.
    owner = threading.Thread(
        target=process_batch, args=(pipeline.deps, as_records(feedback(rating=1)))
    )
    owner.start()
    wait_until(lambda: pipeline.database.feedback.waiting == 1 or not owner.is_alive(),
               "the owner waits for the station's lock or is done")  # fmt: skip
    paused.go.set()
    rebuilding.join(10.0)
    owner.join(10.0)

    windows = pipeline.cache.read_station(STATION)
    assert windows is not None
    assert windows["24h"].count == 1 and windows["24h"].low_ratings == 1


def test_a_batch_replayed_by_another_member_after_a_rebalance_counts_once():
    pipeline = Pipeline()
    batch = as_records(feedback(rating=1), feedback(rating=5), feedback(rating=3))
    process_batch(pipeline.deps, batch)  # the member that lost the partition

    other = replace(pipeline.deps, known_stations=set())
    process_batch(other, batch)  # its successor reads from the last commit on

    windows = pipeline.cache.read_station(STATION)
    assert windows is not None
    assert windows["24h"].count == 3 and windows["24h"].rating_sum == 9
    assert len(pipeline.database.feedback.facts) == 3
