"""Scenario 4: Redis loses everything (FLUSHDB) while feedback flows. The analytics consumer
notices the missing ``analytics:built`` marker and rebuilds every station from PostgreSQL by
itself; with the consumer stopped, ``python -m services.analytics.cli rebuild`` does the same.
Either way the scores come back exactly: they equal a recount of the feedback rows."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ops import services
from shared.redis_io import redis_client
from tests.faults.harness import (
    REDIS_PREFIX,
    IntakeLoad,
    assert_accepted_is_counted,
    stations_known_to_intake,
    stored_count,
    varied_bodies,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e

SUBMISSIONS = 200


def test_scores_lost_with_redis_come_back_exactly_by_the_rebuild_path(
    pipeline, infra, stack_config, make_stations, signing_key
):
    stations = make_stations(3)
    codes = [s["code"] for s in stations]
    stations_known_to_intake(pipeline.intake_url, stations, signing_key)
    redis = redis_client(infra["REDIS_URL"])
    built = f"{REDIS_PREFIX}:built"
    load = IntakeLoad(
        pipeline.intake_url, varied_bodies(stations, signing_key, SUBMISSIONS, 4), pace_s=0.1
    )

    started = time.monotonic()
    load.start()
    wait_until(lambda: stored_count(infra["DATABASE_URL"], codes) >= 40, timeout_s=30)
    redis.flushdb()
    flushed = time.monotonic()
    wait_until(lambda: redis.exists(built), timeout_s=30, interval_s=0.05)  # by itself
    rebuilt_s = time.monotonic() - flushed
    load.join()
    took = assert_accepted_is_counted(infra, load.accepted_ids, codes)
    assert load.unexpected == [] and len(load.accepted) == SUBMISSIONS

    # The operators' path: the consumer stopped, Redis empty, the command rebuilds it.
    services.stop_service(stack_config, "analytics-consumer")
    try:
        redis.flushdb()
        done = subprocess.run(
            [sys.executable, "-m", "services.analytics.cli", "rebuild"],
            cwd=stack_config.repo_dir,
            env=pipeline.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "rebuilt the scores of" in done.stdout
        assert redis.exists(built)
        assert_accepted_is_counted(infra, load.accepted_ids, codes, timeout_s=60)
    finally:
        pipeline.start("analytics-consumer")
    print(
        f"\nscenario 4: {SUBMISSIONS} submissions; Redis flushed after "
        f"{flushed - started:.1f} s, rebuilt by the consumer {rebuilt_s:.1f} s later, counted "
        f"{took:.1f} s after the load; the CLI: {done.stdout.strip()}; "
        f"{time.monotonic() - started:.1f} s in all"
    )
