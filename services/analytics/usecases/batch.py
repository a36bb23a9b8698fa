"""Analytics' use cases: store a batch of feedback once, recompute the touched stations'
windows into the cache, tell the notifier; refresh windows that moved with time; rebuild.

Failure kinds (house style 7): a message that can never be processed is returned as
``Invalid`` (the runtime dead-letters it), and so is one whose sealed name and number cannot
be opened (unknown key id, tampered box): nothing of it is stored, so a replay after a fix
counts it once; a transient fault (database, cache or broker unreachable) is retried by
``deps.retry`` step by step, so a cache outage does not redo the database's writes (only
the read of the buckets, under the stations' locks), until it passes or the worker is asked
to stop (``Stopped``: nothing past the failure is committed).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from services.analytics.domain import (
    RankingPolicy,
    hours_that_left,
    oldest_hour_needed,
    windows_from_buckets,
)
from services.analytics.ports import Clock, FeedbackDatabase, Publisher, ScoresCache
from shared.clock import utc_now
from shared.consumer import Invalid, Message, Record, RetryPolicy, StepResult
from shared.events import FeedbackSubmitted, InvalidEvent, Personal, StationScoresUpdated
from shared.scores import WindowStats
from shared.sealing import Opener, Unopenable

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    database: FeedbackDatabase
    cache: ScoresCache
    publisher: Publisher
    policy: RankingPolicy
    scores_topic: str
    retry: RetryPolicy
    # The private sealing keys by id: opens the name and number of each event.
    opener: Opener
    clock: Clock = utc_now
    known_stations: set[str] = field(default_factory=set)


def _decode(
    records: Sequence[Record],
) -> tuple[list[tuple[Record, FeedbackSubmitted]], list[Invalid]]:
    events, invalid = [], []
    for record in records:
        try:
            events.append((record, FeedbackSubmitted.from_json(record.value or b"")))
        except InvalidEvent as reason:
            invalid.append(Invalid(record, str(reason)))
    return events, invalid


def _unknown_stations(deps: Deps, codes: set[str]) -> set[str]:
    missing = codes - deps.known_stations
    if missing:

        def look_up() -> set[str]:
            with deps.database.transaction() as feedback:
                return feedback.existing_stations(missing)

        deps.known_stations |= deps.retry("stations", look_up)
    return codes - deps.known_stations


def process_batch(deps: Deps, records: Sequence[Record]) -> StepResult:
    """Store ``records`` (of feedback.submitted) and everything that follows from them. When
    this returns, their offsets may be committed once the invalid ones are dead-lettered."""
    decoded, invalid = _decode(records)
    unknown = _unknown_stations(deps, {e.station_code for _, e in decoded})
    events: list[FeedbackSubmitted] = []
    personal: dict[UUID, Personal] = {}
    for record, event in decoded:
        if event.station_code in unknown:
            invalid.append(Invalid(record, f"unknown station {event.station_code}"))
            continue
        try:
            personal[event.event_id] = deps.opener.open(event.sealed, event.event_id)
        except Unopenable as reason:
            invalid.append(Invalid(record, f"sealed personal data: {reason}"))
            continue
        events.append(event)

    def save() -> int:
        with deps.database.transaction() as feedback:
            return feedback.store_batch(events, personal)

    inserted = deps.retry("postgres", save) if events else 0
    # Every station of the batch, not only those with new rows: after a crash between the
    # database commit and the cache write, the replay must still bring the cache up to date.
    recompute(deps, {e.station_code for e in events})
    return StepResult(invalid, {"events_inserted": float(inserted)})


# Stations recomputed in one transaction (each holds one lock per station, see below).
RECOMPUTE_CHUNK = 1000


def recompute(deps: Deps, stations: Iterable[str]) -> dict[str, dict[str, WindowStats]]:
    """Recompute these stations' windows from the buckets, write them to the cache, rerank
    and publish their scores; returns station -> windows."""
    codes = sorted(set(stations))
    windows: dict[str, dict[str, WindowStats]] = {}
    events: list[StationScoresUpdated] = []
    for start in range(0, len(codes), RECOMPUTE_CHUNK):
        chunk = codes[start : start + RECOMPUTE_CHUNK]
        now, written = deps.retry("recompute", functools.partial(_write_windows, deps, chunk))
        windows.update(written)
        events += [
            StationScoresUpdated(station_code=code, computed_at=now, windows=by_window)
            for code, by_window in written.items()
        ]
    if events:
        messages = [Message(deps.scores_topic, e.key, e.to_json()) for e in events]
        deps.retry("kafka", lambda: deps.publisher.publish(messages))
    return windows


def _write_windows(
    deps: Deps, codes: list[str]
) -> tuple[datetime, dict[str, dict[str, WindowStats]]]:
    """Load, compute and write to the cache under the stations' locks, in one transaction.

    Several members of the group may recompute the same station at once: a new member's
    rebuild, every member's hourly refresh, a batch still in hand on a member that lost its
    partition. Without the locks the later writer could hold the older load (one member
    loads, another stores an event and writes fresher windows, the first then writes its
    stale ones) and the cache would miss that event until the station's next one. With them,
    whoever writes last also loaded last, after every commit the earlier writer saw."""
    with deps.database.transaction() as feedback:
        feedback.lock_stations(codes)
        now = deps.clock()
        buckets = feedback.load_buckets(codes, oldest_hour_needed(now))
        windows = {code: windows_from_buckets(buckets.get(code, {}), now) for code in codes}
        deps.cache.write_stations(windows, now)
    return now, windows


def refresh_moved(deps: Deps, previous: datetime, now: datetime) -> set[str]:
    """Recompute the stations whose windows moved between ``previous`` and ``now`` (a bucket
    of theirs left a window as the hour turned); returns them."""
    ranges = hours_that_left(previous, now)
    if not ranges:
        return set()

    def find() -> set[str]:
        with deps.database.transaction() as feedback:
            return feedback.stations_with_buckets_in(ranges)

    stations = deps.retry("postgres", find)
    recompute(deps, stations)
    logger.info("windows refreshed", extra={"stations": len(stations)})
    return stations


def rebuild(deps: Deps) -> int:
    """Recompute every station's cached state from the database; returns the station count."""

    def codes() -> list[str]:
        with deps.database.transaction() as feedback:
            return feedback.all_station_codes()

    stations = deps.retry("postgres", codes)
    stale = deps.retry("redis", deps.cache.station_codes) - set(stations)
    deps.retry("redis", lambda: deps.cache.forget(stale))
    recompute(deps, stations)
    deps.retry("redis", deps.cache.mark_built)
    return len(stations)
