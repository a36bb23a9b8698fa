"""Officers gathered from the names visitors typed at one station. Pure: no I/O.

Each feedback carries the key of the name typed (``shared.textkeys.officer_key``: ranks,
honorifics, case, spacing, script and word order already gone). Keys then gather:

1. An admin's alias (``officer_aliases``) wins: the name belongs to the officer it names. A
   key aliased to itself is an officer of its own (a split) and gathers nothing by itself.
2. Otherwise a name whose words are all words of exactly one longer name at the station
   joins it: "rmes" (Ramesh) joins "kumr rmes" (Ramesh Kumar). When two longer names have
   them ("Ramesh Kumar" and "Ramesh Yadav") the short name is ambiguous and stays apart,
   until an admin merges it.

An officer's figures are the sums over its names; none is shown below a minimum count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class NameTally:
    """Feedback at one station under one name key, and how the name was written."""

    name_key: str
    spelling: str  # the spelling typed most often
    count: int
    rating_sum: int


@dataclass(frozen=True)
class Officer:
    officer_key: str
    name: str  # the most common spelling of its names
    names: tuple[NameTally, ...]  # most feedback first
    count: int
    avg_rating: float | None  # None below the minimum count

    @property
    def shown(self) -> bool:
        return self.avg_rating is not None


def _words(key: str) -> frozenset[str]:
    return frozenset(key.split())


def officer_of(keys: Iterable[str], aliases: Mapping[str, str]) -> dict[str, str]:
    """name key -> the officer key it gathers under (see the module's rules)."""
    keys = set(keys)
    targets = keys | set(aliases.values())
    longest = [t for t in targets if not any(_words(t) < _words(o) for o in targets)]
    pinned = {k for k, v in aliases.items() if k == v}
    found: dict[str, str] = {}
    for key in keys:
        if key in aliases:
            found[key] = aliases[key]
            continue
        wider = [t for t in longest if _words(key) < _words(t)]
        target = wider[0] if len(wider) == 1 and key not in pinned else key
        found[key] = aliases.get(target, target)  # the longer name may itself be merged
    return found


def gather(
    tallies: Iterable[NameTally], aliases: Mapping[str, str], min_count: int
) -> list[Officer]:
    """The station's officers, most feedback first; figures only from ``min_count`` on."""
    tallies = [t for t in tallies if t.name_key]
    mapping = officer_of((t.name_key for t in tallies), aliases)
    grouped: dict[str, list[NameTally]] = {}
    for tally in tallies:
        grouped.setdefault(mapping[tally.name_key], []).append(tally)
    officers = []
    for key, names in grouped.items():
        names.sort(key=lambda t: (-t.count, t.name_key))
        count = sum(t.count for t in names)
        total = sum(t.rating_sum for t in names)
        average = round(total / count, 2) if count and count >= min_count else None
        officers.append(Officer(key, names[0].spelling, tuple(names), count, average))
    officers.sort(key=lambda o: (-o.count, o.officer_key))
    return officers
