"""The consumer runtime on the in-memory broker: commit last, dead letters in one envelope,
transient faults retried with nothing committed past them, the stop flag, batching, health."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import pytest

from shared.consumer import (
    ConsumerLoop,
    Invalid,
    LoopSettings,
    Message,
    Periodic,
    Record,
    RetryPolicy,
    StepResult,
    Stopped,
)
from shared.consumer.batching import poll_batch
from shared.consumer.memory import InMemoryBroker


class Flaky(Exception):
    """The tests' transient fault."""


class Health:
    def __init__(self) -> None:
        self.figures: dict[str, float] = {}
        self.lags: list[int | None] = []

    def add(self, counters: Mapping[str, float]) -> None:
        for name, value in counters.items():
            self.figures[name] = self.figures.get(name, 0.0) + value

    def beat(self, lag: int | None) -> None:
        self.lags.append(lag)


class Recorder:
    """A step that keeps what it was given; invalid when the value is b"bad"; fails with
    Flaky the first ``failures`` times."""

    def __init__(self, failures: int = 0, stop_after: threading.Event | None = None) -> None:
        self.failures, self.stop_after = failures, stop_after
        self.done: list[bytes | None] = []
        self.calls = 0

    def __call__(self, records: Sequence[Record]) -> StepResult:
        self.calls += 1
        if self.failures:
            self.failures -= 1
            if self.stop_after is not None and not self.failures:
                self.stop_after.set()
            raise Flaky("database down")
        good = [r for r in records if r.value != b"bad"]
        self.done.extend(r.value for r in good)
        bad = [Invalid(r, "schema: rating out of range") for r in records if r.value == b"bad"]
        return StepResult(bad, {"events_inserted": float(len(good))})


@pytest.fixture
def broker() -> InMemoryBroker:
    broker = InMemoryBroker()
    broker.create_topic("in", partitions=2)
    broker.create_topic("in.dlq")
    return broker


def make_loop(broker, step, *, batch=100, health=None, periodic=()):
    retry = RetryPolicy((Flaky,), threading.Event(), max_pause_s=0.0, first_pause_s=0.0)
    return ConsumerLoop(
        broker.consumer("g", ["in"]), step, broker, retry,
        LoopSettings("in.dlq", batch_max_records=batch, batch_max_seconds=0.0),
        health=health, periodic=periodic,
    )  # fmt: skip


def put(broker, *values: bytes) -> None:
    broker.publish([Message("in", f"S{i % 3}".encode(), v) for i, v in enumerate(values)])


def committed(broker) -> int:
    return sum(broker.committed.get("g", {}).values())


def test_offsets_are_committed_after_the_step_returned_and_cover_the_whole_batch(broker):
    put(broker, b"1", b"2", b"3")
    step = Recorder()

    assert make_loop(broker, step).run_once() == 3

    assert sorted(step.done) == [b"1", b"2", b"3"]
    assert committed(broker) == 3 == sum(broker.end_offsets("in").values())


def test_a_step_that_fails_for_good_leaves_the_batch_uncommitted(broker):
    put(broker, b"1")

    def broken(records):
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        make_loop(broker, broken).run_once()
    assert committed(broker) == 0


def test_invalid_records_go_to_the_dead_letter_topic_unchanged_with_the_common_headers(broker):
    put(broker, b"1", b"bad")
    [original] = [r for r in broker.records("in") if r.value == b"bad"]

    make_loop(broker, Recorder()).run_once()

    [letter] = broker.records("in.dlq")
    assert (letter.key, letter.value) == (original.key, b"bad")
    assert dict(letter.headers) == {
        "dlq.reason": b"schema: rating out of range",
        "dlq.origin.topic": b"in",
        "dlq.origin.partition": str(original.partition).encode(),
        "dlq.origin.offset": str(original.offset).encode(),
    }
    assert committed(broker) == 2


def test_a_transient_fault_is_retried_with_the_same_batch_and_committed_once_it_passes(broker):
    put(broker, b"1", b"2")
    step = Recorder(failures=2)

    make_loop(broker, step).run_once()

    assert step.calls == 3
    assert sorted(step.done) == [b"1", b"2"]
    assert committed(broker) == 2


def test_a_stop_while_retrying_commits_nothing_past_the_failure(broker):
    put(broker, b"1", b"2")
    loop = make_loop(broker, Recorder())
    loop.step = Recorder(failures=3, stop_after=loop.stopping)

    with pytest.raises(Stopped):
        loop.run_once()
    assert committed(broker) == 0


def test_run_stops_on_the_flag_after_committing_the_batch_in_hand_and_closes(broker):
    put(broker, b"1", b"2")
    loop = make_loop(broker, Recorder())

    def stop_after_first_batch(records):
        loop.stopping.set()
        return Recorder()(records)

    loop.step = stop_after_first_batch
    loop.run()

    assert committed(broker) == 2
    assert loop.broker.closed


