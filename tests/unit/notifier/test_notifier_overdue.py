"""Overdue directions on fakes (services/notifier/usecases/overdue.py): who is told, once,
in which words; nothing for a direction complied in time or noticed by another member."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pytest

from services.notifier.config import NotifierConfig
from services.notifier.ports import DueDelivery, Outgoing, OverdueDirection, Senders
from services.notifier.usecases import deliver_due
from services.notifier.usecases.overdue import notice_overdue
from shared.config import ConfigError, Connections
from shared.events import Contact, Station

TODAY = date(2026, 12, 2)
CONFIG = NotifierConfig(
    Connections(database_url="postgresql://unused"), ack_key=b"k" * 32,
    analytics_public_url="https://analytics.example.in",
    commissioner_email="cp@example.invalid", commissioner_mobile="+919800000001",
)  # fmt: skip
DCP = Contact("DCP East", "+919800000002", "dcp-east@example.invalid")


def sho(code: str) -> Contact:
    return Contact(f"SHO {code}", f"+9198111{code[-5:]}", f"sho-{code.lower()}@example.invalid")


def make_station(code: str, zone: str = "East", active: bool = True) -> Station:
    return Station(code, f"Sadar {code}", f"सदर {code}", zone, active=active, sho=sho(code),
                   dcp=DCP if zone == "East" else Contact())  # fmt: skip


STATIONS = {s.code: s for s in [make_station("GGN-00001"), make_station("GGN-00002"),
                                make_station("GGN-00003", active=False),
                                make_station("GGN-00009", zone="West")]}  # fmt: skip


@dataclass
class Row:
    id: uuid.UUID
    direction_id: int
    role: str
    station_code: str | None
    channel: str
    address: str
    subject: str
    body: str
    status: str = "pending"
    attempts: int = 0


@dataclass
class State:
    directions: list[OverdueDirection] = field(default_factory=list)
    notices: dict[int, list[str]] = field(default_factory=dict)
    deliveries: list[Row] = field(default_factory=list)


class Repo:
    def __init__(self, state: State, raced: set[int]) -> None:
        self.state, self.raced = state, raced

    def overdue_unnoticed(self, today: date) -> list[OverdueDirection]:
        return [d for d in self.state.directions
                if d.due_on < today and d.id not in self.state.notices]  # fmt: skip

    def record_notice(self, direction_id: int, stations: list[str]) -> bool:
        if direction_id in self.raced:  # another member recorded it meanwhile
            self.state.notices[direction_id] = stations
            return False
        if direction_id in self.state.notices:
            return False
        self.state.notices[direction_id] = stations
        return True

    def insert_delivery(self, *, direction_id, role, station_code, channel, address, subject,
                        body) -> None:  # fmt: skip
        self.state.deliveries.append(
            Row(uuid.uuid4(), direction_id, role, station_code, channel, address, subject, body)
        )

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueDelivery]:
        due = [r for r in self.state.deliveries if r.status == "pending"][:limit]
        for r in due:
            r.attempts += 1
        return [DueDelivery(r.id, r.channel, r.address, r.subject, r.body, r.attempts,
                            str(r.id)) for r in due]  # fmt: skip

    def _row(self, delivery_id) -> Row:
        return next(r for r in self.state.deliveries if r.id == delivery_id)

    def mark_sent(self, delivery_id, now) -> None:
        self._row(delivery_id).status = "sent"

    def mark_retry(self, delivery_id, error, next_at) -> None:
        pass

    def mark_failed(self, delivery_id, error) -> None:
        self._row(delivery_id).status = "failed"


class FakeDirections:
    """Transactions that keep their writes only when the block ends without raising."""

    def __init__(self, *directions: OverdueDirection) -> None:
        self.state = State(list(directions))
        self.raced: set[int] = set()

    @contextmanager
    def transaction(self) -> Iterator[Repo]:
        work = State(self.state.directions, dict(self.state.notices),
                     [replace(r) for r in self.state.deliveries])  # fmt: skip
        yield Repo(work, self.raced)
        self.state = work


class Directory:
    def contacts(self, station_code: str) -> Station | None:
        return STATIONS.get(station_code)

    def stations_in(self, zone: str) -> frozenset[str]:
        return frozenset(code for code, s in STATIONS.items() if s.zone == zone)


class Keeping:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> None:
        self.sent.append(message)


def direction(id_: int = 7, *, station: str | None = "GGN-00001", zone: str | None = None,
              due: date = date(2026, 12, 1), issuer: str = "commissioner",
              complied: frozenset[str] = frozenset()) -> OverdueDirection:  # fmt: skip
    return OverdueDirection(id_, station, zone, due, issuer,
                            "East" if issuer == "dcp" else None, complied)  # fmt: skip


def told(db: FakeDirections) -> set[tuple[str, str | None, str, str]]:
    return {(r.role, r.station_code, r.channel, r.address) for r in db.state.deliveries}


def test_an_overdue_direction_tells_the_sho_and_the_commissioner_once():
    db = FakeDirections(direction())
    assert notice_overdue(db, Directory(), CONFIG, TODAY) == 4
    s = sho("GGN-00001")
    assert told(db) == {
        ("sho", "GGN-00001", "sms", s.mobile), ("sho", "GGN-00001", "email", s.email),
        ("commissioner", None, "sms", "+919800000001"),
        ("commissioner", None, "email", "cp@example.invalid"),
    }  # fmt: skip
    assert db.state.notices == {7: ["GGN-00001"]}
    # A second check finds the notice and writes nothing more.
    assert notice_overdue(db, Directory(), CONFIG, TODAY) == 0
    assert len(db.state.deliveries) == 4


def test_the_texts_name_the_direction_station_due_date_and_link_in_both_languages():
    db = FakeDirections(direction())
    notice_overdue(db, Directory(), CONFIG, TODAY)
    sms = next(r for r in db.state.deliveries if r.role == "sho" and r.channel == "sms")
    email = next(r for r in db.state.deliveries if r.role == "sho" and r.channel == "email")
    for body in (sms.body, email.body):
        assert "#7" in body and "01-12-2026" in body
        assert "https://analytics.example.in/directions/7" in body
        assert "Sadar GGN-00001" in body and "सदर GGN-00001" in body
        assert "निर्देश" in body and "Direction" in body
    assert "direction #7" in email.subject and sms.subject == ""
    # Nothing of the officers' own numbers or names goes into the words either.
    for row in db.state.deliveries:
        assert "SHO GGN-00001" not in row.body and "+9198" not in row.body


def test_not_yet_past_the_due_date_or_complied_in_time_tells_no_one():
    due_today = direction(1, due=TODAY)
    complied = direction(2, complied=frozenset({"GGN-00001"}))
    db = FakeDirections(due_today, complied)
    assert notice_overdue(db, Directory(), CONFIG, TODAY) == 0
    assert db.state.deliveries == [] and db.state.notices == {}


def test_a_zone_direction_from_a_dcp_tells_the_pending_active_stations_and_the_dcp():
    db = FakeDirections(direction(station=None, zone="East", issuer="dcp",
                                  complied=frozenset({"GGN-00002"})))  # fmt: skip
    notice_overdue(db, Directory(), CONFIG, TODAY)
    s = sho("GGN-00001")
    assert told(db) == {
        ("sho", "GGN-00001", "sms", s.mobile), ("sho", "GGN-00001", "email", s.email),
        ("dcp", None, "sms", DCP.mobile), ("dcp", None, "email", DCP.email),
    }  # fmt: skip
    assert db.state.notices == {7: ["GGN-00001"]}  # not the deactivated GGN-00003
    dcp_email = next(r for r in db.state.deliveries if r.role == "dcp" and r.channel == "email")
    assert "Sadar GGN-00001" in dcp_email.body and "GGN-00002" not in dcp_email.body


def test_a_missing_address_is_no_delivery_and_a_log_line_without_personal_data(caplog):
    config = replace(CONFIG, commissioner_mobile="")
    db = FakeDirections(direction())
    with caplog.at_level(logging.WARNING):
        notice_overdue(db, Directory(), config, TODAY)
    assert ("commissioner", None, "email", "cp@example.invalid") in told(db)
    assert not any(r.role == "commissioner" and r.channel == "sms" for r in db.state.deliveries)
    [record] = [r for r in caplog.records if "no address" in r.getMessage()]
    assert (record.direction_id, record.role, record.channel) == (7, "commissioner", "sms")
    logged = " ".join(str(v) for v in vars(record).values())
    assert "cp@example.invalid" not in logged and "+9198" not in logged


def test_a_direction_another_member_noticed_first_gets_no_deliveries_here():
    db = FakeDirections(direction())
    db.raced.add(7)
    assert notice_overdue(db, Directory(), CONFIG, TODAY) == 0
    assert db.state.deliveries == []


def test_the_alerts_sender_sends_the_notices_outbox_once():
    db = FakeDirections(direction())
    notice_overdue(db, Directory(), CONFIG, TODAY)
    sms, email = Keeping(), Keeping()
    senders = Senders(sms=sms, email=email)
    now = datetime(2026, 12, 2, 5, 0).astimezone()
    assert deliver_due(db, CONFIG, senders, lambda: now) == 4
    assert deliver_due(db, CONFIG, senders, lambda: now) == 0
    assert sorted(m.address for m in sms.sent) == sorted([sho("GGN-00001").mobile,
                                                           "+919800000001"])  # fmt: skip
    assert {m.address for m in email.sent} == {sho("GGN-00001").email, "cp@example.invalid"}
    assert {r.status for r in db.state.deliveries} == {"sent"}


def test_the_settings_come_from_the_environment(tmp_path):
    env = {"DATABASE_URL": "postgresql://x", "QR_SIGNING_KEY": "k" * 40,
           "NOTIFIER_DIRECTIONS_CHECK_EVERY_S": "60",
           "NOTIFIER_COMMISSIONER_EMAIL": "cp@example.invalid",
           "NOTIFIER_COMMISSIONER_MOBILE": "+919800000001"}  # fmt: skip
    config = NotifierConfig.from_env(env)
    assert config.directions_check_s == 60.0
    assert (config.commissioner_email, config.commissioner_mobile) == (
        "cp@example.invalid", "+919800000001")  # fmt: skip
    default = NotifierConfig.from_env(
        {"DATABASE_URL": "postgresql://x", "QR_SIGNING_KEY": "k" * 40}
    )
    assert default.directions_check_s == 300.0 and default.commissioner_email == ""


def test_a_check_interval_of_zero_is_refused():
    env = {"DATABASE_URL": "postgresql://x", "QR_SIGNING_KEY": "k" * 40,
           "NOTIFIER_DIRECTIONS_CHECK_EVERY_S": "0"}  # fmt: skip
    with pytest.raises(ConfigError, match="NOTIFIER_DIRECTIONS_CHECK_EVERY_S"):
        NotifierConfig.from_env(env)
