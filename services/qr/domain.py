"""The QR service's rules, free of I/O: what its QR code holds, which of a station's fields
the public may see, what a station or zone code looks like, and the record the ``stations``
topic gets (``Station`` itself is ``shared.events.Station``, the one every service reads)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from shared.events import STATION_CODE_PATTERN, Contact, Station, StationChanged
from shared.signing import sign

# The fields anyone may read: enough to find a station and check a poster, no contacts.
PUBLIC_FIELDS = ("code", "name_en", "name_hi", "zone", "kind", "active", "qr_version")
# What an admin may change of a station (the code never; the QR version only by rotation).
EDITABLE_FIELDS = (
    "name_en", "name_hi", "zone", "kind", "address", "sho_name", "sho_mobile", "sho_email",
    "active",
)  # fmt: skip
# What an admin may change of a zone: the officers a station's alerts escalate to.
ZONE_CONTACT_FIELDS = tuple(
    f"{role}_{part}" for role in ("acp", "dcp") for part in ("name", "mobile", "email")
)
ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9 -]{0,31}$"
_CODE = re.compile(STATION_CODE_PATTERN)
_ZONE = re.compile(ZONE_PATTERN)


@dataclass(frozen=True)
class Zone:
    code: str
    name_en: str
    name_hi: str
    acp: Contact
    dcp: Contact


def public_view(station: Station) -> dict[str, Any]:
    return {name: getattr(station, name) for name in PUBLIC_FIELDS}


def admin_view(station: Station) -> dict[str, Any]:
    """Everything the registry holds of the station, its SHO's contacts as flat fields."""
    return {
        **public_view(station),
        "address": station.address,
        "sho_name": station.sho.name,
        "sho_mobile": station.sho.mobile,
        "sho_email": station.sho.email,
        "revision": station.revision,
        "updated_at": station.updated_at.isoformat() if station.updated_at else None,
    }


def editable_view(station: Station) -> dict[str, Any]:
    """The fields an admin may change, flat, as a form shows them."""
    view = admin_view(station)
    return {name: view[name] for name in EDITABLE_FIELDS}


class NotFound(Exception):
    """No station (or zone) with that code."""


class Duplicate(Exception):
    """A station with that code exists already."""


class UnknownZone(ValueError):
    """The zone named for a station is not in the registry."""


class Refused(ValueError):
    """The registry refused a value its schema let through (a table's CHECK); the message
    names the field."""


class Deactivated(Exception):
    """The station is deactivated: its code no longer opens the form, so it has no QR code."""


def is_station_code(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def is_zone_code(zone: str) -> bool:
    return bool(_ZONE.fullmatch(zone))


def zone_view(zone: Zone) -> dict[str, Any]:
    """A zone as the API shows it (to admins), with its ACP's and DCP's contacts."""
    return {
        "code": zone.code, "name_en": zone.name_en, "name_hi": zone.name_hi,
        "acp": vars(zone.acp), "dcp": vars(zone.dcp),
    }  # fmt: skip


def zone_contacts(zone: Zone) -> dict[str, str]:
    """The zone's contacts as flat fields (``acp_name`` ... ``dcp_email``)."""
    return {
        f"{role}_{part}": getattr(getattr(zone, role), part)
        for role in ("acp", "dcp")
        for part in ("name", "mobile", "email")
    }


def with_contacts(zone: Zone, changes: dict[str, Any]) -> Zone:
    """``zone`` with the flat contact ``changes`` (other keys are ignored)."""
    merged = {**zone_contacts(zone), **{k: v for k, v in changes.items()
                                        if k in ZONE_CONTACT_FIELDS}}  # fmt: skip
    acp, dcp = (Contact(*(merged[f"{role}_{part}"] for part in ("name", "mobile", "email")))
                for role in ("acp", "dcp"))  # fmt: skip
    return replace(zone, acp=acp, dcp=dcp)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The names whose values differ (for the audit log: names, never the values, which
    may be an officer's number)."""
    return sorted(name for name in after if before.get(name) != after[name])


def qr_url(base_url: str, key: bytes, code: str, qr_version: int) -> str:
    """What the station's QR code holds: intake's form URL, signed for this code version."""
    return f"{base_url.rstrip('/')}/s/{code}?v={qr_version}&sig={sign(key, code, qr_version)}"


def station_changed(change: str, station: Station, zone: Zone | None) -> StationChanged:
    """The ``stations`` topic record of ``station`` after ``change``, with its zone's
    escalation contacts so the notifier needs no other source."""
    if zone is not None:
        station = replace(station, acp=zone.acp, dcp=zone.dcp)
    return StationChanged.of(change, station)
