"""Who is told about a station: its SHO, and its zone's ACP and DCP.

``Directory`` is the interface. ``FeedDirectory`` answers from the QR service's compacted
``stations`` topic (shared/stations_feed.py, kept in memory), and asks ``PostgresDirectory``
(the registry tables) about a station the topic has not told it of: one added by hand, or any
station while the feed is still reading the topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from shared import db
from shared.stations_feed import StationChanged, StationsFeed


@dataclass(frozen=True)
class Officer:
    role: str  # "sho", "acp" or "dcp"
    name: str = field(repr=False)
    mobile: str = field(repr=False)
    email: str = field(repr=False)


@dataclass(frozen=True)
class StationContacts:
    code: str
    name_en: str
    name_hi: str
    zone: str
    officers: dict[str, Officer]  # by role


class Directory(Protocol):
    def contacts(self, station_code: str) -> StationContacts | None:
        """The station's names and officers; None for a station the registry does not know.
        Raises the store's error when it cannot be reached (a transient failure)."""
        ...


class PostgresDirectory:
    """Reads the ``stations`` and ``zones`` tables on each call (alerts are rare)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def contacts(self, station_code: str) -> StationContacts | None:
        with (
            db.connection(self.database_url, application_name="notifier") as conn,
            db.transaction(conn) as cur,
        ):
            cur.execute(
                "SELECT s.code, s.name_en, s.name_hi, s.zone, s.sho_name, s.sho_mobile,"
                " s.sho_email, z.acp_name, z.acp_mobile, z.acp_email, z.dcp_name,"
                " z.dcp_mobile, z.dcp_email"
                " FROM stations s JOIN zones z ON z.code = s.zone WHERE s.code = %s",
                (station_code,),
            )
            row = cur.fetchone()
        if row is None:
            return None
        code, name_en, name_hi, zone, *people = row
        officers = {
            role: Officer(role, *people[i * 3 : i * 3 + 3])
            for i, role in enumerate(("sho", "acp", "dcp"))
        }
        return StationContacts(code, name_en, name_hi, zone, officers)


class FeedDirectory:
    def __init__(self, feed: StationsFeed, fallback: Directory) -> None:
        self.feed = feed
        self.fallback = fallback

    def contacts(self, station_code: str) -> StationContacts | None:
        record = self.feed.get(station_code)
        if record is None:
            return self.fallback.contacts(station_code)
        return from_record(record)


def from_record(record: StationChanged) -> StationContacts:
    officers = {
        role: Officer(role, contact.name, contact.mobile, contact.email)
        for role, contact in (("sho", record.sho), ("acp", record.acp), ("dcp", record.dcp))
    }
    return StationContacts(record.code, record.name_en, record.name_hi, record.zone, officers)


def build_directory(database_url: str, kafka_bootstrap_servers: str | None = None) -> Directory:
    """The stations topic with PostgreSQL behind it; PostgreSQL alone without Kafka."""
    tables = PostgresDirectory(database_url)
    if not kafka_bootstrap_servers:
        return tables
    feed = StationsFeed(kafka_bootstrap_servers, client_id="notifier-stations")
    feed.start()
    return FeedDirectory(feed, tables)
