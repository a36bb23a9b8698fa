"""Each service's OpenAPI description (the one it serves at /openapi.json) describes every
API route it has, with the security its access rule asks for; and any sign-in may read
it, nobody else. The routes come from each app's URL map, so new ones are held to it."""

from __future__ import annotations

import re

import pytest

from shared.auth import Role
from tests.auth_fake import bearer, memory_gate, token_for
from tests.contract.apps import build, routes

DESCRIBED = ("intake", "qr", "analytics", "notifier")
OPERATIONAL = ("/healthz", "/readyz", "/metrics", "/openapi.json")


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _described(name: str):
    gate = memory_gate()
    app = build(name, gate)
    client = app.test_client()
    spec = client.get("/openapi.json", headers=bearer(token_for(gate, Role.SHO, station_code="X")))
    assert spec.status_code == 200
    return app, spec.get_json()


def _api_routes(name, app):
    """Routes a program calls: the API, the operational ones, the signed link; not pages."""
    for route in routes(name, app):
        kind = route.access.kind if route.access else None
        if route.path.startswith("/api/") or route.path in OPERATIONAL or kind == "signed_link":
            yield route


@pytest.mark.parametrize("name", DESCRIBED)
def test_the_description_holds_every_api_route_and_nothing_else(name):
    app, spec = _described(name)
    served = {(r.method.lower(), _openapi_path(r.path)) for r in _api_routes(name, app)}
    described = {(method, path) for path, item in spec["paths"].items() for method in item
                 if method in ("get", "post", "put", "patch", "delete")}  # fmt: skip
    assert sorted(served - described) == [], "routes missing from /openapi.json"
    assert sorted(described - served) == [], "described, but no such route"


@pytest.mark.parametrize("name", DESCRIBED)
def test_each_described_route_asks_for_the_security_its_access_rule_needs(name):
    app, spec = _described(name)
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for route in _api_routes(name, app):
        operation = spec["paths"][_openapi_path(route.path)][route.method.lower()]
        security = operation.get("security", spec.get("security", [{}]))
        named = {scheme for requirement in security for scheme in requirement}
        assert all(schemes[s] == schemes[s] | {"type": "http", "scheme": "bearer"} for s in named)
        kind = route.access.kind if route.access else None
        if kind is None:
            continue  # no rule: the route walk fails for it (nobody may use it)
        if kind == "roles":
            assert named and {} not in security, f"{route}: needs a sign-in or a token"
            assert "401" in operation["responses"] and "403" in operation["responses"], str(route)
        elif kind == "loopback_or_token":
            assert named and {} in security, f"{route}: a token, or none from loopback"
        else:
            assert {} in security, f"{route}: open to anybody"


@pytest.mark.parametrize("name", DESCRIBED)
def test_only_a_sign_in_or_token_reads_the_description(name):
    app = build(name)
    client = app.test_client()
    assert client.get("/openapi.json", headers={"Accept": "application/json"}).status_code == 401
    page = client.get("/openapi.json", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["Location"].startswith("/login?next=")
