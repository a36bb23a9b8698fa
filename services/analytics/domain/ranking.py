"""The fair ranking of stations: a Bayesian average of the stars.

A station's score is the average rating it would have if every station started with
``prior_weight`` imaginary responses at the city-wide mean:

    score = (prior_weight * city_mean + rating_sum) / (prior_weight + count)

Three five-star responses cannot put a station above one with two hundred responses averaging
4.6; with many responses the score is the station's own average. Stations with fewer than
``min_count`` responses keep a score but get no rank ("not enough feedback").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.scores import WindowStats

NEUTRAL_MEAN = 3.0  # the middle of 1-5 stars, when the city has no feedback at all


@dataclass(frozen=True)
class RankingPolicy:
    prior_weight: float = 10.0
    min_count: int = 10


@dataclass(frozen=True)
class RankedStation:
    station_code: str
    score: float | None
    count: int
    rank: int | None

    @property
    def enough_feedback(self) -> bool:
        return self.rank is not None


def city_mean(stats: Iterable[WindowStats]) -> float:
    """The mean rating of every response in the city (NEUTRAL_MEAN when there is none)."""
    count = rating_sum = 0
    for s in stats:
        count += s.count
        rating_sum += s.rating_sum
    return rating_sum / count if count else NEUTRAL_MEAN


def fair_score(stats: WindowStats, mean: float, prior_weight: float) -> float:
    return round((prior_weight * mean + stats.rating_sum) / (prior_weight + stats.count), 4)


def rank_stations(stats: dict[str, WindowStats], policy: RankingPolicy) -> list[RankedStation]:
    """Every station, best first: ranked ones (enough feedback) by score, then the rest by
    score, then stations with no feedback (score None). Ties go to the larger sample."""
    mean = city_mean(stats.values())
    scored = [(code, s, fair_score(s, mean, policy.prior_weight)) for code, s in stats.items()]
    enough = [x for x in scored if x[1].count >= policy.min_count]
    few = [x for x in scored if 0 < x[1].count < policy.min_count]
    none = sorted(code for code, s, _ in scored if s.count == 0)

    def order(items):
        return sorted(items, key=lambda x: (-x[2], -x[1].count, x[0]))

    result = [
        RankedStation(code, score, s.count, n)
        for n, (code, s, score) in enumerate(order(enough), 1)
    ]
    result += [RankedStation(code, score, s.count, None) for code, s, score in order(few)]
    result += [RankedStation(code, None, 0, None) for code in none]
    return result
