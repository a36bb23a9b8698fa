"""The inbox: feedback a police person may read, a page at a time, each opening to every
answer of the form; the actions an SHO records on a feedback or an alert of their station;
the feedback cell's call backs. Each narrowed to the viewer (a ``Principal``).

What the viewer may not see is not there: a feedback or an alert of another station is
``UnknownFeedback`` / ``UnknownAlert`` (404), exactly as one that does not exist. A filter
on a station or zone outside the viewer's scope is refused by the guard (403), as on the
station pages. Every action and call back is written to the audit log before it is stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from services.analytics.domain.inbox import (
    NOTE_MAX,
    Cursor,
    InboxFilter,
    check_action,
    check_callback,
)
from services.analytics.ports import IdentitySource, InboxStore
from services.analytics.usecases.identity import Audit, UnknownFeedback, without_identity
from services.analytics.usecases.reads import (
    Guard,
    ReadDeps,
    UnknownStation,
    scoped_zone,
    shown_comment,
)
from shared.auth.roles import Principal, Role
from shared.india import INDIA
from shared.masking import mask_contact_details

CSV_PAGE = 1000


class UnknownAlert(LookupError):
    """No alert with this id that the viewer may see."""


@dataclass(frozen=True)
class InboxPage:
    chosen: InboxFilter  # as scoped to the viewer
    items: list[dict[str, Any]]  # as police see them (masked words, India time)
    next_after: str | None  # the cursor of the next page, None on the last


def scoped_filter(
    deps: ReadDeps, viewer: Principal, chosen: InboxFilter, guard: Guard
) -> InboxFilter:
    """``chosen`` narrowed to what ``viewer`` may read: an SHO's own station, a DCP's or
    ACP's zone. A station asked for goes through ``guard`` first (403 outside the scope),
    then UnknownStation; a zone outside the scope is OutOfScope."""
    zone = scoped_zone(deps, viewer, chosen.zone)
    station = chosen.station
    if station:
        found = deps.database.station(station)
        guard(station, found["zone"] if found is not None else None)
        if found is None:
            raise UnknownStation(station)
    elif viewer.role is Role.SHO:
        station = viewer.station_code or "-"  # an SHO has one (check_scope); "-" is none
    return chosen.scoped(station=station, zone=zone)


def inbox_page(store: InboxStore, chosen: InboxFilter) -> InboxPage:
    """A page of ``chosen`` (already scoped), newest first."""
    rows = store.page(chosen, chosen.limit + 1)
    shown = [shown_feedback(row) for row in rows[: chosen.limit]]
    more = len(rows) > chosen.limit
    last = rows[chosen.limit - 1] if more else None
    cursor = Cursor(last["submitted_at"], last["event_id"]).token() if last else None
    return InboxPage(chosen, shown, cursor)


def every_row(store: InboxStore, chosen: InboxFilter) -> Iterator[dict[str, Any]]:
    """Every feedback of ``chosen`` (scoped), newest first, a keyset page at a time (so no
    query holds a connection for long, however many rows there are). The first page is
    read before this returns, so an unreachable database is an error before any answer."""
    first = store.page(chosen, CSV_PAGE)

    def rows() -> Iterator[dict[str, Any]]:
        page = first
        while True:
            yield from (shown_feedback(row) for row in page)
            if len(page) < CSV_PAGE:
                return
            after = Cursor(page[-1]["submitted_at"], page[-1]["event_id"])
            page = store.page(replace(chosen, after=after), CSV_PAGE)

    return rows()


def shown_feedback(row: Mapping[str, Any]) -> dict[str, Any]:
    """A feedback as police see it (``reads.shown_comment``), with its India day."""
    shown = shown_comment(row)
    shown["day"] = row["submitted_at"].astimezone(INDIA).date()
    return shown


def visible_feedback(store: InboxStore, viewer: Principal, event_id: str) -> dict[str, Any]:
    """The feedback ``event_id`` as police see it, if the viewer may read it; otherwise
    UnknownFeedback, as for one that does not exist."""
    try:
        parsed = UUID(event_id)
    except ValueError:
        raise UnknownFeedback(event_id) from None
    found = store.item(parsed)
    if found is None or not viewer.sees_station(found["station_code"], found["zone"]):
        raise UnknownFeedback(event_id)
    return shown_feedback(found)


def in_india(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """``rows`` with their times ``keys`` in India's time, as every police page shows."""
    return [{**row, **{k: row[k].astimezone(INDIA) for k in keys if row.get(k)}} for row in rows]


