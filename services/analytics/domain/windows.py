"""Pure rules of analytics: hour buckets, sliding windows and which stations they move.

No I/O here. Times are aware datetimes; every bucket is one UTC hour, named by its start.
A window of N hours at time ``now`` holds the hour ``now`` is in and the N-1 hours before it,
so windows slide once an hour, at the hour. ``baseline_30d`` holds the 30 days before the
last 24 hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import UTC, datetime, timedelta

from shared.events import FeedbackSubmitted
from shared.scores import BASELINE, WINDOWS, WindowStats

HOUR = timedelta(hours=1)
PUBLIC_WINDOWS = ("24h", "7d", "30d")
ALL_WINDOWS = (*WINDOWS, BASELINE)
_BASELINE_GAP_HOURS = 24
_BASELINE_HOURS = 30 * 24
STAT_FIELDS = tuple(f.name for f in fields(WindowStats))


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour ``moment`` falls in (ValueError for a naive time)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must carry a time zone")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def window_hours(window: str, now: datetime) -> tuple[datetime, datetime]:
    """First and last hour (both included) of ``window`` at ``now``; KeyError if unknown."""
    current = hour_of(now)
    if window == BASELINE:
        last = current - _BASELINE_GAP_HOURS * HOUR
        return last - (_BASELINE_HOURS - 1) * HOUR, last
    return current - (WINDOWS[window] - 1) * HOUR, current


def oldest_hour_needed(now: datetime) -> datetime:
    return min(window_hours(w, now)[0] for w in ALL_WINDOWS)


def event_stats(event: FeedbackSubmitted) -> WindowStats:
    """What one feedback adds to its hour's bucket."""
    return WindowStats(
        count=1,
        rating_sum=event.rating,
        low_ratings=int(event.rating <= 2),
        unresolved=int(not event.problem_resolved),
        staff_available=int(event.staff_available),
        staff_helped=int(event.staff_helped),
        cleanliness_sum=event.cleanliness or 0,
        cleanliness_count=int(event.cleanliness is not None),
    )


def add(a: WindowStats, b: WindowStats) -> WindowStats:
    return WindowStats(**{f: getattr(a, f) + getattr(b, f) for f in STAT_FIELDS})


def total(stats: Iterable[WindowStats]) -> WindowStats:
    result = WindowStats()
    for item in stats:
        result = add(result, item)
    return result


def bucket_events(events: Iterable[FeedbackSubmitted]) -> dict[tuple[str, datetime], WindowStats]:
    """(station, hour) -> sums: the buckets these events make (a recount from the input)."""
    buckets: dict[tuple[str, datetime], WindowStats] = {}
    for event in events:
        key = (event.station_code, hour_of(event.submitted_at))
        buckets[key] = add(buckets.get(key, WindowStats()), event_stats(event))
    return buckets


def windows_from_buckets(
    buckets: Mapping[datetime, WindowStats], now: datetime
) -> dict[str, WindowStats]:
    """Every window (1h, 24h, 7d, 30d, baseline_30d) of one station at ``now``."""
    result = {}
    for window in ALL_WINDOWS:
        first, last = window_hours(window, now)
        result[window] = total(s for hour, s in buckets.items() if first <= hour <= last)
    return result


def hours_that_left(previous: datetime, now: datetime) -> list[tuple[datetime, datetime]]:
    """Hour ranges (both ends included) that some window held at ``previous`` but no longer
    holds at ``now``: a station with a bucket in one of them has windows that moved."""
    before, current = hour_of(previous), hour_of(now)
    if current <= before:
        return []
    ranges = []
    for window in ALL_WINDOWS:
        old_first, _ = window_hours(window, before)
        new_first, _ = window_hours(window, current)
        ranges.append((old_first, new_first - HOUR))
    # The baseline also gains the hours the 24-hour window lost: covered by 24h's range.
    return ranges
