"""Fixtures of the fault scenarios: the pipeline they run on, stations of their own, and the
notifier with its stand-in SMS gateway (the end-to-end notifier tests' fixtures, reused)."""

from __future__ import annotations

import pytest

from ops import stack
from tests.e2e.notifier.conftest import gateway, mail, notifier, notifier_env  # noqa: F401
from tests.faults.harness import Pipeline
from tests.support import create_station

# What the scenarios change from the defaults, and why:
FAULTS_SETTINGS = {
    # Every submission of a scenario comes from 127.0.0.1; the per-address limit (300 an
    # hour) would refuse the load, not the fault.
    "INTAKE_LIMIT_PER_ADDRESS_PER_HOUR": "100000000",
    # The consumer looks for a lost Redis every ANALYTICS_REFRESH_EVERY_S (60 s by default):
    # the Redis scenario would spend a minute waiting for it.
    "ANALYTICS_REFRESH_EVERY_S": "2",
}


@pytest.fixture(scope="package")
def pipeline(stack_config, infra):
    """Intake (gunicorn) and the analytics consumer with the settings above, for the fault
    tests; after the last of them whatever ran before runs again as it was. Servers a
    scenario stops are started again in its own ``finally``; this only makes sure of it."""
    pipeline = Pipeline(stack_config, {**infra, **FAULTS_SETTINGS})
    pipeline.take_over(["intake", "analytics-consumer"])
    yield pipeline
    stack.start_all(stack_config)
    pipeline.hand_back()


@pytest.fixture
def make_stations(infra):
    def make(count: int, **fields) -> list[dict]:
        return [create_station(infra["DATABASE_URL"], **fields) for _ in range(count)]

    return make
