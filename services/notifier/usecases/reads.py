"""What police may read and do with alerts: each person only their stations' alerts.

An SHO sees their own station's alerts, a DCP or an ACP those of their zone's stations (the
zone as the station directory tells it), the Commissioner's office and the feedback cell
every station's. Acknowledging is for the officers who act on an alert (SHO, ACP, DCP) and
the Commissioner's office, within the same scope; the alert records who did it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.notifier.ports import AlertQuery, AlertsView, StationMap
from shared.auth.roles import ZONE_ROLES, Principal, Role

OPEN = frozenset({"open"})
CURRENT = frozenset({"open", "acknowledged"})
RESOLVED = frozenset({"resolved"})
RECENT = timedelta(days=7)


class OutOfScope(Exception):
    """The principal may not see that station's alerts."""


def _zone(stations: StationMap, principal: Principal, code: str) -> str | None:
    # Only a zone's officers need the station's zone; the others never wait on the topic.
    return stations.zone_of(code) if principal.role in ZONE_ROLES else None


def visible_stations(
    principal: Principal, stations: StationMap, station: str | None = None
) -> frozenset[str] | None:
    """The stations whose alerts ``principal`` reads (None: every station); narrowed to
    ``station`` when one is asked for. OutOfScope when that station is not theirs."""
    if station is not None:
        if not principal.sees_station(station, _zone(stations, principal, station)):
            raise OutOfScope(
                f"your access covers {principal.scope_label or 'no station'}, not {station}"
            )
        return frozenset({station})
    if principal.city_wide:
        return None
    if principal.role is Role.SHO and principal.station_code:
        return frozenset({principal.station_code})
    if principal.role in ZONE_ROLES and principal.zone:
        return stations.stations_in(principal.zone)
    return frozenset()


def alerts_for(
    view: AlertsView, stations: StationMap, principal: Principal, *, station: str | None = None,
    statuses: frozenset[str] | None = None, since: datetime | None = None, limit: int = 100,
) -> list[dict]:  # fmt: skip
    """The alerts ``principal`` may read, newest first (OutOfScope for another station)."""
    scope = visible_stations(principal, stations, station)
    if scope is not None and not scope:
        return []
    return view.alerts(AlertQuery(scope, statuses, since, limit))


def alerts_page(
    view: AlertsView, stations: StationMap, principal: Principal, now: datetime
) -> tuple[list[dict], list[dict]]:
    """The police page's two lists for the principal's stations: the alerts not resolved
    yet (open or acknowledged), and those resolved in the last seven days."""
    scope = visible_stations(principal, stations)
    if scope is not None and not scope:
        return [], []
    current = view.alerts(AlertQuery(scope, CURRENT, limit=200))
    recent = view.alerts(AlertQuery(scope, RESOLVED, since=now - RECENT, limit=200))
    return current, recent


def acknowledge_as(
    view: AlertsView, stations: StationMap, principal: Principal, alert_id: str, now: datetime
) -> str | None:
    """Acknowledge an alert in ``principal``'s name; its status afterwards, None for an
    unknown alert, OutOfScope for another station's."""
    code = view.station_of(alert_id)
    if code is None:
        return None
    if not principal.sees_station(code, _zone(stations, principal, code)):
        raise OutOfScope(f"your access covers {principal.scope_label or 'no station'}, not {code}")
    return view.acknowledge(alert_id, principal.name, now)
