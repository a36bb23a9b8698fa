"""The purge of names and numbers on a controlled clock, over a fake store: what is past the
retention period goes, in bounded batches, once; what is newer stays; the worker runs it on
its timer; the figures reach analytics' /metrics families."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.analytics.adapters.purge import LAST_RUN, PURGED
from services.analytics.metrics import ConsumerCollector
from services.analytics.usecases.purge import purge_personal_data
from tests.unit.analytics.fakes import Clock, Unreachable
from tests.unit.analytics.purge_fakes import FakePersonalData
from tests.unit.analytics.test_analytics_batch import Pipeline, feedback

DAY = timedelta(days=1)


def test_rows_older_than_the_period_lose_name_number_and_hash_and_newer_rows_keep_them():
    clock, store = Clock(), FakePersonalData()
    old = store.add(clock.now - 181 * DAY)
    just_old = store.add(clock.now - 180 * DAY - timedelta(seconds=1))
    young = store.add(clock.now - 179 * DAY)

    result = purge_personal_data(store, clock, 180)

    assert result.purged == 2 and result.finished
    for event_id in (old, just_old):
        row = store.rows[event_id]
        assert (row.name, row.mobile, row.mobile_hash) == (None, None, "")
        assert row.purged_at == clock.now
    kept = store.rows[young]
    assert (kept.name, kept.mobile, kept.purged_at) == ("Asha Devi", "+919812345678", None)


def test_a_second_run_purges_nothing_and_keeps_the_first_purge_time():
    clock, store = Clock(), FakePersonalData()
    event_id = store.add(clock.now - 200 * DAY)
    first_at = clock.now
    purge_personal_data(store, clock, 180)
    clock.now += DAY

    again = purge_personal_data(store, clock, 180)

    assert again.purged == 0
    assert store.rows[event_id].purged_at == first_at
    assert store.purged_total == 1 and store.last_run_at == clock.now


def test_rows_come_of_age_as_the_clock_moves():
    clock, store = Clock(), FakePersonalData()
    event_id = store.add(clock.now - 100 * DAY)
    assert purge_personal_data(store, clock, 180).purged == 0

    clock.now += 81 * DAY

    assert purge_personal_data(store, clock, 180).purged == 1
    assert store.rows[event_id].name is None


def test_a_backlog_goes_in_batches_no_larger_than_the_batch_size():
    clock, store = Clock(), FakePersonalData()
    for i in range(25):
        store.add(clock.now - (200 + i) * DAY)

    result = purge_personal_data(store, clock, 180, batch_rows=10)

    assert result.purged == 25
    assert store.batch_sizes == [10, 10, 5]


def test_a_capped_run_leaves_the_rest_for_the_next_run():
    clock, store = Clock(), FakePersonalData()
    for i in range(25):
        store.add(clock.now - (200 + i) * DAY)

    first = purge_personal_data(store, clock, 180, batch_rows=10, max_batches=2)
    second = purge_personal_data(store, clock, 180, batch_rows=10, max_batches=2)

    assert (first.purged, first.finished) == (20, False)
    assert (second.purged, second.finished) == (5, True)
    assert all(row.purged_at is not None for row in store.rows.values())


def test_a_fault_midway_keeps_the_batches_already_purged():
    clock, store = Clock(), FakePersonalData()
    for i in range(25):
        store.add(clock.now - (200 + i) * DAY)
    store.fail_after = 1

    with pytest.raises(Unreachable):
        purge_personal_data(store, clock, 180, batch_rows=10)

    assert sum(row.purged_at is not None for row in store.rows.values()) == 10


def test_a_period_under_a_day_is_refused():
    store = FakePersonalData()
    store.add(Clock().now - DAY)
    with pytest.raises(ValueError, match="at least one day"):
        purge_personal_data(store, Clock(), 0)
    assert store.batch_sizes == []


def test_the_worker_purges_on_its_timer_before_its_first_batch():
    pipeline = Pipeline()
    old = pipeline.personal.add(pipeline.clock.now - 365 * DAY)
    young = pipeline.personal.add(pipeline.clock.now - DAY)
    pipeline.publish(feedback())
    worker = pipeline.worker()

    worker.run_once()

    assert pipeline.personal.rows[old].purged_at == pipeline.clock.now
    assert pipeline.personal.rows[young].purged_at is None
    assert pipeline.personal.last_run_at == pipeline.clock.now
    worker.close()
    assert pipeline.personal.closed


def test_the_purge_figures_are_analytics_metrics():
    figures = {PURGED: 42.0, LAST_RUN: 1_760_000_000.0, "batches": 1.0}

    families = {m.name: m for m in ConsumerCollector(lambda: figures).collect()}

    assert families["analytics_personal_data_purged"].samples[0].value == 42.0
    gauge = families["analytics_personal_data_purge_last_run_timestamp_seconds"]
    assert gauge.samples[0].value == 1_760_000_000.0


def test_no_last_run_time_is_shown_before_the_first_purge():
    families = {m.name for m in ConsumerCollector(lambda: {"batches": 1.0}).collect()}
    assert "analytics_personal_data_purge_last_run_timestamp_seconds" not in families
    assert "analytics_personal_data_purged" in families
