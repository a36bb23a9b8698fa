"""The registry API with its ports replaced by fakes (``create_app(config, deps, gate)``):
the routes map the use cases' outcomes to the public contract's status codes, and only the
``admin`` role gets past the gate."""

from __future__ import annotations

import pytest

from services.qr import usecases
from services.qr.config import QrConfig
from services.qr.entrypoints.http import create_app
from shared.auth import Role
from tests.auth_fake import bearer, memory_gate, token_for
from tests.unit.qr.fakes import NOW, FakePublisher, FakeUnitOfWork, a_zone, station_fields

pytestmark = pytest.mark.usefixtures("no_sockets")


@pytest.fixture
def fake() -> tuple[FakeUnitOfWork, FakePublisher]:
    uow = FakeUnitOfWork()
    uow.committed.zones["East"] = a_zone()
    return uow, FakePublisher()


@pytest.fixture
def gate():
    return memory_gate()


@pytest.fixture
def client(fake, gate):
    config = QrConfig.from_env({"QR_SIGNING_KEY": "unit-test-signing-key-0123456789"})
    return create_app(config, usecases.Deps(*fake, clock=lambda: NOW), gate).test_client()


@pytest.fixture
def auth(gate) -> dict[str, str]:
    return bearer(token_for(gate, Role.ADMIN))


def test_a_created_station_is_published_and_audited_without_its_contacts(client, fake, gate, auth):
    uow, publisher = fake

    created = client.post("/api/v1/stations", json=station_fields("GGN-WEB"), headers=auth)
    read = client.get("/api/v1/stations/GGN-WEB", headers=auth)

    assert created.status_code == 201 and created.headers["Location"].endswith("/GGN-WEB")
    assert created.json["sho_mobile"] == "+919000000301"
    assert read.json["sho_mobile"] == "+919000000301" and read.json["qr_version"] == 1
    assert [r.change for r in publisher.acknowledged] == ["created"]
    assert "GGN-WEB" in uow.committed.stations
    [line] = [r.entry for r in gate.store.audit_log if r.entry.action == "station.create"]
    assert (line.actor_kind, line.target) == ("token", "GGN-WEB")
    assert "+919000000301" not in repr(line)


def test_without_kafka_the_change_is_refused_with_503_and_not_made(client, fake, auth):
    uow, publisher = fake
    publisher.down = True

    answer = client.post("/api/v1/stations", json=station_fields("GGN-DOWN"), headers=auth)

    assert answer.status_code == 503 and answer.headers["Retry-After"] == "10"
    assert "GGN-DOWN" not in uow.committed.stations
    assert client.get("/api/v1/stations/GGN-DOWN", headers=auth).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_every_other_role_is_refused_the_registry_reads_included(client, gate, role):
    scope = {"station_code": "GGN-X"} if role is Role.SHO else {}
    scope = {"zone": "East"} if role in (Role.DCP, Role.ACP) else scope
    other = bearer(token_for(gate, role, **scope))

    answers = [
        client.get("/api/v1/stations", headers=other),
        client.get("/api/v1/stations/GGN-X", headers=other),
        client.get("/api/v1/zones", headers=other),
        client.post("/api/v1/stations", json=station_fields("GGN-NO"), headers=other),
        client.patch("/api/v1/zones/East", json={"acp_name": "X"}, headers=other),
    ]

    assert [a.status_code for a in answers] == [403] * 5


def test_missing_or_bad_tokens_get_401_and_known_outcomes_their_codes(client, auth):
    body = station_fields("GGN-CODES")

    assert client.post("/api/v1/stations", json=body).status_code == 401
    assert client.get("/api/v1/zones").status_code == 401
    bad = client.get("/api/v1/zones", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/stations", json=body, headers=auth).status_code == 201
    assert client.post("/api/v1/stations", json=body, headers=auth).status_code == 409
    unknown_zone = client.post(
        "/api/v1/stations", json=station_fields("GGN-NOZ", zone="Atlantis"), headers=auth
    )
    assert unknown_zone.status_code == 422 and list(unknown_zone.json["errors"]) == ["zone"]
    assert client.delete("/api/v1/stations/GGN-CODES", headers=auth).json["active"] is False
    assert client.get("/api/v1/stations/GGN-CODES/qr-url").status_code == 410
    assert client.get("/api/v1/stations/GGN-NONE/qr.png").status_code == 404


def test_qr_images_and_posters_need_no_sign_in(client, auth):
    client.post("/api/v1/stations", json=station_fields("GGN-WALL"), headers=auth)

    url = client.get("/api/v1/stations/GGN-WALL/qr-url")
    svg = client.get("/api/v1/stations/GGN-WALL/qr.svg")

    assert url.status_code == 200 and "/s/GGN-WALL?v=1&sig=" in url.json["url"]
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_a_zone_s_new_contacts_are_published_on_each_of_its_stations(client, fake, gate, auth):
    uow, publisher = fake
    client.post("/api/v1/stations", json=station_fields("GGN-Z1"), headers=auth)
    client.post("/api/v1/stations", json=station_fields("GGN-Z2"), headers=auth)
    publisher.acknowledged.clear()

    answer = client.patch(
        "/api/v1/zones/East", json={"acp_name": "ACP Meena", "acp_mobile": "98123 45678"},
        headers=auth,
    )  # fmt: skip
    bad = client.patch("/api/v1/zones/East", json={"dcp_email": "nobody"}, headers=auth)

    assert answer.status_code == 200 and answer.json["acp"]["mobile"] == "+919812345678"
    assert [(r.change, r.code, r.acp.name) for r in publisher.acknowledged] == [
        ("updated", "GGN-Z1", "ACP Meena"), ("updated", "GGN-Z2", "ACP Meena"),
    ]  # fmt: skip
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["dcp_email"]
    assert uow.committed.zones["East"].dcp.email == "dcp@example.invalid"
    [line] = [r.entry for r in gate.store.audit_log if r.entry.action == "zone.update"]
    assert line.details == {"fields": ["acp_mobile", "acp_name"]}
