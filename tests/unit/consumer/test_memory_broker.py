"""The in-memory broker behaves as the workers rely on Kafka to: a key keeps to one
partition, a group resumes from what it committed, other groups read everything."""

from __future__ import annotations

import pytest

from shared.consumer import CommitRefused, Message
from shared.consumer.memory import InMemoryBroker


@pytest.fixture
def broker() -> InMemoryBroker:
    broker = InMemoryBroker()
    broker.create_topic("feedback", partitions=3)
    return broker


def test_records_with_the_same_key_land_in_one_partition_in_order(broker):
    broker.publish([Message("feedback", b"GGN-01", f"{n}".encode()) for n in range(5)])

    records = broker.records("feedback")
    assert {r.partition for r in records} == {broker.partition_for("feedback", b"GGN-01")}
    assert [r.value for r in records] == [b"0", b"1", b"2", b"3", b"4"]
    assert [r.offset for r in records] == [0, 1, 2, 3, 4]


def test_headers_key_and_value_arrive_as_sent(broker):
    broker.publish([Message("feedback", b"k", b"v", [("dlq.reason", b"why")])])

    [record] = broker.records("feedback")
    assert (record.topic, record.key, record.value) == ("feedback", b"k", b"v")
    assert list(record.headers) == [("dlq.reason", b"why")]


def test_a_group_resumes_after_its_committed_offsets_and_another_group_reads_everything(broker):
    broker.publish([Message("feedback", f"S{n}".encode(), b"x") for n in range(6)])
    first = broker.consumer("analytics", ["feedback"])
    taken = first.poll(0.0, max_records=4)
    first.commit({(r.topic, r.partition): r.offset + 1 for r in taken})

    again = broker.consumer("analytics", ["feedback"]).poll(0.0, max_records=100)
    other = broker.consumer("notifier", ["feedback"]).poll(0.0, max_records=100)

    assert len(taken) == 4
    assert {(r.partition, r.offset) for r in again}.isdisjoint(
        {(r.partition, r.offset) for r in taken}
    )
    assert len(again) + len(taken) == 6
    assert len(other) == 6


def test_a_consumer_that_did_not_commit_leaves_its_records_to_the_next_one(broker):
    broker.publish([Message("feedback", b"k", b"x")])
    assert len(broker.consumer("g", ["feedback"]).poll(0.0, 10)) == 1

    assert len(broker.consumer("g", ["feedback"]).poll(0.0, 10)) == 1


def test_the_lag_counts_the_records_not_read_yet(broker):
    broker.publish([Message("feedback", b"k", b"x") for _ in range(5)])
    consumer = broker.consumer("g", ["feedback"])
    consumer.poll(0.0, max_records=2)

    assert consumer.lag() == 3
    assert broker.end_offsets("feedback")[broker.partition_for("feedback", b"k")] == 5


def test_a_rebalance_refuses_the_commit_and_keeps_the_old_offsets(broker):
    broker.publish([Message("feedback", b"k", b"x")])
    consumer = broker.consumer("g", ["feedback"])
    [record] = consumer.poll(0.0, 10)
    consumer.refuse_commits = True

    with pytest.raises(CommitRefused):
        consumer.commit({(record.topic, record.partition): 1})
    assert broker.committed["g"] == {}


def test_an_unknown_topic_is_an_error_not_an_empty_topic(broker):
    with pytest.raises(KeyError):
        broker.publish([Message("no.such.topic", b"k", b"x")])
