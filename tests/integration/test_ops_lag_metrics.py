"""The operations service's /metrics carry every watched group's lag and the dead-letter
topics' sizes, read from the real Kafka (the names deploy/prometheus/rules.yml uses)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from shared.kafka_io import kafka_security

pytestmark = pytest.mark.integration


def _values(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def _partitions(values: dict[str, float], metric: str, group: str, topic: str) -> dict[str, float]:
    """{partition: value} of ``metric`` for ``group`` on ``topic``."""
    found = {}
    for key, value in values.items():
        if key.startswith(metric + "{") and f'group="{group}"' in key and f'topic="{topic}"' in key:
            found[key.split('partition="')[1].split('"')[0]] = value
    return found


def _scrape(infra, **settings) -> dict[str, float]:
    """One scrape of a fresh operations app (nothing cached between two scrapes)."""
    from ops.config import OpsConfig
    from ops.console.http import create_app

    config = replace(OpsConfig.from_env(infra), lag_metrics_cache_s=0.0, **settings)
    response = create_app(config).test_client().get("/metrics")
    assert response.status_code == 200
    return _values(response.get_data(as_text=True))


@pytest.fixture
def waiting(infra):
    """A topic of two partitions with 3 and 2 messages on them, and a group that reads it
    but has consumed none yet."""
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    topic, group = f"test.opslag.{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **kafka_security())
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **kafka_security())
    for partition in (0, 0, 0, 1, 1):
        producer.send(topic, value=b"{}", partition=partition)
    producer.flush()
    producer.close()
    return group, topic


def _commit(infra, group: str, topic: str, offsets: dict[int, int]) -> None:
    consumer = KafkaConsumer(bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"],
                             group_id=group, enable_auto_commit=False,
                             **kafka_security())  # fmt: skip
    consumer.commit(
        {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()}
    )
    consumer.close()


def test_the_metrics_show_exactly_the_messages_a_group_has_not_consumed_yet(infra, waiting):
    group, topic = waiting

    behind = _scrape(infra, groups={group: (topic,)})

    assert behind["pratikriya_kafka_lag_read_ok"] == 1
    lag = "pratikriya_consumer_lag_messages"
    assert _partitions(behind, lag, group, topic) == {"0": 3, "1": 2}
    assert _partitions(behind, "pratikriya_consumer_committed_offset", group, topic) == {
        "0": -1, "1": -1,
    }  # fmt: skip
    assert all(
        v > 0 for v in _partitions(behind, "pratikriya_consumer_lag_seconds", group, topic).values()
    )

    _commit(infra, group, topic, {0: 3, 1: 1})
    partly = _scrape(infra, groups={group: (topic,)})
    assert _partitions(partly, lag, group, topic) == {"0": 0, "1": 1}

    _commit(infra, group, topic, {0: 3, 1: 2})
    caught_up = _scrape(infra, groups={group: (topic,)})
    assert _partitions(caught_up, lag, group, topic) == {"0": 0, "1": 0}
    assert _partitions(caught_up, "pratikriya_consumer_lag_seconds", group, topic) == {
        "0": 0, "1": 0,
    }  # fmt: skip


def test_the_installation_s_groups_and_dead_letter_topics_come_from_the_settings(infra):
    values = _scrape(infra)

    assert values["pratikriya_kafka_lag_read_ok"] == 1
    assert len(_partitions(values, "pratikriya_consumer_lag_messages", "analytics",
                           "feedback.submitted")) == 12  # fmt: skip
    assert _partitions(values, "pratikriya_consumer_lag_messages", "notifier", "station.scores")
    assert 'pratikriya_dead_letter_messages{topic="feedback.dlq"}' in values
    assert 'pratikriya_dead_letter_messages{topic="station.scores.dlq"}' in values
    assert not any(k.startswith("analytics_consumer_lag") for k in values)


def test_the_data_services_no_longer_read_kafka_s_lag_when_scraped(infra):
    from services.notifier.config import NotifierConfig
    from services.notifier.entrypoints.http import create_app

    notifier = create_app(NotifierConfig.from_env(infra)).test_client()
    values = _values(notifier.get("/metrics").get_data(as_text=True))

    assert not any(k.startswith("pratikriya_consumer_lag") for k in values)
    assert "pratikriya_kafka_lag_read_ok" not in values


def test_with_kafka_unreachable_the_lag_is_left_out_and_the_read_is_reported_failed(infra):
    values = _scrape({**infra, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"})

    assert values["pratikriya_kafka_lag_read_ok"] == 0
    assert not any(k.startswith("pratikriya_consumer_lag_messages{") for k in values)
