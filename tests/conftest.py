"""Fixtures for tests against the real servers. Unit tests use none of them.

The servers are started once per run (``./pratikriya test`` does it; these fixtures only
make sure, idempotently) with the test profile's ports and data folder, never the ones of a
running installation.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def stack_config():
    from ops.stack import StackConfig

    if os.environ.get("PRATIKRIYA_TEST_PROFILE") != "1":
        pytest.fail(
            "tests against real servers run through ./pratikriya test "
            "(it selects the test profile's ports and data folder)"
        )
    return StackConfig.from_env()


@pytest.fixture(scope="session")
def infra(stack_config) -> dict[str, str]:
    """Kafka, PostgreSQL and Redis up, topics made, schema migrated, Gurugram seeded; the
    environment the services would get."""
    from ops import cli
    from shared.redis_io import redis_client

    env = cli.service_env(stack_config)
    cli.ensure_secrets(stack_config, env)
    cli.prepare(stack_config, env)
    # Rate-limit counters and idempotency records of earlier runs would leak into this one.
    redis_client(env["REDIS_URL"]).flushdb()
    return env


@pytest.fixture(scope="session")
def intake_config(infra):
    from services.intake.config import IntakeConfig

    return IntakeConfig.from_env(infra, station_max_lag_s=0.0, limit_per_address_per_hour=1_000_000)


@pytest.fixture
def intake_app(intake_config):
    """A fresh intake app (its own producer) on the real servers; closed after the test."""
    from services.intake.entrypoints.http import create_app

    app = create_app(intake_config)
    yield app
    app.extensions["intake"].publisher.close()
    app.extensions["intake"].stations.close()


@pytest.fixture
def client(intake_app):
    return intake_app.test_client()


@pytest.fixture
def feedback_tail(infra):
    from tests.support import TopicTail

    tail = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], "feedback.submitted")
    yield tail
    tail.close()


@pytest.fixture
def station(infra):
    from tests.support import create_station

    return create_station(infra["DATABASE_URL"])


@pytest.fixture(scope="session")
def signing_key(infra) -> bytes:
    return infra["QR_SIGNING_KEY"].encode()
