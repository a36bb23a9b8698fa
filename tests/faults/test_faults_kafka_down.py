"""Scenario 2: the Kafka broker is stopped during intake load and started again. While it is
down intake answers 503 with Retry-After (never a 500, never a 202 it could not keep); every
submission retried with its Idempotency-Key ends accepted once Kafka is back; the pipeline
catches up by itself, and what intake accepted is exactly what was counted."""

from __future__ import annotations

import time

import pytest

from ops import stack
from tests.faults.harness import (
    IntakeLoad,
    assert_accepted_is_counted,
    stations_known_to_intake,
    varied_bodies,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e

SUBMISSIONS = 240


def test_intake_answers_503_while_kafka_is_down_and_nothing_it_accepted_is_lost(
    pipeline, infra, stack_config, make_stations, signing_key
):
    stations = make_stations(3)
    codes = [s["code"] for s in stations]
    stations_known_to_intake(pipeline.intake_url, stations, signing_key)
    load = IntakeLoad(pipeline.intake_url, varied_bodies(stations, signing_key, SUBMISSIONS, 2))

    started = time.monotonic()
    load.start()
    try:
        wait_until(lambda: len(load.accepted) >= 40, timeout_s=30)
        stack.stop_kafka(stack_config)
        stopped = time.monotonic()
        accepted_before = len(load.accepted)
        wait_until(lambda: load.count(503) >= 12, timeout_s=60)
        down_s = time.monotonic() - stopped
    finally:
        stack.start_kafka(stack_config)
    back = time.monotonic()
    load.join()

    took = assert_accepted_is_counted(infra, load.accepted_ids, codes, timeout_s=120)
    print(
        f"\nscenario 2: {SUBMISSIONS} submissions in {load.requests} requests "
        f"({dict(load.statuses)}); Kafka stopped after {accepted_before} accepted, 503s for "
        f"{down_s:.1f} s, down {back - stopped:.1f} s in all; counted {took:.1f} s after the "
        f"load ended; {time.monotonic() - started:.1f} s in all"
    )
    assert load.unexpected == []  # no 500, no other refusal, no broken connection
    assert load.count(503) >= 12 and load.unavailable_without_retry_after == 0
    assert len(load.accepted) == SUBMISSIONS  # every retried submission got in after all
    assert len(load.accepted) - accepted_before > 0  # and some after Kafka came back