def feedback_item(store: InboxStore, viewer: Principal, event_id: str) -> dict[str, Any]:
    """One feedback with its ``actions`` and ``callbacks``, oldest first (India times)."""
    shown = visible_feedback(store, viewer, event_id)
    shown["actions"] = in_india(store.actions_of(event_id=shown["event_id"]), "recorded_at")
    shown["callbacks"] = in_india(store.callbacks_of(shown["event_id"]), "called_at")
    return shown


def record_action(
    store: InboxStore, viewer: Principal, event_id: str, text: str, taken_on: str,
    today: date, audit: Audit,
) -> dict[str, Any]:  # fmt: skip
    """An SHO's action on a feedback of their station: InvalidInput for bad words or a
    day before the feedback or after ``today``; contact details in the words are masked."""
    feedback = visible_feedback(store, viewer, event_id)
    words, day = check_action(text, taken_on, feedback["day"], today)
    code = feedback["station_code"]
    audit("feedback.action", target=str(feedback["event_id"]), station=code,
          taken_on=day.isoformat())  # fmt: skip
    return store.add_action(code, mask_contact_details(words), day, viewer.name,
                            event_id=feedback["event_id"])  # fmt: skip


def visible_alert(
    store: InboxStore, deps: ReadDeps, viewer: Principal, alert_id: str
) -> dict[str, Any]:
    try:
        parsed = UUID(alert_id)
    except ValueError:
        raise UnknownAlert(alert_id) from None
    alert = store.alert(parsed)
    station = deps.database.station(alert["station_code"]) if alert is not None else None
    if alert is None or station is None:
        raise UnknownAlert(alert_id)
    if not viewer.sees_station(alert["station_code"], station["zone"]):
        raise UnknownAlert(alert_id)
    return alert


def record_alert_action(
    store: InboxStore, deps: ReadDeps, viewer: Principal, alert_id: str, text: str,
    taken_on: str, today: date, audit: Audit,
) -> dict[str, Any]:  # fmt: skip
    """An SHO's action on an alert of their station (from the day it was raised)."""
    alert = visible_alert(store, deps, viewer, alert_id)
    words, day = check_action(text, taken_on, alert["raised_at"].astimezone(INDIA).date(), today)
    code = alert["station_code"]
    audit("alert.action", target=str(alert["id"]), station=code, taken_on=day.isoformat())
    return store.add_action(code, mask_contact_details(words), day, viewer.name,
                            alert_id=alert["id"])  # fmt: skip


def record_callback(
    store: InboxStore, identities: IdentitySource, viewer: Principal, event_id: str,
    outcome: str, note: str, audit: Audit,
) -> dict[str, Any]:  # fmt: skip
    """The feedback cell's call back: its outcome and a note, which keeps neither a
    number (masked) nor the visitor's name (replaced), since every reader of the inbox
    sees it."""
    feedback = visible_feedback(store, viewer, event_id)
    outcome, words = check_callback(outcome, note)
    kept = identities.identity(feedback["event_id"]) or {}
    cleaned = without_identity(words, kept.get("name"), NOTE_MAX) if words else ""
    code = feedback["station_code"]
    audit("feedback.callback", target=str(feedback["event_id"]), station=code, outcome=outcome)
    return store.add_callback(feedback["event_id"], code, outcome, cleaned, viewer.name)


def station_follow_up(store: InboxStore, code: str) -> dict[str, Any]:
    """What the station page shows of the follow-up: its latest alerts, each with its
    actions, and the latest actions and call backs at the station."""
    alerts = [{**a, "actions": store.actions_of(alert_id=a["id"])}
              for a in in_india(store.alerts_of(code), "raised_at")]  # fmt: skip
    return {"alerts": alerts, "recent": in_india(store.recent_at(code), "at")}
