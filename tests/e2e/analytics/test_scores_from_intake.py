"""Feedback posted to intake reaches the station's scores and the ranking through Kafka,
the analytics consumer, PostgreSQL and Redis: every service running for real."""

from __future__ import annotations

import urllib.request

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from shared.kafka_io import kafka_security
from shared.topics import FEEDBACK_TOPIC
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import (
    count_24h,
    get_json,
    post_feedback,
)
from tests.support import feedback_body, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url  # the session fixtures, shared by the modules
reader = fixtures.reader


def test_feedback_posted_to_intake_appears_in_the_station_scores_and_the_ranking(
    analytics_url,
    intake_url,
    station,
    signing_key,
    reader,
):
    assert count_24h(analytics_url, station["code"], reader) == 0

    accepted = post_feedback(intake_url, feedback_body(station, signing_key, rating=1))
    # How soon is a benchmark's question (bench/); here only that it arrives, once.
    wait_until(lambda: count_24h(analytics_url, station["code"], reader) == 1, timeout_s=60,
               interval_s=0.05)  # fmt: skip

    assert accepted["status"] == "accepted"
    windows = get_json(f"{analytics_url}/api/v1/stations/{station['code']}/scores", reader)[
        "windows"
    ]
    assert windows["24h"]["avg_rating"] == 1.0
    assert windows["24h"]["low_rating_share"] == 1.0
    assert windows["30d"]["count"] == 1
    ranking = get_json(f"{analytics_url}/api/v1/rankings?window=24h&zone=East", reader)
    mine = [i for i in ranking["items"] if i["station_code"] == station["code"]]
    assert mine and mine[0]["count"] == 1 and mine[0]["rank"] is None
    assert {i["zone"] for i in ranking["items"]} == {"East"}
    trend = get_json(f"{analytics_url}/api/v1/stations/{station['code']}/trend?days=7", reader)
    assert len(trend["items"]) == 7 and trend["items"][-1]["count"] == 1


def metric_values(analytics_url: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{analytics_url}/metrics", timeout=10) as answer:  # noqa: S310
        text = answer.read().decode()
    return {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def group_lag(bootstrap_servers: str, group: str, topic: str) -> dict[int, int]:
    """Records of ``topic`` that ``group`` has not committed yet, per partition, as an
    operator would read them off Kafka."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, **kafka_security())
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, **kafka_security())
    try:
        committed = admin.list_group_offsets({group: None}).get(group) or {}
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = consumer.end_offsets(parts)
        starts = consumer.beginning_offsets(parts)
        lag = {}
        for tp in parts:
            meta = committed.get(tp)
            position = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
            lag[tp.partition] = ends[tp] - max(position, starts[tp])
        return lag
    finally:
        consumer.close()
        admin.close()


def test_metrics_count_each_posted_feedback_once_and_the_consumer_catches_up_everywhere(
    analytics_url, intake_url, infra, station, signing_key, reader
):
    def caught_up() -> dict[int, int] | None:
        lag = group_lag(infra["KAFKA_BOOTSTRAP_SERVERS"], "analytics", FEEDBACK_TOPIC)
        return lag if lag and set(lag.values()) == {0} else None

    def work_since(before: dict[str, float], name: str) -> float:
        return metric_values(analytics_url)[name] - before.get(name, 0.0)

    wait_until(caught_up, timeout_s=30, interval_s=0.2)  # earlier tests' feedback is in
    before = metric_values(analytics_url)
    for rating in (1, 4, 5):
        post_feedback(intake_url, feedback_body(station, signing_key, rating=rating))
    wait_until(lambda: count_24h(analytics_url, station["code"], reader) == 3, timeout_s=60,
               interval_s=0.05)  # fmt: skip
    lags = wait_until(caught_up, timeout_s=60, interval_s=0.1)
    wait_until(lambda: work_since(before, "analytics_events_consumed_total") >= 3, timeout_s=30)

    after = metric_values(analytics_url)
    assert work_since(before, "analytics_events_consumed_total") == 3
    assert work_since(before, "analytics_events_inserted_total") == 3
    assert after["analytics_batches_total"] > before.get("analytics_batches_total", 0)
    assert after["analytics_batch_seconds_count"] == after["analytics_batches_total"]
    assert sorted(lags) == list(range(12))  # every partition of the topic, each at 0
    # The group's lag is the operations service's (tests/integration/test_ops_lag_metrics.py).
    assert not any(k.startswith("pratikriya_consumer_lag_messages") for k in after)
    windows = get_json(f"{analytics_url}/api/v1/stations/{station['code']}/scores", reader)[
        "windows"
    ]
    assert windows["24h"] == {
        "count": 3,
        "avg_rating": 3.333,  # (1 + 4 + 5) / 3
        "low_rating_share": 0.3333,  # the one-star
        "resolved_share": 0.0,  # feedback_body: problem not resolved, staff there, no help
        "staff_available_share": 1.0,
        "staff_helped_share": 0.0,
        "avg_cleanliness": 3.0,
    }
    assert get_json(f"{analytics_url}/readyz", {})["status"] == "ready"  # from this machine
