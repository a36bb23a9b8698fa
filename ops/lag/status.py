"""Judging a consumer group's health from a sliding window of lag samples, in the manner of
LinkedIn's Burrow: not from one number against a threshold, but from how committed offsets
and lag move over the window.

For each partition, over the samples in the window (oldest first):
- OK      the lag was zero at some point in the window, or offsets move and lag does not
          keep growing;
- REWIND  the committed offset went backwards between two samples;
- STOP    the group has no consumers and there is lag: nobody is committing at all;
- STALL   consumers are there, there is lag, and the committed offset has not moved over
          the whole window;
- WARN    offsets move, but the lag grew between every pair of samples.
A group takes its worst partition's status. A window needs at least two samples to judge
movement; with one, only STOP and OK can be told apart.
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ops.lag.reader import PartitionSample


class Status(enum.IntEnum):
    """Ordered by severity, so the worst of several is their max."""

    OK = 0
    WARN = 1
    REWIND = 2
    STALL = 3
    STOP = 4


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str


def judge_partition(window: list[PartitionSample]) -> Verdict:
    """``window``: one partition's samples, oldest first (at least one)."""
    latest = window[-1]
    if any(s.lag == 0 for s in window):
        return Verdict(Status.OK, "caught up within the window")
    offsets = [s.committed for s in window]
    for before, after in itertools.pairwise(offsets):
        if before is not None and after is not None and after < before:
            return Verdict(Status.REWIND, f"committed offset went back from {before} to {after}")
    if latest.members == 0:
        return Verdict(Status.STOP, f"no consumers, {latest.lag} messages waiting")
    if len(window) < 2:
        return Verdict(Status.OK, "one sample: movement not judged yet")
    if len(set(offsets)) == 1:
        return Verdict(
            Status.STALL, f"offset {offsets[0]} unchanged over the window, lag {latest.lag}"
        )
    lags = [s.lag for s in window]
    if all(b > a for a, b in itertools.pairwise(lags)):
        return Verdict(Status.WARN, f"lag grew at every sample, from {lags[0]} to {lags[-1]}")
    return Verdict(Status.OK, "offsets moving")


def judge_groups(
    history: Iterable[PartitionSample], window_s: float = 600.0, max_samples: int = 10
) -> dict[str, tuple[Verdict, dict[tuple[str, int], Verdict]]]:
    """Each group's verdict and its partitions' verdicts, from every sample in ``history``
    taken within ``window_s`` of the newest (at most ``max_samples`` per partition)."""
    samples = sorted(history, key=lambda s: s.at)
    if not samples:
        return {}
    newest = samples[-1].at
    by_partition: dict[tuple[str, str, int], list[PartitionSample]] = defaultdict(list)
    for sample in samples:
        if newest - sample.at <= window_s:
            by_partition[(sample.group, sample.topic, sample.partition)].append(sample)
    verdicts: dict[str, dict[tuple[str, int], Verdict]] = defaultdict(dict)
    for (group, topic, partition), window in by_partition.items():
        verdicts[group][(topic, partition)] = judge_partition(window[-max_samples:])
    result = {}
    for group, partitions in verdicts.items():
        worst = max(partitions.values(), key=lambda v: v.status)
        result[group] = (worst, partitions)
    return result
