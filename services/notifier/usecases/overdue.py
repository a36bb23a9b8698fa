"""Overdue directions: on the worker's timer, each direction past its due date (India's
date) that a station it reaches has not reported compliance on is noticed once. Its notice
and its deliveries (to the SHO of each such station, and to the issuer: the zone's DCP, or
the Commissioner's office) are written in one transaction; the sender thread sends them
from ``direction_deliveries`` as it sends the alerts' (``deliveries.deliver_due``).

Once: the notice's row is keyed by the direction, so a second check, a restart or a second
notifier member finds it and writes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from services.notifier.config import NotifierConfig
from services.notifier.overdue_texts import OverdueMessage, direction_url, render_overdue
from services.notifier.ports import (
    DirectionsDatabase,
    DirectionsRepository,
    OverdueDirection,
    ZoneDirectory,
)
from shared.events import Station
from shared.events.stations import Contact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    role: str  # "sho", "dcp" or "commissioner"
    station_code: str | None  # the SHO's station
    contact: Contact
    message: OverdueMessage


def reached(direction: OverdueDirection, directory: ZoneDirectory) -> list[Station]:
    """The stations the direction reaches that the registry knows: its one station, or the
    active stations of its zone (as the direction's page counts them)."""
    if direction.station_code is not None:
        codes: list[str] = [direction.station_code]
    else:
        codes = sorted(directory.stations_in(direction.zone or ""))
    found = [directory.contacts(code) for code in codes]
    return [s for s in found if s is not None and (s.active or s.code == direction.station_code)]


def _issuer_contact(
    direction: OverdueDirection, pending: list[Station], directory: ZoneDirectory,
    config: NotifierConfig,
) -> Contact:  # fmt: skip
    if direction.issuer_role == "commissioner":
        return Contact(
            name="Commissioner", mobile=config.commissioner_mobile,
            email=config.commissioner_email,
        )  # fmt: skip
    # A DCP: the zone's DCP, as the registry gives it on each of the zone's stations.
    for station in pending:
        if station.zone == direction.issuer_zone:
            return station.dcp
    for code in sorted(directory.stations_in(direction.issuer_zone or "")):
        known = directory.contacts(code)
        if known is not None:
            return known.dcp
    return Contact()


def recipients(
    direction: OverdueDirection, pending: list[Station], directory: ZoneDirectory,
    config: NotifierConfig,
) -> list[Recipient]:  # fmt: skip
    """Who is told: each pending station's SHO, about that station, and the issuer, about
    every pending station."""
    url = direction_url(config.analytics_public_url, direction.id)
    out = [
        Recipient(
            "sho",
            station.code,
            station.sho,
            render_overdue(direction.id, direction.due_on, [station], to_station=True, url=url),
        )
        for station in pending
    ]
    issuer = _issuer_contact(direction, pending, directory, config)
    out.append(
        Recipient(
            direction.issuer_role,
            None,
            issuer,
            render_overdue(direction.id, direction.due_on, pending, to_station=False, url=url),
        )
    )
    return out


def _write(repo: DirectionsRepository, direction_id: int, told: list[Recipient]) -> int:
    written = 0
    for recipient in told:
        addresses = (("sms", recipient.contact.mobile), ("email", recipient.contact.email))
        for channel, address in addresses:
            if not address:
                logger.warning(
                    "overdue notice: no address for this recipient and channel",
                    extra={
                        "direction_id": direction_id, "role": recipient.role,
                        "station_code": recipient.station_code, "channel": channel,
                    },
                )  # fmt: skip
                continue
            repo.insert_delivery(
                direction_id=direction_id,
                role=recipient.role,
                station_code=recipient.station_code,
                channel=channel,
                address=address,
                subject=recipient.message.subject if channel == "email" else "",
                body=recipient.message.sms if channel == "sms" else recipient.message.email,
            )
            written += 1
    return written


def notice_overdue(
    database: DirectionsDatabase, directory: ZoneDirectory, config: NotifierConfig, today: date
) -> int:
    """Notice every overdue direction not noticed yet; returns how many deliveries were
    written. The registry is read before each direction's transaction, so no transaction is
    held while Kafka is waited on."""
    with database.transaction() as repo:
        candidates = repo.overdue_unnoticed(today)
    written = 0
    for direction in candidates:
        pending = [s for s in reached(direction, directory) if s.code not in direction.complied]
        if not pending:
            continue  # every station it reaches has complied: not overdue
        told = recipients(direction, pending, directory, config)
        with database.transaction() as repo:
            if not repo.record_notice(direction.id, [s.code for s in pending]):
                continue  # another member noticed it first
            count = _write(repo, direction.id, told)
        written += count
        logger.info(
            "overdue direction noticed",
            extra={"direction_id": direction.id, "stations": len(pending), "deliveries": count},
        )
    return written
