"""Judging consumer groups from lag samples, Burrow-style."""

from __future__ import annotations

from ops.lag.reader import PartitionSample
from ops.lag.status import Status, judge_groups, judge_partition


def window(*points: tuple[int | None, int], members: int = 1, start: float = 1000.0):
    """Samples of one partition, 60 s apart: (committed offset, lag) per sample."""
    return [
        PartitionSample("g", "t", 0, committed, (committed or 0) + lag, lag, None, members,
                        start + 60 * i)
        for i, (committed, lag) in enumerate(points)
    ]  # fmt: skip


def test_a_consumer_that_caught_up_once_in_the_window_is_ok():
    assert judge_partition(window((10, 5), (12, 0), (12, 3))).status is Status.OK


def test_moving_offsets_with_steady_lag_are_ok():
    assert judge_partition(window((10, 5), (20, 7), (30, 6))).status is Status.OK


def test_lag_growing_at_every_sample_while_offsets_move_is_a_warning():
    verdict = judge_partition(window((10, 5), (20, 9), (30, 14)))
    assert verdict.status is Status.WARN
    assert "5" in verdict.reason and "14" in verdict.reason


def test_offsets_that_do_not_move_with_lag_and_consumers_present_are_a_stall():
    assert judge_partition(window((10, 5), (10, 8), (10, 9))).status is Status.STALL


def test_lag_with_no_consumers_is_a_stop_even_from_one_sample():
    assert judge_partition(window((10, 5), members=0)).status is Status.STOP


def test_an_offset_going_backwards_is_a_rewind():
    assert judge_partition(window((30, 5), (12, 23), (15, 20))).status is Status.REWIND


def test_one_sample_with_consumers_and_lag_is_not_judged_a_stall_yet():
    assert judge_partition(window((10, 5))).status is Status.OK


def test_a_group_takes_its_worst_partitions_status_and_old_samples_drop_out():
    stalled = window((10, 5), (10, 6), (10, 7))
    fine = [
        PartitionSample("g", "t", 1, c, c + lag, lag, None, 1, at)
        for c, lag, at in [(5, 1, 1000.0), (9, 2, 1060.0), (14, 1, 1120.0)]
    ]
    ancient = PartitionSample("g", "t", 1, 0, 50, 50, None, 1, 1120.0 - 3600)

    verdicts = judge_groups([*stalled, *fine, ancient], window_s=600)

    group_verdict, partitions = verdicts["g"]
    assert group_verdict.status is Status.STALL
    assert partitions[("t", 1)].status is Status.OK
