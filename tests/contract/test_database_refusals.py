"""The HTTP kit's answer to a change the real PostgreSQL refuses: 422 naming the broken rule
(409 for a duplicate), and never the values, which psycopg2's message carries ("Failing
row contains (...)"). Each refusal is a real one, of our own schema, in a transaction
that rolls back."""

from __future__ import annotations

import logging
import uuid

import pytest
from flask import Blueprint, Response
from prometheus_client import Counter

from shared import db
from shared.auth import access
from shared.web import make_app
from tests.auth_fake import memory_gate

pytestmark = pytest.mark.integration
REQUESTS = Counter(f"refusals_{uuid.uuid4().hex[:8]}_requests", "test", ["endpoint", "status"])
SECRET_NAME = "Sunita Devi"
SECRET_MOBILE = "+919876543210"
_INSERT = (
    "INSERT INTO stations (code, name_en, name_hi, zone, sho_name, sho_mobile)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
)
REFUSED = {
    # kind: (SQL, parameters, status, what the message names)
    "check": (_INSERT, ["GGN-X\n", "X", "एक्स", "East", SECRET_NAME, SECRET_MOBILE], 422,
              "stations_code_check"),
    "foreign-key": (_INSERT, ["GGN-NOZONE", "X", "एक्स", "Nowhere", SECRET_NAME, SECRET_MOBILE],
                    422, "stations_zone_fkey"),
    "unique": (_INSERT, ["GGN-SADAR", "X", "एक्स", "East", SECRET_NAME, SECRET_MOBILE], 409,
               "stations_pkey"),
    "not-null": (_INSERT, ["GGN-NONAME", None, "एक्स", "East", SECRET_NAME, SECRET_MOBILE], 422,
                 "name_en"),
    "out-of-range": ("SELECT %s::smallint", [SECRET_MOBILE[1:]], 422, "does not fit"),
    "malformed": ("SELECT %s::integer", [SECRET_NAME], 422, "does not fit"),
}  # fmt: skip


@pytest.fixture
def client(infra):
    app = make_app(__name__, requests=REQUESTS, readiness=dict, gate=memory_gate())
    routes = Blueprint("refusals", __name__)

    def run(kind: str) -> Response:
        sql, parameters, _, _ = REFUSED[kind]
        with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
            cur.execute(sql, parameters)
        return Response("not refused")

    routes.add_url_rule("/api/v1/refused/<kind>", "api", access.public(run), methods=["POST"])
    routes.add_url_rule("/refused/<kind>", "page", access.public(run), methods=["POST"])
    app.register_blueprint(routes)
    return app.test_client()


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_refusal_of_the_real_database_is_a_4xx_naming_the_rule_not_the_values(
    client, kind, caplog
):
    caplog.set_level(logging.DEBUG)
    _, _, status, named = REFUSED[kind]
    response = client.post(f"/api/v1/refused/{kind}")
    assert response.status_code == status
    message = response.get_json()["error"]
    assert named in message
    for secret in (SECRET_NAME, SECRET_MOBILE, SECRET_MOBILE[3:], "Failing row"):
        assert secret not in message
        assert secret not in caplog.text


def test_a_police_page_meeting_a_refusal_is_a_422_page(client):
    response = client.post("/refused/check", headers={"Accept": "text/html"})
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "stations_code_check" in response.get_data(as_text=True)
    assert SECRET_MOBILE not in response.get_data(as_text=True)


def test_nothing_refused_was_stored(infra):
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM stations WHERE sho_mobile = %s", (SECRET_MOBILE,))
        assert cur.fetchone() == (0,)
