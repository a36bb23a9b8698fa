"""Fakes of the notifier's ports (services/notifier/ports.py): the alerts store with
transactions that roll back, a station directory, senders that keep what they were given.
No sockets."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from services.notifier.domain import AlertState
from services.notifier.ports import AlertQuery, AlertRow, DueDelivery, Outgoing
from shared.events import Contact, Station
from shared.scores import WindowStats


class Unreachable(Exception):
    """The fakes' transient fault (the database cannot be reached)."""


@dataclass
class Alert:
    id: uuid.UUID
    station_code: str
    rule: str
    window: str
    observed: dict
    baseline: dict
    parts: dict
    raised_at: datetime
    status: str = "open"
    level: int = 0
    notices: int = 1
    level_since: datetime | None = None
    last_notified_at: datetime | None = None


@dataclass
class Delivery:
    id: uuid.UUID
    alert_id: uuid.UUID
    notice: int
    kind: str
    level: int
    role: str
    channel: str
    address: str
    subject: str
    body: str
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None


@dataclass
class FakeAlertsRepository:
    scores: dict[str, tuple[Any, datetime, dict[str, WindowStats]]] = field(default_factory=dict)
    alerts: dict[uuid.UUID, Alert] = field(default_factory=dict)
    deliveries: dict[tuple, Delivery] = field(default_factory=dict)

    def save_scores(self, station_code, event_id, computed_at, windows) -> bool:
        kept = self.scores.get(station_code)
        if kept is not None and kept[1] >= computed_at:
            return False
        self.scores[station_code] = (event_id, computed_at, dict(windows))
        return True

    def latest_scores(self, station_code, *, lock=False):
        kept = self.scores.get(station_code)
        return None if kept is None else (kept[1], kept[2])

    def open_alerts(self, station_code: str) -> dict[str, AlertRow]:
        return {
            a.rule: AlertRow(a.id, a.station_code, a.rule, a.status, a.level, a.notices,
                             AlertState(a.level, a.level_since or a.raised_at,
                                        a.last_notified_at or a.raised_at,
                                        {k: int(v) for k, v in a.parts.items()},
                                        acknowledged=a.status == "acknowledged"))
            for a in self.alerts.values()
            if a.station_code == station_code and a.status != "resolved"
        }  # fmt: skip

    def stations_with_open_alerts(self) -> list[str]:
        return sorted({a.station_code for a in self.alerts.values() if a.status != "resolved"})

    def insert_alert(self, alert_id, station_code, rule, window, observed, baseline, parts, now):
        if rule in self.open_alerts(station_code):
            raise ValueError("a second open alert for the same station and rule")
        self.alerts[alert_id] = Alert(
            alert_id, station_code, rule, window, observed, baseline, parts, now,
            level_since=now, last_notified_at=now,
        )  # fmt: skip

    def update_observed(self, alert_id, window, observed, baseline) -> None:
        alert = self.alerts[alert_id]
        alert.window, alert.observed, alert.baseline = window, observed, baseline

    def record_notice(self, alert_id, *, level, level_changed, parts, now) -> int:
        alert = self.alerts[alert_id]
        alert.notices += 1
        alert.level, alert.last_notified_at, alert.parts = level, now, parts
        if level_changed:
            alert.level_since = now
        return alert.notices

    def escalate(self, alert_id, level, now) -> int:
        alert = self.alerts[alert_id]
        alert.notices += 1
        alert.level, alert.level_since = level, now
        return alert.notices

    def resolve(self, alert_id, now) -> int:
        alert = self.alerts[alert_id]
        alert.status = "resolved"
        alert.notices += 1
        return alert.notices

    def acknowledge(self, alert_id, by, now) -> str | None:
        alert = self.alerts.get(uuid.UUID(str(alert_id)))
        if alert is None:
            return None
        if alert.status == "open":
            alert.status = "acknowledged"
        return alert.status

    def insert_delivery(self, *, alert_id, notice, kind, level, role, channel, address,
                        subject, body) -> uuid.UUID:  # fmt: skip
        key = (alert_id, role, channel, level, notice)
        delivery = Delivery(uuid.uuid4(), alert_id, notice, kind, level, role, channel, address,
                            subject, body)  # fmt: skip
        self.deliveries.setdefault(key, delivery)
        return delivery.id

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueDelivery]:
        due = [d for d in self.deliveries.values() if d.status == "pending"
               and (d.next_attempt_at is None or d.next_attempt_at <= now)][:limit]  # fmt: skip
        for d in due:
            d.attempts += 1
            d.next_attempt_at = now + lease
        return [DueDelivery(d.id, d.channel, d.address, d.subject, d.body, d.attempts,
                            str(d.id)) for d in due]  # fmt: skip

    def _by_id(self, delivery_id: uuid.UUID) -> Delivery:
        return next(d for d in self.deliveries.values() if d.id == delivery_id)

    def mark_sent(self, delivery_id, now) -> None:
        self._by_id(delivery_id).status = "sent"

    def mark_retry(self, delivery_id, error, next_at) -> None:
        self._by_id(delivery_id).next_attempt_at = next_at

    def mark_failed(self, delivery_id, error) -> None:
        self._by_id(delivery_id).status = "failed"


