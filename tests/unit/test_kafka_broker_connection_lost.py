"""A consumer whose group coordinator's broker died goes on polling instead of exiting (found
by fault scenario 7: the analytics consumer exited when a node of the cluster was killed)."""

from __future__ import annotations

from kafka.errors import KafkaConnectionError

from shared.consumer.kafka_broker import KafkaBroker


class DyingConsumer:
    def __init__(self) -> None:
        self.polls = 0

    def poll(self, timeout_ms: int, max_records: int) -> dict:
        self.polls += 1
        if self.polls == 1:
            raise KafkaConnectionError("111 ECONNREFUSED")
        return {}


def test_a_lost_connection_while_polling_is_an_empty_poll_and_the_next_one_goes_on():
    broker = KafkaBroker.__new__(KafkaBroker)  # its consumer stood in by one that fails once
    broker.consumer = DyingConsumer()  # type: ignore[assignment]
    broker._next = {}
    assert broker.poll(0.01, 10) == []
    assert broker.poll(0.01, 10) == []
    assert broker.consumer.polls == 2
