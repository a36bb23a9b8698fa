"""Feedback posted to intake reaches the station's scores and the ranking through Kafka,
the analytics consumer, PostgreSQL and Redis: every service running for real."""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import (
    count_24h,
    get_json,
    post_feedback,
)
from tests.support import feedback_body, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url  # the session fixture, shared by both modules


def test_feedback_posted_to_intake_appears_in_the_station_scores_within_two_seconds(
    analytics_url,
    intake_url,
    station,
    signing_key,
):
    assert count_24h(analytics_url, station["code"]) == 0

    accepted = post_feedback(intake_url, feedback_body(station, signing_key, rating=1))
    started = time.monotonic()
    wait_until(lambda: count_24h(analytics_url, station["code"]) == 1, timeout_s=2.0,
               interval_s=0.05)  # fmt: skip

    assert accepted["status"] == "accepted"
    assert time.monotonic() - started < 2.0
    windows = get_json(f"{analytics_url}/api/v1/stations/{station['code']}/scores")["windows"]
    assert windows["24h"]["avg_rating"] == 1.0
    assert windows["24h"]["low_rating_share"] == 1.0
    assert windows["30d"]["count"] == 1
    ranking = get_json(f"{analytics_url}/api/v1/rankings?window=24h&zone=East")
    mine = [i for i in ranking["items"] if i["station_code"] == station["code"]]
    assert mine and mine[0]["count"] == 1 and mine[0]["rank"] is None
    assert {i["zone"] for i in ranking["items"]} == {"East"}
    trend = get_json(f"{analytics_url}/api/v1/stations/{station['code']}/trend?days=7")
    assert len(trend["items"]) == 7 and trend["items"][-1]["count"] == 1


def test_metrics_show_the_consumer_s_work(analytics_url):
    with urllib.request.urlopen(f"{analytics_url}/metrics", timeout=10) as answer:  # noqa: S310
        text = answer.read().decode()
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert values["analytics_events_consumed_total"] >= 1  # the fixture's warm-up at least
    assert values["analytics_batches_total"] >= 1
    assert values["analytics_batch_seconds_count"] == values["analytics_batches_total"]
    # The group's lag is the operations service's now (tests/integration/test_ops_lag_metrics.py).
    assert not any(k.startswith("pratikriya_consumer_lag_messages") for k in values)
    assert get_json(f"{analytics_url}/readyz")["status"] == "ready"
