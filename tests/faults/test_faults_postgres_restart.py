"""Scenario 3: PostgreSQL is restarted while the analytics consumer consumes intake's load.
Intake keeps accepting (it does not need PostgreSQL on its hot path); the consumer waits and
retries, commits no offset while PostgreSQL is down, and catches up once it is back."""

from __future__ import annotations

import time

import pytest

from ops import stack
from tests.faults.harness import (
    IntakeLoad,
    assert_accepted_is_counted,
    behind,
    committed_offsets,
    end_offsets,
    stations_known_to_intake,
    stored_count,
    varied_bodies,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e

SUBMISSIONS = 300
DOWN_S = 6.0  # at least; the consumer's backoff reaches a few seconds by then


def test_a_consumer_that_loses_postgres_commits_nothing_past_it_and_catches_up(
    pipeline, infra, stack_config, make_stations, signing_key
):
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    stations = make_stations(3)
    codes = [s["code"] for s in stations]
    stations_known_to_intake(pipeline.intake_url, stations, signing_key)
    bodies = varied_bodies(stations, signing_key, SUBMISSIONS, 3)
    load = IntakeLoad(pipeline.intake_url, bodies, pace_s=0.1)
    start = end_offsets(bootstrap)

    started = time.monotonic()
    load.start()
    try:
        wait_until(lambda: stored_count(infra["DATABASE_URL"], codes) >= 30, timeout_s=30)
        stack.stop_postgres(stack_config)
        stopped = time.monotonic()
        # A batch that had finished with PostgreSQL may still commit: look after more
        # feedback has been accepted, then watch the commits stand still while it grows.
        at_stop = len(load.accepted)
        wait_until(lambda: len(load.accepted) >= at_stop + 10, timeout_s=30)
        frozen = committed_offsets(bootstrap)
        wait_until(
            lambda: len(load.accepted) >= at_stop + 60 and time.monotonic() - stopped > DOWN_S,
            timeout_s=30,
        )
        still = committed_offsets(bootstrap)
        waiting = behind(bootstrap, start)
        accepted_while_down = len(load.accepted) - at_stop
    finally:
        stack.start_postgres(stack_config)
    down_s = time.monotonic() - stopped
    load.join()

    took = assert_accepted_is_counted(infra, load.accepted_ids, codes, timeout_s=120)
    print(
        f"\nscenario 3: {SUBMISSIONS} submissions ({dict(load.statuses)}); PostgreSQL down "
        f"{down_s:.1f} s, {accepted_while_down} accepted meanwhile, {waiting} events waiting "
        f"uncommitted; counted {took:.1f} s after the load ended; "
        f"{time.monotonic() - started:.1f} s in all"
    )
    assert still == frozen  # nothing committed while PostgreSQL was down ...
    assert waiting >= 50  # ... though events were waiting
    assert load.unexpected == [] and len(load.accepted) == SUBMISSIONS
