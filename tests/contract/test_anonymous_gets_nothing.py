"""An anonymous visitor gets nothing but the public surface from the running services: every
GET route that is not public, of every service, answered without a sign-in, is a redirect
to /login (pages) or a 401 (APIs, the metrics), never a page or data.

The routes are read from each app's URL map (tests/contract/apps.py), so routes added later
are tried too; path parameters are filled with a real station, zone and ids. The requests
come from this machine's network address, not loopback, where it has one: then /metrics and
/readyz must refuse too (from loopback they answer, which is checked instead).
"""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from shared import db
from shared.auth import Role
from tests import police
from tests.contract import wire
from tests.contract.apps import FACTORIES, Route, build, routes

pytestmark = pytest.mark.integration
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EXEMPT = ("public", "signed_link")


def _guarded_gets() -> list[Route]:
    return [
        route
        for name in FACTORIES
        for route in routes(name, build(name))
        if route.method == "GET" and not route.is_static
        and (route.access is None or route.access.kind not in EXEMPT)
    ]  # fmt: skip


GUARDED = _guarded_gets()


@pytest.fixture(scope="module")
def real_values(infra) -> dict[str, str]:
    """A real station, zone, alert and account to put in the paths."""
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT code, zone FROM stations WHERE active ORDER BY code LIMIT 1")
        code, zone = cur.fetchone()
        cur.execute("SELECT id FROM alerts ORDER BY raised_at DESC LIMIT 1")
        alert = cur.fetchone()
    officer = police.officer(infra["DATABASE_URL"], Role.SHO, station_code=code)
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT id FROM accounts WHERE username = %s", (officer.username,))
        (account_id,) = cur.fetchone()
    return {"code": code, "station_code": code, "station": code, "zone": zone,
            "alert_id": str(alert[0]) if alert else str(uuid.uuid4()),
            "username": officer.username, "int": str(account_id)}  # fmt: skip


_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _target(route: Route, values: dict[str, str]) -> str:
    """The route's path with its parameters filled: whole numbers with an id, others by name."""
    filled = {}
    for converter, name in _PARAMETER.findall(route.path):
        filled[name] = values["int"] if converter == "int" else values.get(name, "1")
    return route.rule.build(filled, append_unknown=False)[1]  # type: ignore[index]


@pytest.mark.parametrize("route", GUARDED, ids=str)
def test_an_anonymous_get_of_a_guarded_route_shows_nothing(
    route, base_urls, source_address, real_values
):
    target = _target(route, real_values)
    answer = wire.send(base_urls[route.service], source_address, "GET", target, BROWSER)
    loopback_rule = route.access is not None and route.access.kind == "loopback_or_token"
    if loopback_rule and source_address is None:
        assert answer.status in (200, 503), f"{route}: from this machine it answers"
        return
    if route.path.startswith("/api/") or loopback_rule:
        assert answer.status == 401, f"{route} {target}: {answer.status}"
        for content in (b"# HELP", b'"items"', b'"checks"', b'"windows"'):
            assert content not in answer.body, f"{route}: {answer.body[:300]!r}"
    else:  # a page: to the sign-in, and back here afterwards
        assert answer.status == 303, f"{route} {target}: {answer.status}"
        location = urlsplit(answer.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [target]


@pytest.mark.parametrize("route", [r for r in GUARDED if r.path.startswith("/api/")], ids=str)
def test_an_anonymous_program_gets_401_json(route, base_urls, source_address, real_values):
    target = _target(route, real_values)
    answer = wire.send(base_urls[route.service], source_address, "GET", target,
                       {"Accept": "application/json"})  # fmt: skip
    assert answer.status == 401, f"{route} {target}"
    assert set(json.loads(answer.body)) == {"error"}
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
