"""Directions (issue 12, section 4): the Commissioner's office, or a DCP for their own zone,
directs a station or a zone; each station it reaches acknowledges it and reports
compliance; a direction's page compares the scores before and after it.

Plain functions over the ``DirectionStore`` (adapters/directions_postgres.py). Bad input
raises ``Invalid`` (a 4xx with its words), a target or a direction the viewer may not see
raises ``OutOfScope`` (403), one that does not exist ``NotFound``.

Overdue: India's date is past the due date and a station the direction reaches has not
reported compliance. The before-and-after splits at the moment the direction was recorded:
the window after it runs ``window_days`` (or up to now, while it runs) and the window before
it is exactly as long, so the two are equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from services.analytics.domain.before_after import Comparison, Sample, compare
from shared.auth.roles import CITY_WIDE, ZONE_ROLES, Principal, Role
from shared.masking import mask_contact_details

ISSUERS = (Role.COMMISSIONER, Role.DCP)
TEXT_MIN, TEXT_MAX = 5, 2000
REPORT_MIN = 2
MAX_DUE_DAYS = 365
MAX_EVIDENCE = 50
KINDS = ("acknowledgement", "compliance")


class Invalid(ValueError):
    """Input that cannot be taken: the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(LookupError):
    """No such direction or station."""


class OutOfScope(PermissionError):
    """The viewer may not see or act on this."""


class Conflict(Exception):
    """This station already made this report on this direction."""


class DirectionStore(Protocol):
    def record(self, values: dict[str, Any], event_ids: list[UUID],
               alert_ids: list[UUID]) -> int: ...  # fmt: skip
    def direction(self, direction_id: int) -> dict[str, Any] | None: ...
    def directions(self, *, station_code: str | None = None, zone: str | None = None,
                   limit: int = 200) -> list[dict[str, Any]]: ...  # fmt: skip
    def stations_of_zone(self, zone: str) -> list[str]: ...
    def zone_exists(self, zone: str) -> bool: ...
    def feedback_choices(self, stations: list[str], limit: int = 40) -> list[dict[str, Any]]: ...
    def alert_choices(self, stations: list[str], limit: int = 40) -> list[dict[str, Any]]: ...
    def count_feedback_of(self, event_ids: list[UUID], stations: list[str]) -> int: ...
    def count_alerts_of(self, alert_ids: list[UUID], stations: list[str]) -> int: ...
    def add_report(self, direction_id: int, station_code: str, kind: str, text: str,
                   reported_on: date, reported_by: str) -> bool: ...  # fmt: skip
    def sample(self, stations: list[str], start: datetime, end: datetime) -> Sample: ...


# A station's code -> its zone (None for no such station): the read port's registry.
ZoneOf = Callable[[str], str | None]


@dataclass(frozen=True)
class Settings:
    window_days: int = 28
    min_count: int = 10
    level: float = 0.95


@dataclass(frozen=True)
class Target:
    station_code: str | None
    zone: str  # the station's zone, or the zone directed
    stations: list[str]  # every station the direction reaches


def resolve_target(store: DirectionStore, zone_of: ZoneOf, station_code: str | None,
                   zone: str | None) -> Target:  # fmt: skip
    station_code = (station_code or "").strip().upper() or None
    zone = (zone or "").strip() or None
    if (station_code is None) == (zone is None):
        raise Invalid("target", "give either a station or a zone, not both and not neither")
    if station_code is not None:
        station_zone = zone_of(station_code)
        if station_zone is None:
            raise Invalid("station_code", f"there is no station {station_code}")
        return Target(station_code, station_zone, [station_code])
    assert zone is not None
    if not store.zone_exists(zone):
        raise Invalid("zone", f"there is no zone {zone}")
    return Target(None, zone, store.stations_of_zone(zone))


def may_direct(viewer: Principal, target: Target) -> bool:
    if viewer.role is Role.COMMISSIONER:
        return True
    return viewer.role is Role.DCP and viewer.zone == target.zone


def may_see(viewer: Principal, direction: dict[str, Any], zone_of: ZoneOf) -> bool:
    if viewer.role in CITY_WIDE:
        return True
    zone = direction["zone"] or zone_of(direction["station_code"])
    if viewer.role in ZONE_ROLES:
        return zone is not None and zone == viewer.zone
    if viewer.role is Role.SHO and viewer.station_code:
        return direction["station_code"] == viewer.station_code or (
            direction["zone"] is not None and zone_of(viewer.station_code) == zone
        )
    return False


def _text(field: str, value: object, minimum: int = TEXT_MIN) -> str:
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be text")
    text = " ".join(value.split())
    if not minimum <= len(text) <= TEXT_MAX:
        raise Invalid(field, f"{field} must be {minimum} to {TEXT_MAX} characters")
    return mask_contact_details(text)


