"""SIGTERM: the consumer finishes its batch, commits its offsets and exits."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from services.analytics.adapters.redis import ScoresCache
from shared.redis_io import redis_client
from tests.integration.analytics.conftest import make_event
from tests.integration.analytics.test_consumer_outcomes import committed_total
from tests.support import create_station, wait_until

pytestmark = pytest.mark.integration

SCRIPT = """
import sys
from services.analytics.config import AnalyticsConfig
from services.analytics.entrypoints.worker import run
from shared import logs

topic, dlq, scores, group, prefix = sys.argv[1:6]
logs.configure_logging("analytics-consumer-test")
run(AnalyticsConfig.from_env(feedback_topic=topic, dlq_topic=dlq, scores_topic=scores,
                             group_id=group, redis_prefix=prefix))
"""


def test_sigterm_lets_the_consumer_commit_what_it_stored_and_exit(
    infra, publish, analytics_config, stack_config
):
    code = create_station(infra["DATABASE_URL"])["code"]
    publish(*[make_event(code) for _ in range(20)])
    c = analytics_config
    worker = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, c.feedback_topic, c.dlq_topic, c.scores_topic,
         c.group_id, c.redis_prefix],
        cwd=stack_config.repo_dir, env=infra, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    cache = ScoresCache(redis_client(infra["REDIS_URL"]), c.redis_prefix)
    try:
        wait_until(lambda: (cache.read_station(code) or {}).get("24h"), timeout_s=30)
        wait_until(lambda: cache.read_station(code)["24h"].count == 20, timeout_s=10)

        worker.send_signal(signal.SIGTERM)
        returncode = worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    log = worker.stderr.read() if worker.stderr else ""
    assert returncode == 0, log
    assert "analytics consumer stopped" in log
    assert committed_total(infra, c) == 20
