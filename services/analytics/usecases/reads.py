"""What the read API and the dashboard show, over the read ports (``ports``): the
ranking, a station's scores, its daily trend and its page.

Plain functions; the HTTP entrypoint parses the request, calls one of these and maps
UnknownStation to 404 and an unreachable data source to 503.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.analytics.domain import PUBLIC_WINDOWS, RankingPolicy
from services.analytics.ports import ReadRepository, ScoresSource
from shared.complaint_types import COMPLAINT_TYPES
from shared.india import INDIA
from shared.scores import WindowStats


@dataclass(frozen=True)
class ReadDeps:
    database: ReadRepository
    scores: ScoresSource
    policy: RankingPolicy


class UnknownStation(Exception):
    """No station has this code."""


@dataclass(frozen=True)
class StationPage:
    station: Mapping[str, Any]
    windows: dict[str, dict[str, Any]]  # window -> the public summary
    series: list[dict[str, Any]]  # one row per day, oldest first
    comments: list[dict[str, Any]]  # newest first, with "when" and "type_label"

    @property
    def total(self) -> int:
        """Feedback in the series' days."""
        return sum(day["count"] for day in self.series)


def ranking_items(deps: ReadDeps, window: str, zone: str | None) -> list[dict[str, Any]]:
    """Every active station (of ``zone``, any case), best first; stations with too little
    feedback after the ranked ones with ``rank`` None, then those with none at all."""
    registry = deps.database.stations()
    items, listed = [], set()
    for entry in deps.scores.ranking(window, deps.policy):
        station = registry.get(entry.station_code)
        if station is None:
            continue
        listed.add(entry.station_code)
        items.append({**station, "score": round(entry.score, 3) if entry.score is not None
                      else None, "count": entry.count, "rank": entry.rank,
                      "enough_feedback": entry.enough_feedback})  # fmt: skip
    for code, station in registry.items():
        if code not in listed:
            items.append({**station, "score": None, "count": 0, "rank": None,
                          "enough_feedback": False})  # fmt: skip
    if zone:
        items = [i for i in items if i["zone"].lower() == zone.lower()]
    return items


def dashboard_data(
    deps: ReadDeps, window: str, zone: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The dashboard's ranking (see ranking_items) and the zones to filter it by."""
    return ranking_items(deps, window, zone), deps.database.zones()


def station_scores(deps: ReadDeps, code: str) -> dict[str, dict[str, Any]]:
    """The station's public windows (zero counts before its first feedback)."""
    _station(deps, code)
    return _windows(deps, code)


def station_trend(deps: ReadDeps, code: str, days: int, today: date) -> list[dict[str, Any]]:
    """The station's last ``days`` India days up to ``today``."""
    _station(deps, code)
    return deps.database.trend(code, days, today)


def station_page(deps: ReadDeps, code: str, days: int, today: date) -> StationPage:
    """What the station's page shows: its windows, ``days`` days of trend and its latest
    comments, each with its India time and its complaint type in Hindi and English."""
    station = _station(deps, code)
    windows = _windows(deps, code)
    series = deps.database.trend(code, days, today)
    comments = []
    for comment in deps.database.latest_comments(code):
        at = comment["submitted_at"].astimezone(INDIA)
        hi, en = COMPLAINT_TYPES.get(comment["complaint_type"], ("अन्य", "Other"))
        comments.append({**comment, "when": at.strftime("%Y-%m-%d %H:%M"),
                         "type_label": f"{hi} · {en}"})  # fmt: skip
    return StationPage(station, windows, series, comments)


def _station(deps: ReadDeps, code: str) -> Mapping[str, Any]:
    station = deps.database.station(code)
    if station is None:
        raise UnknownStation(code)
    return station


def _windows(deps: ReadDeps, code: str) -> dict[str, dict[str, Any]]:
    stored = deps.scores.read_station(code) or {}
    return {w: stored.get(w, WindowStats()).summary() for w in PUBLIC_WINDOWS}