def _date(field: str, value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be a date, YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(field, f"{field} must be a date, YYYY-MM-DD") from None


def _ids(field: str, values: object) -> list[UUID]:
    if values is None:
        return []
    if not isinstance(values, list) or len(values) > MAX_EVIDENCE:
        raise Invalid(field, f"{field} must be a list of at most {MAX_EVIDENCE} ids")
    try:
        return sorted({UUID(str(v)) for v in values}, key=str)
    except ValueError:
        raise Invalid(field, f"{field} must hold ids such as those listed") from None


def issue(store: DirectionStore, zone_of: ZoneOf, viewer: Principal, body: dict[str, Any],
          now: datetime, today: date) -> int:  # fmt: skip
    """Record a direction; its id. ``body`` holds station_code or zone, what, why,
    due_on, feedback (event ids) and alerts (alert ids)."""
    if viewer.role not in ISSUERS:
        raise OutOfScope("only the Commissioner's office or a DCP may direct")
    target = resolve_target(store, zone_of, body.get("station_code"), body.get("zone"))
    if not may_direct(viewer, target):
        raise OutOfScope("a DCP may direct only their own zone and its stations")
    what, why = _text("what", body.get("what")), _text("why", body.get("why"))
    due_on = _date("due_on", body.get("due_on"))
    if not today <= due_on <= today + timedelta(days=MAX_DUE_DAYS):
        raise Invalid("due_on", f"due_on must be from today to {MAX_DUE_DAYS} days ahead")
    event_ids, alert_ids = (
        _ids("feedback", body.get("feedback")),
        _ids("alerts", body.get("alerts")),
    )
    if event_ids and store.count_feedback_of(event_ids, target.stations) != len(event_ids):
        raise Invalid("feedback", "every feedback must be one of the target's own")
    if alert_ids and store.count_alerts_of(alert_ids, target.stations) != len(alert_ids):
        raise Invalid("alerts", "every alert must be one of the target's own")
    values = {
        "station_code": target.station_code,
        "zone": None if target.station_code else target.zone,
        "what_text": what, "why_text": why, "due_on": due_on,
        "issued_at": now, "issued_on": today,
        "issuer_kind": viewer.kind, "issuer_id": viewer.id,
        "issuer_name": (viewer.display_name or viewer.name)[:200],
        "issuer_role": viewer.role.value,
        "issuer_zone": viewer.zone if viewer.role is Role.DCP else None,
    }  # fmt: skip
    return store.record(values, event_ids, alert_ids)


def reached(store: DirectionStore, direction: dict[str, Any]) -> list[str]:
    if direction["station_code"]:
        return [direction["station_code"]]
    return store.stations_of_zone(direction["zone"])


def status(direction: dict[str, Any], stations: list[str], today: date) -> dict[str, Any]:
    """Which stations acknowledged and complied, and whether the direction is overdue."""
    acknowledged = sorted({r["station_code"] for r in direction["reports"]
                           if r["kind"] == "acknowledgement"})  # fmt: skip
    complied = sorted(
        {r["station_code"] for r in direction["reports"] if r["kind"] == "compliance"}
    )
    pending = [s for s in stations if s not in complied]
    return {
        "stations": stations, "acknowledged": acknowledged, "complied": complied,
        "pending": pending, "overdue": bool(pending) and today > direction["due_on"],
        "complete": not pending,
    }  # fmt: skip


def load(store: DirectionStore, zone_of: ZoneOf, viewer: Principal, direction_id: int,
         today: date) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    direction = store.direction(direction_id)
    if direction is None:
        raise NotFound(f"no direction {direction_id}")
    if not may_see(viewer, direction, zone_of):
        raise OutOfScope("this direction is outside your station or zone")
    return direction, status(direction, reached(store, direction), today)


def listing(store: DirectionStore, zone_of: ZoneOf, viewer: Principal,
            today: date) -> list[dict[str, Any]]:  # fmt: skip
    if viewer.role in CITY_WIDE:
        rows = store.directions()
    elif viewer.role in ZONE_ROLES and viewer.zone:
        rows = store.directions(zone=viewer.zone)
    elif viewer.role is Role.SHO and viewer.station_code:
        rows = store.directions(station_code=viewer.station_code)
    else:
        raise OutOfScope("directions are for the police roles that read feedback")
    for row in rows:
        row["status"] = status(row, reached(store, row), today)
    return rows


def report(store: DirectionStore, zone_of: ZoneOf, viewer: Principal, direction_id: int,
           kind: str, body: dict[str, Any], today: date) -> None:  # fmt: skip
    """An SHO's acknowledgement or compliance report for their own station."""
    if kind not in KINDS:
        raise NotFound(f"no report {kind}")
    direction, state = load(store, zone_of, viewer, direction_id, today)
    station = viewer.station_code
    if viewer.role is not Role.SHO or station is None or station not in state["stations"]:
        raise OutOfScope("only the SHO of a station this direction reaches may report on it")
    text = _text("text", body.get("text"), REPORT_MIN)
    on = _date("reported_on", body.get("reported_on") or today.isoformat())
    if not direction["issued_on"] <= on <= today:
        raise Invalid("reported_on", "reported_on must be from the direction's date to today")
    if kind == "compliance" and station not in state["acknowledged"]:
        raise Invalid("kind", "acknowledge the direction before reporting compliance")
    by = (viewer.display_name or viewer.name)[:200]
    if not store.add_report(direction_id, station, kind, text, on, by):
        raise Conflict(f"your station has already sent its {kind} of this direction")


@dataclass(frozen=True)
class BeforeAfter:
    window_days: int
    elapsed: timedelta
    complete: bool
    before_start: datetime
    split: datetime
    after_end: datetime
    comparison: Comparison


def before_after(store: DirectionStore, direction: dict[str, Any], stations: list[str],
                 now: datetime, settings: Settings) -> BeforeAfter:  # fmt: skip
    split: datetime = direction["issued_at"]
    full = timedelta(days=settings.window_days)
    elapsed = max(timedelta(0), min(full, now - split))
    before = store.sample(stations, split - elapsed, split)
    after = store.sample(stations, split, split + elapsed)
    return BeforeAfter(
        settings.window_days, elapsed, elapsed >= full, split - elapsed, split, split + elapsed,
        compare(before, after, settings.min_count, settings.level),
    )  # fmt: skip
