"""What the read API and the dashboard show, over the read ports (``ports``): the
ranking, a station's scores, its daily trend and its page, each narrowed to what the
viewer (a ``Principal``) may see.

Plain functions; the HTTP entrypoint parses the request, calls one of these and maps
UnknownStation to 404, OutOfScope to 403 and an unreachable data source to 503. A station
read takes a ``guard`` (the gate's ``require_station``), called with the station's zone
(None when there is no such station) before the answer says anything about the station,
even whether it exists: an SHO or a DCP cannot probe other stations.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.analytics.domain import PUBLIC_WINDOWS, RankingPolicy
from services.analytics.ports import IdentitySource, ReadRepository, ScoresSource
from shared.auth.roles import ZONE_ROLES, Principal, Role
from shared.complaint_types import COMPLAINT_TYPES
from shared.india import INDIA
from shared.masking import mask_contact_details
from shared.scores import WindowStats

# Called with a station's code and zone (None when there is no such station) before it is
# read; raises to refuse.
Guard = Callable[[str, str | None], object]


class RankingCache:
    """The rankings last built, per window and zone, each with the versions of the registry
    and of the scores it was built from (``ReadRepository.stations_version``,
    ``ScoresSource.version``): a request reuses one while neither has moved, so at 17,000
    stations a ranking is not rebuilt from every station for every reader. Never stale:
    the versions are read before the ranking, so a write during a build only makes the
    next request build again."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._built: OrderedDict[tuple[str, str], tuple[Hashable, tuple[dict, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], version: Hashable) -> tuple[dict, ...] | None:
        with self._lock:
            found = self._built.get(key)
            if found is None or found[0] != version:
                return None
            self._built.move_to_end(key)
            return found[1]

    def put(self, key: tuple[str, str], version: Hashable, items: tuple[dict, ...]) -> None:
        with self._lock:
            self._built[key] = (version, items)
            self._built.move_to_end(key)
            while len(self._built) > self.size:
                self._built.popitem(last=False)


@dataclass(frozen=True)
class ReadDeps:
    database: ReadRepository
    scores: ScoresSource
    policy: RankingPolicy
    identities: IdentitySource
    # Per officer and per complaint type (usecases.officers.OfficerRepository); None: not kept.
    officers: Any = None
    officer_min_count: int = 5
    rankings: RankingCache = field(default_factory=RankingCache)


class UnknownStation(Exception):
    """No station has this code."""


class OutOfScope(Exception):
    """The viewer asked for a zone their access does not cover."""


def anyone(code: str, zone: str | None) -> None:
    """The guard of reads made for nobody in particular (tests, the command line)."""


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


def ranking_items(
    deps: ReadDeps, window: str, zone: str | None, viewer: Principal | None = None
) -> Sequence[dict[str, Any]]:
    """Every active station (of ``zone``, any case) that ``viewer`` may see, best first;
    stations with too little feedback after the ranked ones with ``rank`` None, then those
    with none at all. Ranks are the city-wide ones. The items may be shared with other
    requests (``RankingCache``): read them, never change them. For a city-wide viewer (or
    none) the sequence itself is the cached one, the same object while nothing moved."""
    version = (deps.database.stations_version(), deps.scores.version())
    key = (window, (zone or "").lower())
    items = deps.rankings.get(key, version) if None not in version else None
    if items is None:
        items = tuple(_ranking(deps, window, zone))
        if None not in version:
            deps.rankings.put(key, version, items)
    if viewer is not None and not viewer.city_wide:
        return [i for i in items if viewer.sees_station(i["station_code"], i["zone"])]
    return items


def _ranking(deps: ReadDeps, window: str, zone: str | None) -> list[dict[str, Any]]:
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


def scoped_zone(deps: ReadDeps, viewer: Principal, asked: str | None) -> str | None:
    """The zone a ranking shows: the one asked for, in the registry's spelling (any case),
    or a DCP's or ACP's own when they asked for none. OutOfScope when the viewer may not
    see the zone asked for (an SHO only their station's)."""
    if not asked:
        return viewer.zone if viewer.role in ZONE_ROLES else None
    known = {z["code"].lower(): z["code"] for z in deps.database.zones()}
    zone = known.get(asked.lower(), asked)
    if viewer.sees_zone(zone):
        return zone
    if viewer.role is Role.SHO and viewer.station_code:
        own = deps.database.station(viewer.station_code)
        if own is not None and own["zone"] == zone:
            return zone
    raise OutOfScope(f"your access covers {viewer.scope_label or 'no zone'}, not {asked}")


def dashboard_data(
    deps: ReadDeps, window: str, zone: str | None, viewer: Principal | None = None
) -> tuple[Sequence[dict[str, Any]], list[dict[str, str]]]:
    """The dashboard's ranking (see ranking_items) and the zones to filter it by: all of
    them, or only the viewer's own."""
    zones = deps.database.zones()
    if viewer is not None:
        zones = [z for z in zones if viewer.sees_zone(z["code"])]
    return ranking_items(deps, window, zone, viewer), zones


def station_scores(deps: ReadDeps, code: str, guard: Guard = anyone) -> dict[str, dict[str, Any]]:
    """The station's public windows (zero counts before its first feedback)."""
    _station(deps, code, guard)
    return _windows(deps, code)


def station_trend(
    deps: ReadDeps, code: str, days: int, today: date, guard: Guard = anyone
) -> list[dict[str, Any]]:
    """The station's last ``days`` India days up to ``today``."""
    _station(deps, code, guard)
    return deps.database.trend(code, days, today)


def station_page(
    deps: ReadDeps, code: str, days: int, today: date, guard: Guard = anyone
) -> StationPage:
    """What the station's page shows: its windows, ``days`` days of trend and its latest
    comments, each with its India time and its complaint type in Hindi and English, and
    the visitor's words (and the officer's name they typed) with contact details masked."""
    station = _station(deps, code, guard)
    windows = _windows(deps, code)
    series = deps.database.trend(code, days, today)
    comments = [shown_comment(c) for c in deps.database.latest_comments(code)]
    return StationPage(station, windows, series, comments)


def shown_comment(comment: Mapping[str, Any]) -> dict[str, Any]:
    """A feedback's words as police see them: masked (``shared.masking``), with its India
    time (``when``) and its complaint type's labels (``type_label``)."""
    at = comment["submitted_at"].astimezone(INDIA)
    hi, en = COMPLAINT_TYPES.get(comment["complaint_type"], ("अन्य", "Other"))
    officer = comment.get("officer_name")
    return {
        **comment,
        "comments": mask_contact_details(comment["comments"] or ""),
        "officer_name": mask_contact_details(officer) if officer else None,
        "when": at.strftime("%Y-%m-%d %H:%M"),
        "type_label": f"{hi} · {en}",
    }


def _station(deps: ReadDeps, code: str, guard: Guard) -> Mapping[str, Any]:
    station = deps.database.station(code)
    guard(code, station["zone"] if station is not None else None)
    if station is None:
        raise UnknownStation(code)
    return station


def _windows(deps: ReadDeps, code: str) -> dict[str, dict[str, Any]]:
    stored = deps.scores.read_station(code) or {}
    return {w: stored.get(w, WindowStats()).summary() for w in PUBLIC_WINDOWS}
