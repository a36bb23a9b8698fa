"""Intake's published OpenAPI description, and schemathesis generating requests from it:
no input, valid or not, gets a server error (the real Kafka and Redis are up)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from services.intake.entrypoints.openapi import build_spec
from shared.auth import Role
from tests import police

pytestmark = pytest.mark.integration


def test_intake_publishes_its_openapi_description(client, infra):
    token = police.token(infra["DATABASE_URL"], Role.COMMISSIONER)
    spec = client.get("/openapi.json", headers=police.bearer(token)).json
    feedback = spec["components"]["schemas"]["Feedback"]
    assert spec["openapi"].startswith("3.")
    assert set(feedback["required"]) >= {"station_code", "rating", "mobile", "problem_resolved"}
    assert feedback["properties"]["comments"]["maxLength"] == 2000
    assert "202" in spec["paths"]["/api/v1/feedback"]["post"]["responses"]


# Built from the same description the app serves; building it opens no connection.
API = schemathesis.openapi.from_dict(build_spec())


@pytest.mark.parametrize(
    ("path", "method"), [("/api/v1/feedback", "POST"), ("/healthz", "GET"), ("/readyz", "GET")]
)
def test_no_generated_request_gets_a_server_error(intake_app, path, method):
    """Schemathesis makes valid and invalid requests from the description; each is sent to
    the app on the real servers and must not get a 5xx."""
    client = intake_app.test_client()

    @given(case=API[path][method].as_strategy())
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    def no_server_error(case):
        kwargs = case.as_transport_kwargs(base_url="http://localhost")
        response = client.open(
            path=case.formatted_path,
            method=case.method,
            headers=kwargs.get("headers"),
            query_string=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
        )
        case.validate_response(response, checks=[not_a_server_error])

    no_server_error()


# The review's requests, on the real servers -----------------------------------------------


@pytest.mark.parametrize("code", ["GGN-SADAR\n", "GGN-SADAR\r\n"])
def test_a_station_code_ending_in_a_newline_is_422_naming_the_field(client, code):
    body = {"station_code": code, "qr_version": 1, "sig": "x" * 16, "rating": 3,
            "mobile": "9876543210", "complaint_type": "theft", "staff_available": True,
            "staff_helped": True, "problem_resolved": True}  # fmt: skip
    answer = client.post("/api/v1/feedback", json=body)
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"station_code"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b'{"name": "\\ud800"}', "lone surrogate"), (b"[" * 5_000 + b"]" * 5_000, "nested")],
)
def test_json_with_a_lone_surrogate_or_deep_nesting_is_400(client, raw, reason):
    answer = client.post("/api/v1/feedback", data=raw, content_type="application/json")
    assert answer.status_code == 400
    assert reason in answer.json["error"]


@pytest.mark.parametrize("version", ["²", "१", "1%00"])
def test_the_form_with_a_version_in_other_digits_or_a_nul_is_refused_not_a_server_error(
    client, version
):
    answer = client.get(f"/s/GGN-SADAR?v={version}&sig=abcdefghijklmnop")
    assert answer.status_code == (400 if "%" in version else 403)
    assert answer.mimetype == "text/html"
