"""Window arithmetic on hourly buckets, with the clock set by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.analytics.domain.windows import (
    bucket_events,
    hour_of,
    hours_that_left,
    window_hours,
    windows_from_buckets,
)
from shared.events import FeedbackSubmitted, Sealed
from shared.scores import WindowStats

NOW = datetime(2026, 3, 15, 10, 20, tzinfo=UTC)
H = timedelta(hours=1)


def feedback(at: datetime, rating: int = 4, **fields) -> FeedbackSubmitted:
    values = dict(
        station_code="S-1", qr_version=1, rating=rating, sealed=Sealed("k1", "AAAA"),
        mobile_hash="0" * 64, complaint_type="theft", staff_available=True,
        staff_helped=False, problem_resolved=False, cleanliness=3, submitted_at=at,
    )  # fmt: skip
    values.update(fields)
    return FeedbackSubmitted(**values)


def windows_at(now: datetime, *events: FeedbackSubmitted) -> dict[str, WindowStats]:
    buckets = {hour: s for (_, hour), s in bucket_events(events).items()}
    return windows_from_buckets(buckets, now)


def test_an_hour_bucket_is_the_utc_hour_the_feedback_was_submitted_in_whatever_its_zone():
    india = timezone(timedelta(hours=5, minutes=30))
    assert hour_of(datetime(2026, 3, 15, 15, 50, tzinfo=india)) == datetime(
        2026, 3, 15, 10, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        hour_of(datetime(2026, 3, 15, 10, 0))


def test_the_24_hour_window_holds_the_current_hour_and_the_23_before_it():
    first, last = window_hours("24h", NOW)
    assert last == datetime(2026, 3, 15, 10, tzinfo=UTC)
    assert first == datetime(2026, 3, 14, 11, tzinfo=UTC)
    assert window_hours("30d", NOW)[0] == last - (720 - 1) * H


def test_the_baseline_is_the_30_days_before_the_last_24_hours():
    first, last = window_hours("baseline_30d", NOW)
    assert last == window_hours("24h", NOW)[0] - H
    assert last - first == (720 - 1) * H


def test_feedback_leaves_the_24_hour_window_when_its_hour_is_24_hours_old():
    at = NOW - 23 * H  # 2026-03-14 11:20, in the window's first hour
    assert windows_at(NOW, feedback(at))["24h"].count == 1
    assert windows_at(NOW + 39 * timedelta(minutes=1), feedback(at))["24h"].count == 1
    later = NOW + 40 * timedelta(minutes=1)  # 11:00 the next day: the hour turned
    moved = windows_at(later, feedback(at))
    assert moved["24h"].count == 0
    assert moved["7d"].count == 1
    assert moved["baseline_30d"].count == 1


def test_windows_add_up_every_sum_of_their_hours():
    events = [
        feedback(NOW - 2 * H, rating=1, problem_resolved=False, cleanliness=None),
        feedback(NOW - 30 * H, rating=5, problem_resolved=True, staff_helped=True),
        feedback(NOW - 10 * 24 * H, rating=2),
        feedback(NOW - 40 * 24 * H, rating=5),  # outside every window but none
    ]
    w = windows_at(NOW, *events)
    assert w["1h"] == WindowStats()
    assert w["24h"] == WindowStats(count=1, rating_sum=1, low_ratings=1, unresolved=1,
                                   staff_available=1, staff_helped=0)  # fmt: skip
    assert (w["7d"].count, w["7d"].rating_sum, w["7d"].staff_helped) == (2, 6, 1)
    assert (w["30d"].count, w["30d"].low_ratings, w["30d"].cleanliness_count) == (3, 2, 2)
    assert w["baseline_30d"].count == 2  # 30 h and 10 d ago; 40 d is older than it
    assert w["30d"].summary()["avg_rating"] == round(8 / 3, 3)


def test_a_late_event_counts_in_the_hour_it_was_submitted_not_when_it_arrived():
    late = feedback(NOW - 26 * H)
    assert list(bucket_events([late])) == [("S-1", hour_of(NOW - 26 * H))]
    assert windows_at(NOW, late)["24h"].count == 0


def test_the_hours_that_left_a_window_are_those_between_its_old_and_new_first_hour():
    later = NOW + 2 * H
    ranges = dict(zip(("1h", "24h", "7d", "30d", "baseline_30d"),
                      hours_that_left(NOW, later), strict=True))  # fmt: skip
    current = hour_of(NOW)
    assert ranges["1h"] == (current, current + H)
    assert ranges["24h"] == (current - 23 * H, current - 22 * H)
    assert ranges["baseline_30d"] == (current - 743 * H, current - 742 * H)
    assert hours_that_left(NOW, NOW + 10 * timedelta(minutes=1)) == []
