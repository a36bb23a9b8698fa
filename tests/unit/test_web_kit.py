"""The HTTP kit: what every service answers, whatever its routes."""

from __future__ import annotations

import logging
import uuid

import psycopg2.errors
import pytest
from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, ValidationError
from prometheus_client import Counter
from werkzeug.exceptions import HTTPException

from shared.auth import Role, access
from shared.web import AsciiInteger, HttpSettings, int_arg, make_app, whole_number
from shared.web.json_body import nesting_depth
from tests.auth_fake import bearer, memory_gate, token_for

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


# Input no route can use: refused where it enters, the same way on every service ---------


def hardened_app():
    """The kit with routes that read what requests carry: a query number, JSON (silently
    and not), a form, and views that meet the database's refusals."""
    gate = memory_gate()
    app = make_app(__name__, requests=REQUESTS, readiness=lambda: {"db": True}, gate=gate)
    routes = Blueprint("hardened", __name__)

    @routes.get("/api/v1/count")
    @access.public
    def count() -> Response:
        return jsonify(n=int_arg("n", 7, 1, 366))

    @routes.get("/api/v1/private")
    @access.roles(Role.COMMISSIONER)
    def private() -> Response:
        return jsonify(secret="yes")

    @routes.post("/api/v1/json")
    @access.public
    def strict_json() -> Response:
        return jsonify(got=request.get_json())

    @routes.post("/api/v1/json-silent")
    @access.public
    def silent_json() -> Response:
        return jsonify(got=request.get_json(silent=True))

    @routes.post("/form")
    @access.public
    def form() -> Response:
        return jsonify(got=request.form.to_dict())

    @routes.post("/api/v1/refused/<kind>")
    @access.public
    def refused(kind: str) -> Response:
        raise REFUSALS[kind](FAILING_ROW)

    @routes.post("/refused-page")
    @access.public
    def refused_page() -> Response:
        raise psycopg2.errors.CheckViolation(FAILING_ROW)

    app.register_blueprint(routes)
    app.config["gate"] = gate
    return app


FAILING_ROW = (
    'new row for relation "stations" violates check constraint "stations_code_check"\n'
    "DETAIL:  Failing row contains (GGN-X, Sunita Devi, +919876543210)."
)
REFUSALS = {
    "check": psycopg2.errors.CheckViolation,
    "foreign-key": psycopg2.errors.ForeignKeyViolation,
    "not-null": psycopg2.errors.NotNullViolation,
    "too-long": psycopg2.errors.StringDataRightTruncation,
    "out-of-range": psycopg2.errors.NumericValueOutOfRange,
    "unique": psycopg2.errors.UniqueViolation,
}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/count?n=1%00",
        "/api/v1/count?n%00=1",
        "/api/v1/count?n=1%0A",
        "/api/v1/count?x=%1B%5B31m",
        "/api/v1/stations/GGN%00X",
        "/api/v1/stations/GGN-X%0A",
        "/api/v1/private?zone=East%00",
    ],
)
def test_control_characters_in_the_path_or_query_are_refused_with_400(path):
    response = hardened_app().test_client().get(path)
    assert response.status_code == 400
    assert "control character" in response.get_json()["error"]


def test_the_refusal_comes_before_the_gate_asks_who_is_calling():
    # Without a token the private route would answer 401; the bad query is refused first.
    response = hardened_app().test_client().get("/api/v1/private?q=%00")
    assert response.status_code == 400


