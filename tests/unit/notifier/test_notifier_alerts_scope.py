"""Who reads and acknowledges which alerts, on fakes (no sockets): an SHO their station's, a
DCP or an ACP their zone's, the Commissioner's office and the feedback cell every station's;
the API and the police page keep to the same scope."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.adapters.stations import RegistryNotRead
from services.notifier.config import NotifierConfig
from services.notifier.entrypoints.http import create_app
from services.notifier.usecases import reads
from shared.auth import Principal, Role
from shared.auth import accounts as auth_usecases
from shared.auth.accounts import Actor
from shared.auth.credentials import hash_password
from shared.config import Connections
from shared.events import Contact, Station
from tests.auth_fake import bearer, memory_gate, token_for
from tests.unit.notifier.fakes import FakeAlertsView, FakeStationMap, alert_item

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SHO_MOBILE = "+919812345678"
SADAR = Station("E-SADAR", "Sadar", "सदर", "East",
                sho=Contact("SHO Sadar", SHO_MOBILE, "sho@example.invalid"))  # fmt: skip
CITY = Station("E-CITY", "City", "सिटी", "East")
MANESAR = Station("W-MANESAR", "Manesar", "मानेसर", "West")
UNLISTED = "E-NOT-IN-REGISTRY"  # an alert of a station the directory does not know


def principal(role: Role, **scope) -> Principal:
    return Principal("account", 1, f"{role.value}.officer", role, **scope)


@pytest.fixture
def world():
    view = FakeAlertsView(
        alert_item(SADAR.code, NOW - timedelta(hours=1)),
        alert_item(CITY.code, NOW - timedelta(hours=2)),
        alert_item(MANESAR.code, NOW - timedelta(hours=3)),
        alert_item(UNLISTED, NOW - timedelta(hours=4)),
        alert_item(SADAR.code, NOW - timedelta(days=2), status="resolved",
                   acknowledged_by="sho.sadar", resolved_at=NOW.isoformat()),
        alert_item(SADAR.code, NOW - timedelta(days=30), status="resolved"),
    )  # fmt: skip
    return view, FakeStationMap(SADAR, CITY, MANESAR)


def codes(items) -> list[str]:
    return [a["station_code"] for a in items]


def test_an_sho_reads_only_their_own_station_s_alerts(world):
    view, stations = world
    sho = principal(Role.SHO, station_code=SADAR.code)

    mine = reads.alerts_for(view, stations, sho)
    with pytest.raises(reads.OutOfScope):
        reads.alerts_for(view, stations, sho, station=MANESAR.code)

    assert set(codes(mine)) == {SADAR.code} and len(mine) == 3
    assert codes(reads.alerts_for(view, stations, sho, station=SADAR.code)) == [SADAR.code] * 3


@pytest.mark.parametrize("role", [Role.DCP, Role.ACP])
def test_a_dcp_or_an_acp_reads_their_zone_s_stations_and_no_other(world, role):
    view, stations = world
    east = principal(role, zone="East")

    theirs = reads.alerts_for(view, stations, east, statuses=reads.OPEN)

    assert codes(theirs) == [SADAR.code, CITY.code]
    assert codes(reads.alerts_for(view, stations, east, station=CITY.code)) == [CITY.code]
    for elsewhere in (MANESAR.code, UNLISTED):
        with pytest.raises(reads.OutOfScope):
            reads.alerts_for(view, stations, east, station=elsewhere)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.FEEDBACK_CELL])
def test_the_commissioner_s_office_and_the_feedback_cell_read_every_station(world, role):
    view, stations = world

    every = reads.alerts_for(view, stations, principal(role), statuses=reads.OPEN)

    assert codes(every) == [SADAR.code, CITY.code, MANESAR.code, UNLISTED]


def test_acknowledging_keeps_to_the_scope_and_records_who_did_it(world):
    view, stations = world
    sadar, city, manesar = (view.items[0]["id"], view.items[1]["id"], view.items[2]["id"])
    dcp_east = principal(Role.DCP, zone="East")
    sho = principal(Role.SHO, station_code=SADAR.code)

    with pytest.raises(reads.OutOfScope):
        reads.acknowledge_as(view, stations, sho, city, NOW)
    with pytest.raises(reads.OutOfScope):
        reads.acknowledge_as(view, stations, dcp_east, manesar, NOW)
    unknown = reads.acknowledge_as(view, stations, sho, str(uuid.uuid4()), NOW)
    done = reads.acknowledge_as(view, stations, sho, sadar, NOW)
    by_dcp = reads.acknowledge_as(view, stations, dcp_east, city, NOW)

    assert unknown is None and done == by_dcp == "acknowledged"
    assert view.items[0]["acknowledged_by"] == "sho.officer"
    assert view.items[1]["acknowledged_by"] == "dcp.officer"
    assert view.items[2]["status"] == "open"


def test_the_page_lists_the_current_alerts_and_those_resolved_in_the_last_seven_days(world):
    view, stations = world
    sho = principal(Role.SHO, station_code=SADAR.code)

    current, recent = reads.alerts_page(view, stations, sho, NOW)
    reads.acknowledge_as(view, stations, sho, current[0]["id"], NOW)
    still_current, _ = reads.alerts_page(view, stations, sho, NOW)

    assert [a["status"] for a in current] == ["open"]
    assert [a["acknowledged_by"] for a in recent] == ["sho.sadar"]  # not the month-old one
    assert [a["status"] for a in still_current] == ["acknowledged"]


# Through the app: the gate's tokens and sessions, the fakes behind. ---------------------------


@pytest.fixture
def app(world):
    view, stations = world
    config = NotifierConfig(Connections(database_url="postgresql://unused"), ack_key=b"k" * 32)
    gate = memory_gate()
    built = create_app(config, now=lambda: NOW, gate=gate, view=view, stations=stations)
    return built, gate, view


def test_the_api_needs_a_reader_s_token_and_answers_only_within_its_scope(app):
    built, gate, _view = app
    client = built.test_client()
    sho = bearer(token_for(gate, Role.SHO, station_code=SADAR.code))
    dcp_west = bearer(token_for(gate, Role.DCP, zone="West"))
    ops = bearer(token_for(gate, Role.OPS))

    anonymous = client.get("/api/v1/alerts")
    own = client.get("/api/v1/alerts", headers=sho)
    other = client.get(f"/api/v1/alerts?station={MANESAR.code}", headers=sho)
    west = client.get("/api/v1/alerts?status=open", headers=dcp_west)
    not_a_reader = client.get("/api/v1/alerts", headers=ops)
    bad_code = client.get("/api/v1/alerts?station=e%20sadar", headers=sho)
    newline = client.get("/api/v1/alerts?station=E-SADAR%0A", headers=sho)
    odd_limit = client.get("/api/v1/alerts?limit=%C2%B2", headers=sho)

    assert anonymous.status_code == 401
    assert {a["station_code"] for a in own.json["items"]} == {SADAR.code}
    assert other.status_code == 403 and MANESAR.code in other.json["error"]
    assert codes(west.json["items"]) == [MANESAR.code]
    assert not_a_reader.status_code == 403
    assert bad_code.status_code == odd_limit.status_code == 422
    assert newline.status_code == 400  # the HTTP kit's, before the route


def test_the_acknowledge_api_is_for_the_officers_and_the_commissioner_within_scope(app):
    built, gate, view = app
    client = built.test_client()
    sho = bearer(token_for(gate, Role.SHO, station_code=SADAR.code))
    cell = bearer(token_for(gate, Role.FEEDBACK_CELL))
    sadar, city = view.items[0]["id"], view.items[1]["id"]

    outside = client.post(f"/api/v1/alerts/{city}/ack", headers=sho)
    unknown = client.post(f"/api/v1/alerts/{uuid.uuid4()}/ack", headers=sho)
    not_an_id = client.post("/api/v1/alerts/nothing/ack", headers=sho)
    by_the_cell = client.post(f"/api/v1/alerts/{sadar}/ack", headers=cell)
    done = client.post(f"/api/v1/alerts/{sadar}/ack", headers=sho)
    resolved = client.post(f"/api/v1/alerts/{view.items[4]['id']}/ack", headers=sho)

    assert outside.status_code == 403 and view.items[1]["status"] == "open"
    assert unknown.status_code == not_an_id.status_code == 404
    assert by_the_cell.status_code == 403
    assert done.status_code == 200 and done.json == {"id": sadar, "status": "acknowledged"}
    assert view.items[0]["acknowledged_by"] == "sho token"  # the token's label
    assert resolved.status_code == 409


def signed_in(built, gate, role: Role, **scope):
    """A test client with a session (the memory gate's cookies are not Secure)."""
    account, _ = auth_usecases.add_account(gate.store, Actor.cli(), f"u{uuid.uuid4().hex[:6]}",
                                           role, **scope)  # fmt: skip
    gate.store.set_password(account.id, hash_password("a-long-passphrase-42"), must_change=False)
    client = built.test_client()
    login = client.get("/login").get_data(as_text=True)
    nonce = re.search(r'name="csrf_token" value="([^"]+)"', login)[1]
    answer = client.post("/login", data={"username": account.username, "csrf_token": nonce,
                                         "password": "a-long-passphrase-42"})  # fmt: skip
    assert answer.status_code == 303
    return client, account.username


def test_the_page_shows_an_sho_their_station_only_and_its_button_acknowledges(app):
    built, gate, view = app
    client, username = signed_in(built, gate, Role.SHO, station_code=SADAR.code)
    sadar = view.items[0]["id"]

    page = client.get("/alerts")
    html = page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    forged = client.post(f"/alerts/{sadar}/acknowledge", data={"csrf_token": "x"})
    outside = client.post(f"/alerts/{view.items[1]['id']}/acknowledge", data={"csrf_token": csrf})
    pressed = client.post(f"/alerts/{sadar}/acknowledge", data={"csrf_token": csrf})
    after = client.get("/alerts").get_data(as_text=True)

    assert page.status_code == 200 and "सदर" in html and "Sadar" in html
    assert f'data-alert="{sadar}"' in html and "स्वीकार करें · Acknowledge" in html
    assert "police-bar" in html and "auth.css" in html and "<script" not in html
    assert CITY.code not in html and MANESAR.code not in html
    assert SHO_MOBILE not in html and "sho@example.invalid" not in html
    assert forged.status_code == 403 and outside.status_code == 403
    assert pressed.status_code == 303 and pressed.location.endswith("/alerts")
    row = re.search(rf'<tr data-alert="{sadar}".*?</tr>', after, re.S)[0]
    assert 'data-state="acknowledged"' in row and username in row


def test_the_page_is_for_feedback_readers_and_the_feedback_cell_gets_no_button(app):
    built, gate, _view = app
    cell, _ = signed_in(built, gate, Role.FEEDBACK_CELL)
    ops, _ = signed_in(built, gate, Role.OPS)

    anonymous = built.test_client().get("/alerts")
    every = cell.get("/alerts").get_data(as_text=True)
    refused = ops.get("/alerts")

    assert anonymous.status_code == 303 and "/login?next=/alerts" in anonymous.location
    assert all(code in every for code in (SADAR.code, CITY.code, MANESAR.code, UNLISTED))
    assert "Acknowledge</button>" not in every
    assert refused.status_code == 403


class UnreadDirectory(FakeStationMap):
    """The stations topic cannot be read (Kafka down since the process started)."""

    def zone_of(self, station_code: str) -> str | None:
        raise RegistryNotRead("not read yet")

    def stations_in(self, zone: str) -> frozenset[str]:
        raise RegistryNotRead("not read yet")


def test_with_the_station_directory_unread_a_zone_s_officer_gets_503_and_an_sho_their_alerts(
    world,
):
    view, _ = world
    config = NotifierConfig(Connections(database_url="postgresql://unused"), ack_key=b"k" * 32)
    gate = memory_gate()
    client = create_app(config, gate=gate, view=view, stations=UnreadDirectory()).test_client()
    dcp = bearer(token_for(gate, Role.DCP, zone="East"))
    sho = bearer(token_for(gate, Role.SHO, station_code=SADAR.code))

    zone = client.get("/api/v1/alerts", headers=dcp)
    own = client.get("/api/v1/alerts", headers=sho)

    assert zone.status_code == 503 and "station directory" in zone.json["error"]
    assert zone.headers["Retry-After"] == "5"
    assert own.status_code == 200 and len(own.json["items"]) == 3
