"""The digest's figures, pure: built from sums and rows the adapter read, so the arithmetic
is tested without a database.

The ranking is the dashboard's fair ranking over 30 days (``domain.ranking``), taken twice:
as it stood when the week began and when it ended. Ranks are city-wide; a DCP's digest lists
the stations of their zone with their city rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.analytics.digest.week import Week
from services.analytics.domain.ranking import RankingPolicy, rank_stations
from shared.scores import WindowStats

FALLEN_MAX = 5  # how many "fell most" stations the digest names


@dataclass(frozen=True)
class StationInfo:
    code: str
    name_en: str
    name_hi: str
    zone: str


@dataclass(frozen=True)
class Move:
    station: StationInfo
    rank_before: int | None
    rank_after: int | None
    score_before: float | None
    score_after: float | None
    week_count: int

    @property
    def places(self) -> int | None:
        """Places gained (positive) or lost (negative); None unless ranked both times."""
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_before - self.rank_after

    @property
    def score_change(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return round(self.score_after - self.score_before, 4)


@dataclass(frozen=True)
class OpenAlert:
    station: StationInfo
    rule: str
    level: int
    raised_at: datetime
    acknowledged: bool


@dataclass(frozen=True)
class OverdueDirection:
    id: int
    target: str  # a station's code or a zone's
    what_text: str
    due_on: date
    issuer_role: str
    pending: tuple[str, ...]  # codes of the stations that had not reported compliance

    def days_overdue(self, on: date) -> int:
        return (on - self.due_on).days


@dataclass(frozen=True)
class Digest:
    week: Week
    zone: str | None  # None: the whole city
    zone_name: tuple[str, str] | None  # (Hindi, English)
    feedback_count: int
    previous_count: int
    moves: tuple[Move, ...]
    fallen: tuple[Move, ...]
    open_alerts: tuple[OpenAlert, ...]
    overdue: tuple[OverdueDirection, ...]

    @property
    def as_of(self) -> date:
        """The day the week's end falls on (its Monday after): overdue is judged then."""
        return self.week.end.date()


def _ranks(sums: dict[str, tuple[int, int]], policy: RankingPolicy):
    stats = {code: WindowStats(count=c, rating_sum=r) for code, (c, r) in sums.items()}
    return {r.station_code: r for r in rank_stations(stats, policy)}


def ranking_moves(
    stations: list[StationInfo],
    before: dict[str, tuple[int, int]],
    after: dict[str, tuple[int, int]],
    week_counts: dict[str, int],
    policy: RankingPolicy,
    scope: set[str],
) -> list[Move]:
    """Every active station's (count, rating sum) over the 30 days to the week's start and to
    its end give the two rankings; the moves of the stations in ``scope``, by rank at the end
    (unranked last)."""
    codes = {s.code for s in stations}
    ranks_before = _ranks({c: before.get(c, (0, 0)) for c in codes}, policy)
    ranks_after = _ranks({c: after.get(c, (0, 0)) for c in codes}, policy)
    moves = [
        Move(s, ranks_before[s.code].rank, ranks_after[s.code].rank,
             ranks_before[s.code].score, ranks_after[s.code].score, week_counts.get(s.code, 0))
        for s in stations if s.code in scope
    ]  # fmt: skip
    big = 10**9
    return sorted(
        moves,
        key=lambda m: (m.rank_after or big, -(m.score_after or 0), m.station.code),
    )


def fell_most(moves: list[Move], limit: int = FALLEN_MAX) -> list[Move]:
    """The stations whose fair score fell most over the week (a fall only), largest first."""
    falls = [m for m in moves if m.score_change is not None and m.score_change < 0]
    return sorted(falls, key=lambda m: (m.score_change, m.station.code))[:limit]
