"""The consumers' /metrics carry their group's lag and their dead-letter topic's size, read
from the real Kafka by the one shared collector (the names deploy/prometheus/rules.yml uses)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def _values(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def _partitions(values: dict[str, float], group: str, topic: str) -> list[float]:
    name = "pratikriya_consumer_lag_messages{"
    return [
        v
        for k, v in values.items()
        if k.startswith(name) and f'group="{group}"' in k and f'topic="{topic}"' in k
    ]


def test_analytics_metrics_show_its_group_s_lag_and_the_feedback_dead_letters(infra):
    from services.analytics.app import create_app
    from services.analytics.config import AnalyticsConfig

    client = create_app(AnalyticsConfig.from_env(infra)).test_client()
    values = _values(client.get("/metrics").get_data(as_text=True))

    assert values["pratikriya_kafka_lag_read_ok"] == 1
    assert len(_partitions(values, "analytics", "feedback.submitted")) == 12
    assert 'pratikriya_dead_letter_messages{topic="feedback.dlq"}' in values
    assert not _partitions(values, "notifier", "station.scores")
    assert not any(k.startswith("analytics_consumer_lag") for k in values)


def test_notifier_metrics_show_its_group_s_lag_and_the_scores_dead_letters(infra):
    from services.notifier.config import NotifierConfig
    from services.notifier.entrypoints.http import create_app

    client = create_app(NotifierConfig.from_env(infra)).test_client()
    values = _values(client.get("/metrics").get_data(as_text=True))

    assert values["pratikriya_kafka_lag_read_ok"] == 1
    assert _partitions(values, "notifier", "station.scores")
    assert all(v >= 0 for v in _partitions(values, "notifier", "station.scores"))
    assert 'pratikriya_dead_letter_messages{topic="station.scores.dlq"}' in values


def test_with_kafka_unreachable_the_lag_is_left_out_and_the_read_is_reported_failed(infra):
    from services.analytics.app import create_app
    from services.analytics.config import AnalyticsConfig

    closed = {**infra, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"}
    client = create_app(AnalyticsConfig.from_env(closed)).test_client()
    response = client.get("/metrics")
    values = _values(response.get_data(as_text=True))

    assert response.status_code == 200
    assert values["pratikriya_kafka_lag_read_ok"] == 0
    assert not any(k.startswith("pratikriya_consumer_lag_messages{") for k in values)
