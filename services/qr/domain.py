"""The QR service's rules, free of I/O: what its QR code holds, which of a station's fields
the public may see, and the record the ``stations`` topic gets (``Station`` itself is
``shared.events.Station``, the one every service reads)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from shared.events import Contact, Station, StationChanged
from shared.signing import sign

# The fields anyone may read: enough to find a station and check a poster, no contacts.
PUBLIC_FIELDS = ("code", "name_en", "name_hi", "zone", "kind", "active", "qr_version")


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


class NotFound(Exception):
    """No station (or zone) with that code."""


class Duplicate(Exception):
    """A station with that code exists already."""


class UnknownZone(ValueError):
    """The zone named for a station is not in the registry."""


def qr_url(base_url: str, key: bytes, code: str, qr_version: int) -> str:
    """What the station's QR code holds: intake's form URL, signed for this code version."""
    return f"{base_url.rstrip('/')}/s/{code}?v={qr_version}&sig={sign(key, code, qr_version)}"


def station_changed(change: str, station: Station, zone: Zone | None) -> StationChanged:
    """The ``stations`` topic record of ``station`` after ``change``, with its zone's
    escalation contacts so the notifier needs no other source."""
    if zone is not None:
        station = replace(station, acp=zone.acp, dcp=zone.dcp)
    return StationChanged.of(change, station)
