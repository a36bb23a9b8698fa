"""One contract, both brokers: what the consumer runtime relies on holds for the in-memory
broker its unit tests use and for Kafka (a key keeps to one partition, a group resumes after
its commit, the producer's headers arrive, the lag counts what is left)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from shared.acked_sender import AckedSender
from shared.consumer import ConsumerBroker, Message, Producer, Record
from shared.consumer.kafka_broker import KafkaBroker
from shared.consumer.memory import InMemoryBroker
from shared.topics import TopicSpec, ensure_topics
from tests.support import wait_until

pytestmark = pytest.mark.integration


@dataclass
class Side:
    topic: str
    producer: Producer
    consumer: Callable[[str], ConsumerBroker]  # group -> a member of it


@pytest.fixture(params=["memory", "kafka"])
def side(request, infra) -> Iterator[Side]:
    topic = f"test.contract.{uuid.uuid4().hex[:10]}"
    if request.param == "memory":
        memory = InMemoryBroker()
        memory.create_topic(topic, 3)
        yield Side(topic, memory, lambda group: memory.consumer(group, [topic]))
        return
    kafka = infra["KAFKA_BOOTSTRAP_SERVERS"]
    ensure_topics(kafka, topics=(TopicSpec(topic, 3),))
    sender = AckedSender(kafka, timeout_s=5.0, client_id="test-contract")
    made: list[KafkaBroker] = []

    def member(group: str) -> KafkaBroker:
        made.append(KafkaBroker(kafka, group_id=group, topics=[topic], client_id="test"))
        return made[-1]

    yield Side(topic, sender, member)
    sender.close()
    for broker in made:
        broker.close()


def read(consumer: ConsumerBroker, count: int) -> list[Record]:
    """Poll until ``count`` records came (bounded: a Kafka member first joins its group)."""
    got: list[Record] = []
    wait_until(lambda: got.extend(consumer.poll(0.2, 100)) or len(got) >= count, timeout_s=30)
    return got


def test_records_of_one_key_come_back_in_order_from_one_partition_with_their_headers(side):
    side.producer.publish(
        [
            Message(side.topic, b"GGN-01", str(n).encode(), [("n", str(n).encode())])
            for n in range(4)
        ]
    )

    records = read(side.consumer(f"g-{uuid.uuid4().hex[:6]}"), 4)

    assert [r.value for r in records] == [b"0", b"1", b"2", b"3"]
    assert len({r.partition for r in records}) == 1
    assert [dict(r.headers)["n"] for r in records] == [b"0", b"1", b"2", b"3"]


def test_a_group_resumes_after_its_commit_and_the_lag_counts_what_is_left(side):
    group = f"g-{uuid.uuid4().hex[:6]}"
    side.producer.publish([Message(side.topic, b"A", b"1"), Message(side.topic, b"A", b"2")])
    first = side.consumer(group)
    records = read(first, 2)
    first.commit({(r.topic, r.partition): r.offset + 1 for r in records})
    assert first.lag() == 0
    first.close()

    side.producer.publish([Message(side.topic, b"A", b"3")])
    later = side.consumer(group)

    assert [r.value for r in read(later, 1)] == [b"3"]


def test_a_kafka_member_learns_which_partitions_a_rebalance_gave_to_a_new_member(infra):
    kafka = infra["KAFKA_BOOTSTRAP_SERVERS"]
    topic, group = f"test.lost.{uuid.uuid4().hex[:10]}", f"g-{uuid.uuid4().hex[:6]}"
    ensure_topics(kafka, topics=(TopicSpec(topic, 4),))
    sender = AckedSender(kafka, timeout_s=5.0, client_id="test-contract")
    first = KafkaBroker(kafka, group_id=group, topics=[topic], client_id="test")
    second = None
    try:
        sender.publish([Message(topic, f"S{n}".encode(), b"x") for n in range(40)])
        read(first, 40)  # the only member: every partition
        assert first.take_lost() == set()

        second = KafkaBroker(kafka, group_id=group, topics=[topic], client_id="test")
        lost: set[tuple[str, int]] = set()

        def assignment(broker: KafkaBroker) -> set[tuple[str, int]]:
            return {(tp.topic, tp.partition) for tp in broker.consumer.assignment()}

        def shared_out() -> bool:
            first.poll(0.2, 100)
            second.poll(0.2, 100)
            # Read mid-rebalance, every revoked partition counts as lost (none is committed).
            lost.update(first.take_lost())
            taken, kept = assignment(second), assignment(first)
            return bool(taken and kept) and lost - kept == taken

        wait_until(shared_out, timeout_s=60, interval_s=0.0)
        assert assignment(first) | assignment(second) == {(topic, p) for p in range(4)}
        assert first.take_lost() == set()  # the rebalance is over: nothing pending
    finally:
        sender.close()
        first.close()
        if second is not None:
            second.close()
