"""The HTTP kit: what every service answers, whatever its routes."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response
from prometheus_client import Counter
from werkzeug.exceptions import HTTPException

from shared.auth import access
from shared.web import HttpSettings, make_app
from tests.auth_fake import memory_gate

REQUESTS = Counter(f"kit_test_{uuid.uuid4().hex[:8]}_requests", "test", ["endpoint", "status"])


def app_with(checks=None, **kwargs):
    app = make_app(
        __name__, requests=REQUESTS, readiness=lambda: checks or {"db": True},
        gate=memory_gate(), **kwargs,
    )  # fmt: skip
    routes = Blueprint("routes", __name__)

    @routes.post("/api/v1/echo")
    @access.public
    def echo() -> Response:
        return Response(b"ok")

    @routes.get("/page")
    @access.public
    def page() -> Response:
        return Response("<p>hello</p>", mimetype="text/html")

    app.register_blueprint(routes)
    return app


def test_healthz_answers_ok():
    assert app_with().test_client().get("/healthz").get_json() == {"status": "ok"}


def test_readyz_names_the_failing_checks_with_503():
    response = app_with({"db": True, "kafka": False}).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"db": True, "kafka": False},
        "failing": ["kafka"],
    }


def test_readyz_is_200_when_every_check_passes():
    response = app_with({"db": True}).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ready"


def test_metrics_count_each_answer_by_its_route():
    client = app_with().test_client()
    client.get("/page")
    client.get("/page")
    text = client.get("/metrics").get_data(as_text=True)
    assert f'{REQUESTS._name}_total{{endpoint="/page",status="200"}} 2.0' in text


def test_every_answer_carries_the_security_headers():
    client = app_with().test_client()
    for path in ("/page", "/healthz", "/nowhere"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_a_body_over_the_cap_is_refused_with_413_as_json():
    client = app_with(settings=HttpSettings(max_body_bytes=100)).test_client()
    response = client.post("/api/v1/echo", data=b"x" * 101)
    assert response.status_code == 413
    assert set(response.get_json()) == {"error"}


def test_unknown_paths_are_json_errors_unless_pages_have_their_own():
    assert app_with().test_client().get("/nowhere").get_json()["error"]

    def page_error(error: HTTPException) -> Response:
        return Response(f"<h1>{error.code}</h1>", status=error.code, mimetype="text/html")

    client = app_with(page_error=page_error).test_client()
    assert client.get("/nowhere").get_data(as_text=True) == "<h1>404</h1>"
    assert client.get("/api/v1/nowhere").get_json()["error"]
