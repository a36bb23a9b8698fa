"""The inbox's pure rules: filters read from a query string (and written back for links),
the keyset cursor, and what an action or a call back must hold."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from services.analytics.domain.inbox import (
    Cursor,
    InboxFilter,
    InvalidInput,
    check_action,
    check_callback,
    parse_filter,
)

TODAY = date(2026, 12, 2)


def test_every_filter_is_read_and_written_back_the_same():
    args = {
        "zone": "East", "station": "ggn-sadar", "since": "2026-11-01", "until": "2026-11-30",
        "stars": "2,1", "resolved": "no", "helped": "yes", "type": "theft",
        "officer": "  SI   Ramesh ", "language": "hi", "text": "deri", "limit": "20",
    }  # fmt: skip
    chosen = parse_filter(args, TODAY)

    assert chosen == InboxFilter(
        zone="East", station="GGN-SADAR", since=date(2026, 11, 1), until=date(2026, 11, 30),
        stars=frozenset({1, 2}), resolved=False, helped=True, complaint_type="theft",
        officer="SI Ramesh", language="hi", text="deri", limit=20,
    )  # fmt: skip
    assert parse_filter(chosen.query_args(), TODAY) == chosen
    assert parse_filter({}, TODAY) == InboxFilter()
    assert parse_filter({"stars": "", "resolved": "", "zone": " "}, TODAY) == InboxFilter()


@pytest.mark.parametrize(
    ("args", "field"),
    [({"stars": "0"}, "stars"), ({"stars": "1;2"}, "stars"), ({"resolved": "true"}, "resolved"),
     ({"since": "2026-2-1"}, "since"), ({"until": "2026-12-03"}, "until"),
     ({"since": "2026-12-01", "until": "2026-11-01"}, "since"), ({"type": "burglary"}, "type"),
     ({"language": "pa"}, "language"), ({"limit": "201"}, "limit"), ({"limit": "²"}, "limit"),
     ({"text": "x" * 101}, "text"), ({"officer": "a\x00b"}, "officer"),
     ({"after": "12_34"}, "after")],
)  # fmt: skip
def test_a_bad_filter_names_its_argument(args, field):
    with pytest.raises(InvalidInput) as refused:
        parse_filter(args, TODAY)
    assert refused.value.field == field
    assert field in str(refused.value)


def test_a_cursor_survives_its_token_to_the_microsecond():
    cursor = Cursor(datetime(2026, 12, 2, 10, 11, 12, 131415, tzinfo=UTC), uuid.uuid4())
    assert Cursor.parse(cursor.token()) == cursor
    assert parse_filter({"after": cursor.token()}, TODAY).after == cursor


def test_an_action_needs_words_and_a_day_between_the_feedback_and_today():
    earliest = date(2026, 11, 20)
    assert check_action("  FIR   दर्ज की ", "2026-11-25", earliest, TODAY) == (
        "FIR दर्ज की",
        date(2026, 11, 25),
    )
    for text, day, field in (("a   b", "2026-11-25", "text"), ("x" * 1001, "2026-11-25", "text"),
                             ("FIR registered", "2026-12-03", "taken_on"),
                             ("FIR registered", "2026-11-19", "taken_on"),
                             ("FIR registered", "25/11/2026", "taken_on")):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            check_action(text, day, earliest, TODAY)
        assert refused.value.field == field


def test_a_call_back_needs_a_known_outcome_and_a_short_note():
    assert check_callback("no_answer", "") == ("no_answer", "")
    with pytest.raises(InvalidInput):
        check_callback("maybe", "")
    with pytest.raises(InvalidInput):
        check_callback("satisfied", "x" * 1001)