def test_a_batch_holds_at_most_the_configured_count(broker):
    put(broker, *[b"x"] * 5)
    loop = make_loop(broker, Recorder(), batch=2)

    assert [loop.run_once() for _ in range(4)] == [2, 2, 1, 0]
    assert committed(broker) == 5


def test_a_refused_commit_after_a_rebalance_is_not_fatal(broker):
    put(broker, b"1")
    loop = make_loop(broker, Recorder())
    loop.broker.refuse_commits = True

    assert loop.run_once() == 1
    assert committed(broker) == 0  # the new owner reads it again


def test_health_gets_the_batch_figures_the_steps_own_and_a_heartbeat_with_the_lag(broker):
    put(broker, b"1", b"bad", b"3")
    health = Health()

    make_loop(broker, Recorder(), health=health, batch=2).run_once()

    assert health.figures["events_consumed"] == 2
    assert health.figures["batches"] == 1
    assert health.figures["events_inserted"] == 1
    assert health.figures["dlq:schema"] == 1
    assert health.figures["batch_size_le:10"] == 1
    assert health.lags == [1]


def test_a_periodic_task_runs_before_the_first_batch_and_then_when_due(broker):
    ran: list[str] = []
    loop = make_loop(broker, Recorder(), periodic=[Periodic("tick", 3600, lambda: ran.append("t"))])

    loop.run_once()
    loop.run_once()

    assert ran == ["t"]


class Trickle:
    """A broker that hands out one record per poll, and counts the polls."""

    def __init__(self, broker: InMemoryBroker) -> None:
        self.inner, self.polls = broker.consumer("g", ["in"]), 0

    def poll(self, timeout_s: float, max_records: int) -> list[Record]:
        self.polls += 1
        return self.inner.poll(timeout_s, 1)


def test_a_batch_ends_when_its_time_is_up_counted_from_its_first_record(broker):
    put(broker, *[b"x"] * 5)
    trickle = Trickle(broker)

    assert len(poll_batch(trickle, 100, 0.0, threading.Event())) == 1
    assert len(poll_batch(trickle, 3, 60.0, threading.Event())) == 3


def test_an_idle_worker_gets_an_empty_batch_after_one_poll(broker):
    trickle = Trickle(broker)

    assert poll_batch(trickle, 100, 60.0, threading.Event()) == []
    assert trickle.polls == 1


def put_both(broker, count: int) -> None:
    """``count`` records, alternately on partition 0 (key S0) and partition 1 (key S4)."""
    keys = (b"S0", b"S4")
    broker.publish([Message("in", keys[i % 2], str(i).encode()) for i in range(count)])
    assert all(broker.end_offsets("in").values())


class LosesPartitionMidBatch(Recorder):
    """A step during which a rebalance gives partition 0 to another member."""

    def __init__(self, consumer) -> None:
        super().__init__()
        self.consumer = consumer

    def __call__(self, records: Sequence[Record]) -> StepResult:
        self.consumer.lose(("in", 0))
        return super().__call__(records)


def test_a_partition_lost_while_its_batch_was_processed_is_not_committed_by_the_old_owner(
    broker,
):
    put_both(broker, 6)
    loop = make_loop(broker, Recorder())
    step = LosesPartitionMidBatch(loop.broker)
    loop.step = step

    assert loop.run_once() == 6

    # Every record was processed (idempotent steps make that safe), but only the partition
    # still owned was committed: the new owner of partition 0 commits its own offsets.
    assert len(step.done) == 6
    ends = broker.end_offsets("in")
    assert broker.committed["g"] == {("in", 1): ends[1]}
    assert ends[0] > 0


def test_a_new_owner_reads_a_lost_partition_from_the_last_commit_and_loses_nothing(broker):
    put_both(broker, 6)
    old = make_loop(broker, Recorder())
    old.step = LosesPartitionMidBatch(old.broker)
    old.run_once()

    new_step = Recorder()
    new = make_loop(broker, new_step)
    new.broker.lose(("in", 1))  # the new member was given partition 0 only
    new.run_once()

    partition_0 = [r.value for r in broker.records("in") if r.partition == 0]
    assert sorted(new_step.done) == sorted(partition_0)
    assert broker.committed["g"][("in", 0)] == broker.end_offsets("in")[0]


def test_a_partition_lost_before_the_batch_was_read_does_not_stop_the_next_commit(broker):
    consumer_loop = make_loop(broker, Recorder())
    consumer_loop.broker.lose(("in", 0))
    put_both(broker, 6)

    consumer_loop.run_once()

    assert broker.committed["g"] == {("in", 1): broker.end_offsets("in")[1]}
