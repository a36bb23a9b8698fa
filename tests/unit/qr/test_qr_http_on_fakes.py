"""The registry API with its ports replaced by fakes (``create_app(config, deps)``): the
routes map the use cases' outcomes to the public contract's status codes."""

from __future__ import annotations

import pytest

from services.qr import usecases
from services.qr.config import QrConfig
from services.qr.entrypoints.http import create_app
from tests.unit.qr.fakes import NOW, FakePublisher, FakeUnitOfWork, a_zone, station_fields

pytestmark = pytest.mark.usefixtures("no_sockets")


@pytest.fixture
def fake() -> tuple[FakeUnitOfWork, FakePublisher]:
    uow = FakeUnitOfWork()
    uow.committed.zones["East"] = a_zone()
    return uow, FakePublisher()


@pytest.fixture
def client(fake):
    config = QrConfig.from_env({"QR_SIGNING_KEY": "unit-test-signing-key-0123456789"})
    return create_app(config, usecases.Deps(*fake, clock=lambda: NOW)).test_client()


@pytest.fixture
def auth(fake) -> dict[str, str]:
    _, token = usecases.create_token(usecases.Deps(*fake), "unit tests")
    return {"Authorization": f"Bearer {token}"}


def test_a_created_station_is_published_and_its_public_view_has_no_contacts(client, fake, auth):
    uow, publisher = fake

    created = client.post("/api/v1/stations", json=station_fields("GGN-WEB"), headers=auth)
    public = client.get("/api/v1/stations/GGN-WEB")

    assert created.status_code == 201 and created.headers["Location"].endswith("/GGN-WEB")
    assert created.json["sho_mobile"] == "+919000000301"
    assert "sho_mobile" not in public.json and public.json["qr_version"] == 1
    assert [r.change for r in publisher.acknowledged] == ["created"]
    assert "GGN-WEB" in uow.committed.stations


def test_without_kafka_the_change_is_refused_with_503_and_not_made(client, fake, auth):
    uow, publisher = fake
    publisher.down = True

    answer = client.post("/api/v1/stations", json=station_fields("GGN-DOWN"), headers=auth)

    assert answer.status_code == 503 and answer.headers["Retry-After"] == "10"
    assert "GGN-DOWN" not in uow.committed.stations
    assert client.get("/api/v1/stations/GGN-DOWN").status_code == 404


def test_missing_or_bad_tokens_get_401_and_known_outcomes_their_codes(client, auth):
    body = station_fields("GGN-CODES")

    assert client.post("/api/v1/stations", json=body).status_code == 401
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
