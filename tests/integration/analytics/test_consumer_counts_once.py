"""Every feedback is counted once: redelivery, replay after a crash, late events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from services.analytics.adapters.postgres import PostgresFeedback
from services.analytics.domain import bucket_events, hour_of, windows_from_buckets
from shared import db
from tests.integration.analytics.conftest import drain, make_event
from tests.support import create_station

pytestmark = pytest.mark.integration


def stored(database_url: str, codes: list[str]):
    """(feedback rows, personal rows, buckets) of these stations as PostgreSQL has them."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM feedback WHERE station_code = ANY(%s)", (codes,))
        facts = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM feedback_personal p JOIN feedback f USING (event_id)"
            " WHERE f.station_code = ANY(%s)",
            (codes,),
        )
        personal = cur.fetchone()[0]
        buckets = PostgresFeedback(cur).load_buckets(codes, datetime(2000, 1, 1, tzinfo=UTC))
    flat = {(code, hour): s for code, hours in buckets.items() for hour, s in hours.items()}
    return facts, personal, flat


def assert_counted_once(infra, consumer, events, codes):
    facts, personal, buckets = stored(infra["DATABASE_URL"], codes)
    recount = bucket_events(events)
    assert facts == personal == len(events)
    assert buckets == recount
    now = consumer.deps.clock()
    for code in codes:
        expected = windows_from_buckets(
            {hour: s for (c, hour), s in recount.items() if c == code}, now
        )
        assert consumer.deps.cache.read_station(code) == expected


def test_the_same_events_delivered_twice_are_counted_once(infra, make_consumer, publish):
    stations = [create_station(infra["DATABASE_URL"])["code"] for _ in range(2)]
    events = [make_event(stations[i % 2], rating=1 + i % 5) for i in range(30)]
    publish(*events)
    publish(*events)  # the same events again, as a producer retry would

    consumer = make_consumer()
    drain(consumer, 60)

    assert_counted_once(infra, consumer, events, stations)


def test_an_event_published_again_under_a_later_time_is_counted_once(infra, make_consumer, publish):
    """Intake publishes a retry of an attempt that timed out under the same event id and the
    retry's time; when the first attempt reached Kafka after all, both are on the topic, in
    one batch or in two, and the feedback table's key holds the time (it is partitioned by
    month), so the id alone must keep the second out."""
    code = create_station(infra["DATABASE_URL"])["code"]
    at = datetime.now(UTC) - timedelta(minutes=10)
    first = [make_event(code, submitted_at=at, rating=1 + i % 5) for i in range(4)]
    again = [dataclasses.replace(e, submitted_at=at + timedelta(seconds=3)) for e in first]
    publish(first[0], again[0], first[1], again[1])  # both copies in one batch
    consumer = make_consumer()
    drain(consumer, 4)
    publish(first[2], first[3])
    drain(consumer, 2)
    publish(again[2], again[3])  # in a later batch
    drain(consumer, 2)

    assert_counted_once(infra, consumer, first, [code])


def test_a_batch_replayed_after_a_crash_before_the_offset_commit_is_counted_once(
    infra, make_consumer, publish
):
    code = create_station(infra["DATABASE_URL"])["code"]
    events = [make_event(code, rating=1 + i % 5, problem_resolved=i % 3 == 0) for i in range(20)]
    publish(*events)

    crashed = make_consumer()
    processed = 0
    while processed < 20:  # stored in PostgreSQL and Redis, offsets never committed
        processed += crashed.run_once(commit=False)
    crashed.close()
    replaying = make_consumer()
    replayed = drain(replaying, 20)

    assert replayed == 20  # the group had no offsets: everything came again
    assert_counted_once(infra, replaying, events, [code])
    assert replaying.run_once() == 0  # and now it is committed


def test_late_events_land_in_the_hour_they_were_submitted(infra, make_consumer, publish, clock):
    code = create_station(infra["DATABASE_URL"])["code"]
    now = clock()
    late = [
        make_event(code, submitted_at=now - timedelta(hours=5, minutes=10), rating=1),
        make_event(code, submitted_at=now - timedelta(hours=26), rating=5),
        make_event(code, submitted_at=now - timedelta(days=8), rating=3),
    ]
    publish(*late)

    consumer = make_consumer()
    drain(consumer, 3)

    _, _, buckets = stored(infra["DATABASE_URL"], [code])
    assert set(buckets) == {(code, hour_of(e.submitted_at)) for e in late}
    windows = consumer.deps.cache.read_station(code)
    assert (windows["24h"].count, windows["7d"].count, windows["30d"].count) == (1, 2, 3)
    assert windows["24h"].low_ratings == 1
    assert windows["baseline_30d"].count == 2
