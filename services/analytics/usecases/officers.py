"""Per officer and per complaint type: what a station's page and a zone's page show, and the
admin's merges and splits of the officers gathered from typed names (``domain.officers``).

Plain functions over ``OfficerRepository`` (``adapters.postgres_officers``). Figures cover
the India days shown on the page. Officers' names are as visitors typed them, so contact
details in them are masked, as in comments. A merge or a split is refused with
``InvalidChange`` (the entrypoints answer 422) when it names a name the station has not
gathered; each one that is made is audited by the caller's ``audit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from services.analytics.domain.officers import NameTally, Officer, gather
from shared.complaint_types import COMPLAINT_TYPES
from shared.india import INDIA
from shared.masking import mask_contact_details

ALL_TIME = datetime(2000, 1, 1, tzinfo=UTC)
MAX_NAMES = 50  # names in one merge


class OfficerRepository(Protocol):
    def name_tallies(self, code: str, since: datetime) -> list[NameTally]: ...
    def aliases(self, code: str) -> dict[str, str]: ...
    def save_aliases(
        self, code: str, aliases: Iterable[tuple[str, str]], changed_by: str
    ) -> None: ...
    def by_complaint_type(
        self, since: datetime, *, station: str | None = None, zone: str | None = None
    ) -> list[dict[str, Any]]: ...


class InvalidChange(ValueError):
    """A merge or split that names no gathered name, or nothing."""


@dataclass(frozen=True)
class Figures:
    officers: list[Officer]  # those with enough feedback to show
    not_shown: int  # officers below the minimum count
    min_count: int
    complaint_types: list[dict[str, Any]]


def since_day(days: int, today: date) -> datetime:
    """The start (India midnight) of the first of ``days`` days up to ``today``."""
    return datetime.combine(today - timedelta(days=days - 1), time(), INDIA)


def _shown(tally: NameTally) -> NameTally:
    return NameTally(tally.name_key, mask_contact_details(tally.spelling), tally.count,
                     tally.rating_sum)  # fmt: skip


def labelled_types(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per complaint type with its labels, the most often unresolved first."""
    out = []
    for row in rows:
        hi, en = COMPLAINT_TYPES.get(row["complaint_type"], ("अन्य", "Other"))
        out.append({**row, "label_hi": hi, "label_en": en})
    return sorted(out, key=lambda r: (-r["unresolved_share"], -r["count"], r["complaint_type"]))


def station_figures(
    repo: OfficerRepository, code: str, days: int, today: date, min_count: int
) -> Figures:
    """The station's officers and complaint types over ``days`` days up to ``today``."""
    since = since_day(days, today)
    tallies = [_shown(t) for t in repo.name_tallies(code, since)]
    officers = gather(tallies, repo.aliases(code), min_count)
    shown = [o for o in officers if o.shown]
    types = labelled_types(repo.by_complaint_type(since, station=code))
    return Figures(shown, len(officers) - len(shown), min_count, types)


def zone_types(repo: OfficerRepository, zone: str, days: int, today: date) -> list[dict[str, Any]]:
    return labelled_types(repo.by_complaint_type(since_day(days, today), zone=zone))


def gathered(repo: OfficerRepository, code: str) -> list[Officer]:
    """Every officer gathered at the station, all time, for the admin (no minimum: the
    admin sees names and how they gather, not ratings)."""
    tallies = [_shown(t) for t in repo.name_tallies(code, ALL_TIME)]
    return gather(tallies, repo.aliases(code), min_count=10**9)


Audit = Callable[..., None]


def merge(repo: OfficerRepository, code: str, names: list[str], into: str, actor: str,
          audit: Audit) -> list[Officer]:  # fmt: skip
    """The officers (or names) ``names`` become one officer, ``into`` (one of them or of
    the station's officers); names already gathered under a merged officer follow it."""
    officers = gathered(repo, code)
    known = {o.officer_key for o in officers} | {t.name_key for o in officers for t in o.names}
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) < 1 or len(names) > MAX_NAMES:
        raise InvalidChange(f"choose from 1 to {MAX_NAMES} names to merge")
    unknown = [n for n in [*names, into] if n not in known]
    if unknown or not into:
        raise InvalidChange("a name to merge is not gathered at this station")
    moving = set(names)
    rows = {into: into}
    for officer in officers:
        if officer.officer_key in moving or officer.officer_key == into:
            rows.update({t.name_key: into for t in officer.names})
    rows.update({n: into for n in names})
    for name_key, officer_key in repo.aliases(code).items():
        if officer_key in moving:
            rows[name_key] = into
    repo.save_aliases(code, rows.items(), actor)
    audit("officer.merge", code, names=sorted(moving - {into}), into=into)
    return gathered(repo, code)


def split(repo: OfficerRepository, code: str, name: str, actor: str,
          audit: Audit) -> list[Officer]:  # fmt: skip
    """The name ``name`` becomes an officer of its own."""
    officers = gathered(repo, code)
    if name not in {t.name_key for o in officers for t in o.names}:
        raise InvalidChange("that name is not gathered at this station")
    repo.save_aliases(code, [(name, name)], actor)
    audit("officer.split", code, name=name)
    return gathered(repo, code)


def officer_json(officer: Officer, *, figures: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "officer_key": officer.officer_key,
        "name": officer.name,
        "names": [{"name_key": t.name_key, "spelling": t.spelling} for t in officer.names],
    }
    if figures:
        found.update(count=officer.count, avg_rating=officer.avg_rating)
    return found