class FakeAlerts:
    """The unit of work: every transaction restores the state when its block raises;
    ``fail_next`` transactions raise Unreachable."""

    def __init__(self) -> None:
        self.repository = FakeAlertsRepository()
        self.fail_next = 0

    @contextmanager
    def transaction(self) -> Iterator[FakeAlertsRepository]:
        if self.fail_next:
            self.fail_next -= 1
            raise Unreachable("database down")
        saved = copy.deepcopy(self.repository)
        try:
            yield self.repository
        except BaseException:
            self.repository = saved
            raise


SHO = Contact("SHO Sadar", "+919000000001", "sho.sadar@example.invalid")
ACP = Contact("ACP East", "+919000000101", "acp.east@example.invalid")


class FakeDirectory:
    def __init__(self, stations: Mapping[str, Station] | None = None) -> None:
        self.stations = dict(stations or {})

    def contacts(self, station_code: str) -> Station | None:
        return self.stations.get(station_code)


def station(code: str) -> Station:
    """A station whose SHO and ACP can be told (it has no DCP)."""
    return Station(code, "Sadar", "सदर", "East", sho=SHO, acp=ACP)


class FakeAlertsView:
    """``ports.AlertsView`` over a list of the API's alert items (newest first as given)."""

    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = [dict(item) for item in items]

    def alerts(self, query: AlertQuery) -> list[dict[str, Any]]:
        return [
            dict(a) for a in self.items
            if (query.stations is None or a["station_code"] in query.stations)
            and (query.statuses is None or a["status"] in query.statuses)
            and (query.since is None or any(
                a[when] and datetime.fromisoformat(a[when]) >= query.since
                for when in ("raised_at", "resolved_at")))
        ][: query.limit]  # fmt: skip

    def station_of(self, alert_id: str) -> str | None:
        return next((a["station_code"] for a in self.items if a["id"] == alert_id), None)

    def acknowledge(self, alert_id: str, by: str, now: datetime) -> str | None:
        alert = next((a for a in self.items if a["id"] == alert_id), None)
        if alert is None:
            return None
        if alert["status"] == "open":
            alert.update(status="acknowledged", acknowledged_by=by,
                         acknowledged_at=now.isoformat())  # fmt: skip
        return alert["status"]


class FakeStationMap:
    """``ports.StationMap`` over a few stations."""

    def __init__(self, *stations: Station) -> None:
        self.by_code = {s.code: s for s in stations}

    def zone_of(self, station_code: str) -> str | None:
        found = self.by_code.get(station_code)
        return found.zone if found else None

    def stations_in(self, zone: str) -> frozenset[str]:
        return frozenset(code for code, s in self.by_code.items() if s.zone == zone)

    def names(self, codes: frozenset[str]) -> dict[str, Station]:
        return {code: self.by_code[code] for code in codes if code in self.by_code}


def alert_item(code: str, raised_at: datetime, status: str = "open", **fields: Any) -> dict:
    """One alert as the API lists it."""
    return {
        "id": str(uuid.uuid4()), "station_code": code, "rule": "unresolved", "status": status,
        "level": 0, "window": "24h", "baseline": {}, "raised_at": raised_at.isoformat(),
        "observed": {"part": 7, "count": 12, "share": 0.58},
        "acknowledged_at": None, "acknowledged_by": None, "resolved_at": None,
        "deliveries": [], **fields,
    }  # fmt: skip


class KeepingSender:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> None:
        self.sent.append(replace(message))
