"""One consumer runtime for every worker: a processing step, batching by count and time,
one retry policy, one dead-letter envelope, offsets committed last, a stop flag, the same
health and lag reporting, and a broker interface with a Kafka and an in-memory side."""

from shared.consumer.broker import CommitRefused, ConsumerBroker, Producer
from shared.consumer.dead_letters import Invalid, envelope
from shared.consumer.loop import ConsumerLoop, Health, LoopSettings, Periodic, Step, StepResult
from shared.consumer.records import Message, Record, StoredRecord
from shared.consumer.retry import RetryPolicy, Stopped

__all__ = [
    "CommitRefused", "ConsumerBroker", "ConsumerLoop", "Health", "Invalid", "LoopSettings",
    "Message", "Periodic", "Producer", "Record", "RetryPolicy", "Step", "StepResult",
    "Stopped", "StoredRecord", "envelope",
]  # fmt: skip
