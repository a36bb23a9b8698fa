"""Digest weeks in India's time: Monday to Monday, due at 09:00 on the Monday after; a
worker down for weeks catches up every missed week, oldest first, and none twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.analytics.digest.week import Week, due_weeks, last_complete, parse_week


def test_a_week_runs_from_mondays_midnight_in_india():
    week = Week.of(date(2026, 12, 2))  # a Wednesday
    assert week.monday == date(2026, 11, 30)
    assert week.start == datetime(2026, 11, 29, 18, 30, tzinfo=UTC)
    assert week.end == datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    assert week.due_at == datetime(2026, 12, 7, 3, 30, tzinfo=UTC)


def test_the_digest_is_not_due_before_nine_on_monday_in_india():
    first = Week(date(2026, 11, 23))
    assert due_weeks(datetime(2026, 11, 30, 3, 29, tzinfo=UTC), first, None) == []
    assert due_weeks(datetime(2026, 11, 30, 3, 30, tzinfo=UTC), first, None) == [first]


def test_missed_weeks_are_caught_up_oldest_first_and_sent_ones_are_not_repeated():
    first = Week(date(2026, 11, 2))
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert [str(w) for w in due_weeks(now, first, None)] == [
        "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23",
    ]  # fmt: skip
    assert due_weeks(now, first, Week(date(2026, 11, 16))) == [Week(date(2026, 11, 23))]
    assert due_weeks(now, first, Week(date(2026, 11, 23))) == []


def test_any_day_names_its_week_and_nonsense_is_refused():
    assert parse_week("2026-12-06") == Week(date(2026, 11, 30))
    assert last_complete(datetime(2026, 12, 2, tzinfo=UTC)) == Week(date(2026, 11, 23))
    with pytest.raises(ValueError):
        parse_week("last week")
