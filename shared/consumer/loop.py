"""The consumer loop every worker runs: poll a batch, hand it to the processing step, send
the invalid records to the dead-letter topic, and commit the batch's offsets last, only after
both returned. Periodic tasks (a timer, a refresh) run between batches; the heartbeat with
the lag is written every ``heartbeat_s``.

Failure kinds (house style 7): a record that can never be processed is marked ``Invalid`` by
the step, dead-lettered and committed past; a transient fault is retried by the policy, with
the same batch in hand, until it passes or the stop flag is set (then ``Stopped``: nothing
past the batch is committed).

Rebalances: a partition the member lost while its batch was read or processed is left out
of the commit (the broker's ``take_lost``); its records in hand are still processed, which
is safe because every step is idempotent and serialises per station with the new owner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shared.consumer.batching import poll_batch
from shared.consumer.broker import CommitRefused, ConsumerBroker, Producer
from shared.consumer.dead_letters import Invalid, envelope, reason_kind
from shared.consumer.health import batch_figures
from shared.consumer.records import Record, next_offsets
from shared.consumer.retry import RetryPolicy, Stopped

logger = logging.getLogger(__name__)


@dataclass
class StepResult:
    """What a step did with a batch: the records it could never process, and figures of its
    own to add to the worker's counters (say ``events_inserted``)."""

    invalid: list[Invalid] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)


class Step(Protocol):
    def __call__(self, records: Sequence[Record]) -> StepResult:
        """Make the batch's work durable, or raise (a transient fault: the batch is retried;
        anything else stops the worker). Called again with the same records after a
        transient fault, so it must be idempotent."""


class Health(Protocol):
    """Where a worker reports (``shared.consumer.health.HealthReporter``)."""

    def add(self, counters: Mapping[str, float]) -> None: ...
    def beat(self, lag: int | None) -> None: ...
    def close(self) -> None: ...


@dataclass
class Periodic:
    """``action`` every ``every_s`` seconds, the first time before the first batch."""

    name: str
    every_s: float
    action: Callable[[], None]
    due_at: float = 0.0


@dataclass(frozen=True)
class LoopSettings:
    dlq_topic: str
    batch_max_records: int = 500
    batch_max_seconds: float = 0.5
    heartbeat_s: float = 10.0


class ConsumerLoop:
    def __init__(
        self, broker: ConsumerBroker, step: Step, producer: Producer, retry: RetryPolicy,
        settings: LoopSettings, *, health: Health | None = None,
        periodic: Sequence[Periodic] = (),
    ) -> None:  # fmt: skip
        self.broker, self.step, self.producer = broker, step, producer
        self.retry, self.settings, self.health = retry, settings, health
        self.periodic = list(periodic)
        self.stopping = retry.stopping
        self._beat_at = 0.0

    def run_once(self, *, commit: bool = True) -> int:
        """Due periodic tasks, then one batch (maybe empty) processed and, unless told
        otherwise, committed; returns the batch's size. Raises Stopped."""
        for task in self.periodic:
            if time.monotonic() >= task.due_at:
                self.retry(task.name, task.action)
                task.due_at = time.monotonic() + task.every_s
        s = self.settings
        # Lost before this batch was read: nothing of them is in hand.
        self.broker.take_lost()
        batch = poll_batch(self.broker, s.batch_max_records, s.batch_max_seconds, self.stopping)
        if batch:
            started = time.perf_counter()
            result = self.retry("step", lambda: self.step(batch))
            self._dead_letter(result.invalid)
            if commit:
                self._commit(batch)
            if self.health is not None:
                kinds = [reason_kind(i.reason) for i in result.invalid]
                elapsed = time.perf_counter() - started
                self.health.add({**batch_figures(len(batch), elapsed, kinds), **result.figures})
        self._maybe_beat()
        return len(batch)

    def _dead_letter(self, invalid: list[Invalid]) -> None:
        if not invalid:
            return
        letters = [envelope(self.settings.dlq_topic, i) for i in invalid]
        self.retry("dead letters", lambda: self.producer.publish(letters))
        for item in invalid:
            logger.warning(
                "message sent to the dead-letter topic",
                extra={
                    "reason": item.reason,
                    "topic": item.record.topic,
                    "partition": item.record.partition,
                    "offset": item.record.offset,
                },
            )

    def _commit(self, batch: list[Record]) -> None:
        offsets = next_offsets(batch)
        lost = self.broker.take_lost() & offsets.keys()
        if lost:
            # Another member reads them from the last commit on and handles them once.
            logger.info(
                "partitions lost to a rebalance; their offsets left to the new owner",
                extra={"partitions": sorted(f"{t}-{p}" for t, p in lost)},
            )
            offsets = {key: offset for key, offset in offsets.items() if key not in lost}
        if not offsets:
            return
        try:
            self.broker.commit(offsets)
        except CommitRefused:
            # A rebalance (or a broker that did not answer): whoever reads these records
            # again handles them once (every step is idempotent); a later commit covers them.
            logger.warning("offset commit refused after a rebalance", exc_info=True)

    def _maybe_beat(self) -> None:
        if self.health is None or time.monotonic() < self._beat_at:
            return
        self.health.beat(self.broker.lag())
        self._beat_at = time.monotonic() + self.settings.heartbeat_s

    def run(self) -> None:
        """Batches until the stop flag is set; then closes the broker."""
        try:
            while not self.stopping.is_set():
                self.run_once()
        except Stopped as stopped:
            logger.info(
                "stopped while retrying; nothing committed past it", extra={"step": str(stopped)}
            )
        finally:
            self.broker.close()
