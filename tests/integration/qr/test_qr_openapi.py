"""The QR service's published OpenAPI description, and the registry API's answers to the
review's requests (a station code ending in a newline, NUL bytes) on the real servers.
Schemathesis runs against the running service in tests/contract/test_no_server_error.py."""

from __future__ import annotations

import uuid

import pytest

from shared.auth import Role
from tests.police import bearer, token

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def it_cell(infra) -> dict[str, str]:
    """An ``admin`` token of the new kind (tests/police.py)."""
    return bearer(token(infra["DATABASE_URL"], Role.ADMIN))


def station_fields(code: str, **changes: object) -> dict[str, object]:
    return {"code": code, "name_en": f"Test {code}", "name_hi": "परीक्षण थाना", "zone": "East",
            **changes}  # fmt: skip


def test_the_qr_service_publishes_its_openapi_description_to_the_signed_in(qr_client, it_cell):
    anonymous = qr_client.get("/openapi.json", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401
    spec = qr_client.get("/openapi.json", headers=it_cell).json
    station = spec["components"]["schemas"]["Station"]
    assert spec["openapi"].startswith("3.")
    assert set(station["required"]) == {"code", "name_en", "name_hi", "zone"}
    assert station["properties"]["name_hi"]["maxLength"] == 200
    assert station["properties"]["kind"]["enum"] == ["police", "cyber", "women"]
    assert spec["paths"]["/api/v1/stations"]["post"]["security"] not in ([], [{}])
    assert "410" in spec["paths"]["/api/v1/stations/{code}/qr.png"]["get"]["responses"]


@pytest.mark.parametrize("code", ["GGN-X\n", "GGN-X\r\n", f"T-{uuid.uuid4().hex[:6].upper()}\n"])
def test_a_station_code_ending_in_a_newline_is_refused_with_422_naming_the_field(
    qr_client, it_cell, code
):
    answer = qr_client.post("/api/v1/stations", json=station_fields(code), headers=it_cell)
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"code"}
    assert qr_client.get(f"/api/v1/stations/{code.strip()}", headers=it_cell).status_code == 404


def test_a_zone_ending_in_a_newline_is_refused_with_422_naming_the_field(qr_client, it_cell):
    code = f"T-{uuid.uuid4().hex[:8].upper()}"
    created = qr_client.post("/api/v1/stations", json=station_fields(code), headers=it_cell)
    assert created.status_code == 201
    for sent in (station_fields(f"{code}Z", zone="East\n"), {"zone": "East\n"}):
        path = "/api/v1/stations" if "code" in sent else f"/api/v1/stations/{code}"
        answer = qr_client.open(path, method="POST" if "code" in sent else "PATCH",
                                json=sent, headers=it_cell)  # fmt: skip
        assert answer.status_code == 422, path
        assert set(answer.json["errors"]) == {"zone"}
    assert qr_client.get(f"/api/v1/stations/{code}", headers=it_cell).json["zone"] == "East"


@pytest.mark.parametrize("path", ["/api/v1/zones/East%00/posters.pdf",
                                  "/api/v1/stations/GGN-SADAR%0A/qr.png",
                                  "/api/v1/stations/GGN-SADAR/qr.png?scale=1%00"])  # fmt: skip
def test_a_path_or_query_with_a_control_character_is_400(qr_client, path):
    answer = qr_client.get(path)
    assert answer.status_code == 400
    assert "control character" in answer.json["error"]


@pytest.mark.parametrize("scale", ["²", "१०", "١٠"])
def test_an_image_size_in_other_digits_is_422_naming_the_field(qr_client, scale):
    answer = qr_client.get("/api/v1/stations/GGN-SADAR/qr.png", query_string={"scale": scale})
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"scale"}
