"""The QR service's published OpenAPI description, and schemathesis generating requests from
it: no input, valid or not, gets a server error (PostgreSQL and Kafka are up). The admin
endpoints get a valid token, so generated bodies get past the token to validation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from services.qr.entrypoints.openapi import build_spec

pytestmark = pytest.mark.integration

# Built from the same description the app serves; building it opens no connection.
SPEC = build_spec()
API = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = [
    (path, method.upper())
    for path, item in SPEC["paths"].items()
    for method in item
    if method in ("get", "post", "patch", "delete")
]


def test_the_qr_service_publishes_its_openapi_description_to_the_signed_in(qr_app, auth):
    client = qr_app.test_client()
    anonymous = client.get("/openapi.json", headers={"Accept": "application/json"})
    spec = client.get("/openapi.json", headers=auth).json
    assert anonymous.status_code == 401
    station = spec["components"]["schemas"]["Station"]
    assert spec["openapi"].startswith("3.")
    assert set(station["required"]) == {"code", "name_en", "name_hi", "zone"}
    assert station["properties"]["name_hi"]["maxLength"] == 200
    assert station["properties"]["kind"]["enum"] == ["police", "cyber", "women"]
    assert spec["paths"]["/api/v1/stations"]["post"]["security"] == [{"admin": []}]
    assert spec["paths"]["/api/v1/stations"]["get"]["security"] == [{"admin": []}]
    assert "security" not in spec["paths"]["/api/v1/stations/{code}/poster.pdf"]["get"]
    assert "410" in spec["paths"]["/api/v1/stations/{code}/qr.png"]["get"]["responses"]
    # The API's routes and the health checks; the pages (sign-in, the IT cell's) are not API.
    served = {
        (rule.rule.replace("<", "{").replace(">", "}"), method)
        for rule in qr_app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz")
    }
    assert served == set(OPERATIONS)  # every route is described, and nothing else


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_generated_request_gets_a_server_error(qr_app, auth, path, method):
    """Schemathesis makes valid and invalid requests from the description; each is sent to
    the app on the real servers, with an admin token, and must not get a 5xx."""
    client = qr_app.test_client()

    @given(case=API[path][method].as_strategy())
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    def no_server_error(case):
        kwargs = case.as_transport_kwargs(base_url="http://localhost")
        headers = {**(kwargs.get("headers") or {}), **auth}
        response = client.open(
            path=case.formatted_path,
            method=case.method,
            headers=headers,
            query_string=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
        )
        case.validate_response(response, checks=[not_a_server_error])

    no_server_error()


@pytest.mark.parametrize("zone", ["x%00y", "%00", "East%00"])
def test_a_zone_path_with_a_nul_byte_is_not_found_rather_than_a_server_error(qr_client, zone):
    answer = qr_client.get(f"/api/v1/zones/{zone}/posters.pdf")
    assert answer.status_code == 404
    assert "no station or zone" in answer.json["error"]
