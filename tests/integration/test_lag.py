"""The lag command against the real broker: figures, statuses and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from ops.lag.reader import LagReader
from shared.kafka_io import kafka_security

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(infra):
    name = f"test.lag.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], **kafka_security())
    admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], acks="all", **kafka_security()
    )
    for i in range(6):
        producer.send(name, value=b"x", partition=i % 2)
    producer.flush()
    producer.close()
    return name


def commit(infra, group: str, topic: str, offsets: dict[int, int]) -> None:
    consumer = KafkaConsumer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], group_id=group,
        enable_auto_commit=False, **kafka_security(),
    )  # fmt: skip
    consumer.commit(
        {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()}
    )
    consumer.close()


def lag_command(infra, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.lag", "--json", *args],
        env=infra, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_reader_gives_committed_offsets_log_end_and_lag_per_partition(infra, topic):
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit(infra, group, topic, {0: 1})
    reader = LagReader(infra["KAFKA_BOOTSTRAP_SERVERS"])
    try:
        samples = {s.partition: s for s in reader.sample({group: (topic,)})}
    finally:
        reader.close()

    assert (samples[0].committed, samples[0].log_end, samples[0].lag) == (1, 3, 2)
    assert (samples[1].committed, samples[1].log_end, samples[1].lag) == (None, 3, 3)
    assert samples[0].lag_seconds is not None and 0 <= samples[0].lag_seconds < 120
    assert samples[0].members == 0


def test_a_group_with_lag_and_no_consumer_exits_1_and_a_caught_up_group_exits_0(infra, topic):
    group = f"g-{uuid.uuid4().hex[:8]}"
    commit(infra, group, topic, {0: 2, 1: 0})

    behind = lag_command(infra, "--group", f"{group}:{topic}")

    assert behind.returncode == 1, behind.stderr
    report = json.loads(behind.stdout)["groups"][group]
    assert report["status"] == "STOP"
    assert report["lag"] == 4
    commit(infra, group, topic, {0: 3, 1: 3})
    caught_up = lag_command(infra, "--group", f"{group}:{topic}")
    assert caught_up.returncode == 0, caught_up.stdout
    assert json.loads(caught_up.stdout)["groups"][group]["status"] == "OK"


def test_the_lag_command_says_so_when_kafka_cannot_be_reached(infra):
    result = lag_command({**infra, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    assert result.returncode == 2
    assert "cannot reach Kafka" in result.stderr
