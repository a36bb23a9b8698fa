"""Analytics' use cases: store a batch of feedback once, recompute the touched stations'
windows into Redis, tell the notifier; refresh windows that moved with time; rebuild.

Failure kinds (house style 7): a message that can never be processed goes to the dead-letter
topic and is skipped; a transient fault (PostgreSQL, Redis or Kafka unreachable) is retried
with backoff until it passes or the consumer is asked to stop, and then ``Stopped`` is raised
so that nothing past the failure is committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg2
import redis
from kafka.errors import KafkaError
from tenacity import Retrying, retry_if_exception_type, wait_exponential

from services.analytics import store
from services.analytics.adapters import Database, Outbox
from services.analytics.cache import ScoresCache
from services.analytics.domain import (
    hours_that_left,
    oldest_hour_needed,
    windows_from_buckets,
)
from services.analytics.ranking import RankingPolicy
from services.analytics.telemetry import ConsumerTelemetry
from shared.events import FeedbackSubmitted, InvalidEvent, StationScoresUpdated

logger = logging.getLogger(__name__)
T = TypeVar("T")
TRANSIENT = (
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
    KafkaError,
)


class Stopped(Exception):
    """Asked to stop while a transient failure was being retried: nothing was committed."""


@dataclass
class Deps:
    database: Database
    cache: ScoresCache
    outbox: Outbox
    telemetry: ConsumerTelemetry
    policy: RankingPolicy
    dlq_topic: str
    scores_topic: str
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    stopping: threading.Event = field(default_factory=threading.Event)
    retry_max_pause_s: float = 30.0
    known_stations: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class BatchOutcome:
    received: int
    inserted: int
    dead_lettered: int
    stations: frozenset[str]


def retrying(deps: Deps, what: str, action: Callable[[], T]) -> T:
    """``action()`` until it succeeds; transient errors are retried with exponential backoff.
    Raises Stopped if the consumer is asked to stop meanwhile."""

    def log_retry(state: Any) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.warning(
            "transient failure, retrying",
            extra={"step": what, "attempt": state.attempt_number, "error": repr(error)},
        )

    try:
        for attempt in Retrying(
            retry=retry_if_exception_type(TRANSIENT),
            wait=wait_exponential(multiplier=0.1, max=deps.retry_max_pause_s),
            stop=lambda state: deps.stopping.is_set(),
            before_sleep=log_retry,
            sleep=deps.stopping.wait,
            reraise=True,
        ):
            with attempt:
                return action()
    except TRANSIENT as failure:
        # Retries only end on a stop request; what failed stays uncommitted.
        raise Stopped(what) from failure
    raise Stopped(what)  # pragma: no cover - Retrying returns or raises


def _decode(records: Sequence[Any]) -> tuple[list[FeedbackSubmitted], list[tuple[Any, str]]]:
    events, poison = [], []
    for record in records:
        try:
            events.append((record, FeedbackSubmitted.from_json(record.value or b"")))
        except InvalidEvent as invalid:
            poison.append((record, str(invalid)))
    return events, poison  # type: ignore[return-value]


def _unknown_stations(deps: Deps, codes: set[str]) -> set[str]:
    missing = codes - deps.known_stations
    if missing:

        def look_up() -> set[str]:
            with deps.database.transaction() as cur:
                return store.existing_stations(cur, missing)

        deps.known_stations |= retrying(deps, "stations", look_up)
    return codes - deps.known_stations


def process_batch(deps: Deps, records: Sequence[Any]) -> BatchOutcome:
    """Store ``records`` (Kafka records of feedback.submitted) and everything that follows
    from them. When this returns, their offsets may be committed; when it raises, they must
    not be."""
    started = time.perf_counter()
    decoded, poison = _decode(records)
    unknown = _unknown_stations(deps, {e.station_code for _, e in decoded})
    events = []
    for record, event in decoded:
        if event.station_code in unknown:
            poison.append((record, f"unknown station {event.station_code}"))
        else:
            events.append(event)
    if poison:
        letters = [deps.outbox.dead_letter(deps.dlq_topic, r, why) for r, why in poison]
        retrying(deps, "dead letters", lambda: deps.outbox.send_all(letters))
        for record, why in poison:
            logger.warning(
                "message sent to the dead-letter topic",
                extra={"reason": why, "partition": record.partition, "offset": record.offset},
            )

    def save() -> int:
        with deps.database.transaction() as cur:
            return store.store_batch(cur, events)

    inserted = retrying(deps, "postgres", save)
    # Every station of the batch, not only those with new rows: after a crash between the
    # PostgreSQL commit and the Redis write, the replay must still bring Redis up to date.
    stations = frozenset(e.station_code for e in events)
    recompute(deps, stations)
    outcome = BatchOutcome(len(records), inserted, len(poison), stations)
    deps.telemetry.record_batch(outcome, [why for _, why in poison], time.perf_counter() - started)
    return outcome


def recompute(deps: Deps, stations: Iterable[str]) -> dict[str, dict]:
    """Recompute these stations' windows from the buckets, write them to Redis, rerank and
    publish their scores; returns station -> windows."""
    stations = sorted(set(stations))
    if not stations:
        return {}
    now = deps.clock()

    def load() -> dict[str, dict]:
        with deps.database.transaction() as cur:
            buckets = store.load_buckets(cur, stations, oldest_hour_needed(now))
        return {code: windows_from_buckets(buckets.get(code, {}), now) for code in stations}

    windows = retrying(deps, "postgres", load)

    retrying(deps, "redis", lambda: deps.cache.write_stations(windows, now, deps.policy))
    messages = [
        Outbox.scores(
            deps.scores_topic,
            StationScoresUpdated(station_code=code, computed_at=now, windows=by_window),
        )
        for code, by_window in windows.items()
    ]
    retrying(deps, "kafka", lambda: deps.outbox.send_all(messages))
    return windows


def refresh_moved(deps: Deps, previous: datetime, now: datetime) -> set[str]:
    """Recompute the stations whose windows moved between ``previous`` and ``now`` (a bucket
    of theirs left a window as the hour turned); returns them."""
    ranges = hours_that_left(previous, now)
    if not ranges:
        return set()

    def find() -> set[str]:
        with deps.database.transaction() as cur:
            return store.stations_with_buckets_in(cur, ranges)

    stations = retrying(deps, "postgres", find)
    recompute(deps, stations)
    logger.info("windows refreshed", extra={"stations": len(stations)})
    return stations


def rebuild(deps: Deps) -> int:
    """Recompute every station's Redis state from PostgreSQL; returns the station count."""

    def codes() -> list[str]:
        with deps.database.transaction() as cur:
            return store.all_station_codes(cur)

    stations = retrying(deps, "postgres", codes)
    stale = set(deps.cache.client.smembers(f"{deps.cache.prefix}:stations")) - set(stations)
    deps.cache.forget(stale)
    recompute(deps, stations)
    retrying(deps, "redis", deps.cache.mark_built)
    return len(stations)