def test_a_page_with_a_nul_in_its_address_is_a_400_page():
    response = hardened_app().test_client().get("/page%00", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_a_nul_in_a_form_field_is_refused_but_lines_and_tabs_are_kept():
    client = hardened_app().test_client()
    assert client.post("/form", data={"username": "a\x00b"}).status_code == 400
    assert client.post("/form", data={"a\x00": "b"}).status_code == 400
    kept = client.post("/form", data={"comments": "line one\r\nline\ttwo"})
    assert kept.get_json() == {"got": {"comments": "line one\r\nline\ttwo"}}


@pytest.mark.parametrize(
    "raw", ["²", "1²", "१२", "٣", "12.0", "-3", "+5", " 5", "0x10", "", "9" * 40]
)
def test_a_number_in_a_query_is_ascii_digits_or_a_400(raw):
    response = hardened_app().test_client().get("/api/v1/count", query_string={"n": raw})
    assert response.status_code == 400
    assert response.get_json() == {"error": "n must be a whole number from 1 to 366"}


def test_a_number_in_a_query_within_its_range_is_read_and_absent_is_its_default():
    client = hardened_app().test_client()
    assert client.get("/api/v1/count?n=366").get_json() == {"n": 366}
    assert client.get("/api/v1/count?n=007").get_json() == {"n": 7}
    assert client.get("/api/v1/count").get_json() == {"n": 7}
    assert client.get("/api/v1/count?n=367").status_code == 400


def test_whole_number_takes_only_ascii_digits_within_the_range():
    assert whole_number("42", 1, 100) == 42
    assert [whole_number(raw, 1, 100) for raw in ("²", "४२", "0", "101", None, "4 2")] == [None] * 6


def test_ascii_integer_fields_refuse_other_scripts_digits_that_int_would_take():
    assert int("१२") == 12  # what the field must not do

    class Query(Schema):
        scale = AsciiInteger()

    assert Query().load({"scale": "12"}) == {"scale": 12}
    assert Query().load({"scale": 12}) == {"scale": 12}
    for raw in ("१२", "²", "١٢", "1e3"):
        with pytest.raises(ValidationError):
            Query().load({"scale": raw})


@pytest.mark.parametrize(
    "header",
    [
        "Bearer prk_\u00e9t\u00e9",
        "Bearer prk_\xc3\xa9",  # UTF-8 bytes, as a WSGI server hands them over (latin-1)
        "Bearer \u00ff\u00fe",
        "B\u00e9arer prk_abc",
        "Bearer prk_" + "\u00e0" * 300,
    ],
)
def test_non_ascii_in_the_authorization_header_is_401_not_a_server_error(header):
    client = hardened_app().test_client()
    response = client.get("/api/v1/private", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    page = client.get("/healthz", headers={"Authorization": header})
    assert page.status_code == 200  # a public route does not read the header at all


def test_a_live_token_still_opens_the_private_route():
    app = hardened_app()
    token = token_for(app.config["gate"], Role.COMMISSIONER)
    response = app.test_client().get("/api/v1/private", headers=bearer(token))
    assert response.get_json() == {"secret": "yes"}


def _post_json(path: str, text: str):
    client = hardened_app().test_client()
    return client.post(path, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json")  # fmt: skip


@pytest.mark.parametrize("path", ["/api/v1/json", "/api/v1/json-silent"])
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"name": "\\ud800"}', "lone surrogate"),
        ('{"name": "a\\udc00b"}', "lone surrogate"),
        ('{"\\ud83d": 1}', "lone surrogate"),
        ('["ok", ["\\udfff"]]', "lone surrogate"),
        ('{"comments": "a\\u0000b"}', "NUL"),
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 32"),
        ('{"a":' * 33 + "1" + "}" * 33, "nested deeper than 32"),
        ("[" * 60_000, "nested deeper than 32"),
    ],
)
def test_json_over_the_kits_limits_is_refused_with_400_even_when_read_silently(path, text, reason):
    response = _post_json(path, text)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]


def test_raw_utf8_surrogates_and_other_bad_bytes_are_not_json():
    client = hardened_app().test_client()
    for raw in (b'{"a": "\xed\xa0\x80"}', b'{"a": "\xff"}', b"\xfe\xff\x00{"):
        assert (
            client.post("/api/v1/json", data=raw, content_type="application/json").status_code
            == 400
        )
        silent = client.post("/api/v1/json-silent", data=raw, content_type="application/json")
        assert silent.get_json() == {"got": None}


@pytest.mark.parametrize("text", ["NaN", '{"rating": Infinity}', "[-Infinity]"])
def test_nan_and_infinity_are_not_json(text):
    assert _post_json("/api/v1/json", text).status_code == 400
    assert _post_json("/api/v1/json-silent", text).get_json() == {"got": None}


def test_json_within_the_limits_is_read_as_it_was_sent():
    nested = "[" * 32 + "]" * 32
    body = '{"comments": "शिकायत 😀 \\ud83d\\ude00 [[[[ {{{{ \\" ]]", "n": [1, 2.5, null]}'
    assert _post_json("/api/v1/json", nested).status_code == 200
    assert _post_json("/api/v1/json", body).get_json() == {
        "got": {"comments": 'शिकायत 😀 😀 [[[[ {{{{ " ]]', "n": [1, 2.5, None]}
    }


def test_nesting_is_counted_outside_strings_only():
    assert nesting_depth('{"a": [1, {"b": "[[[[[[[[\\"[[[["}]}') == 3
    assert nesting_depth('"[[[["') == 0


@pytest.mark.parametrize(
    ("kind", "status"),
    [("check", 422), ("foreign-key", 422), ("not-null", 422), ("too-long", 422),
     ("out-of-range", 422), ("unique", 409)],
)  # fmt: skip
def test_a_change_the_database_refuses_is_a_4xx_that_shows_no_value(kind, status, caplog):
    caplog.set_level(logging.DEBUG)
    response = hardened_app().test_client().post(f"/api/v1/refused/{kind}")
    assert response.status_code == status
    message = response.get_json()["error"]
    assert message
    for private in ("Sunita", "9876543210", "Failing row"):
        assert private not in message
        assert private not in caplog.text


def test_a_page_meeting_a_database_refusal_is_a_422_page():
    client = hardened_app().test_client()
    response = client.post("/refused-page", headers={"Accept": "text/html"})
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Sunita" not in response.get_data(as_text=True)
