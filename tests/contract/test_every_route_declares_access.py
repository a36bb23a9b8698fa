"""Every route of every app declares who may use it, and the public surface is exactly the
one the issue fixes: a new route cannot become public by accident.

The apps are built by their real factories (tests/contract/apps.py); the routes are read
from each app's URL map, so routes added later are walked too. Only the deliberate
exceptions are listed here: what is public, the signed link, the loopback routes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pytest

from shared.auth import Role
from tests.auth_fake import bearer, memory_gate, token_for
from tests.contract.apps import FACTORIES, Route, build, every_route

EVERY_APP = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")}
PUBLIC = {
    "intake": {
        ("GET", "/s/<code>"),
        ("POST", "/s/<code>"),
        ("POST", "/api/v1/feedback"),
        # The visitor's own rights (issue 11): a one-time SMS code is what lets them in.
        ("GET", "/rights"),
        ("POST", "/rights/code"),
        ("POST", "/rights/verify"),
        ("GET", "/rights/mine"),
        ("POST", "/rights/erase"),
    },
    "qr": {
        ("GET", "/api/v1/stations/<code>/qr.png"),
        ("GET", "/api/v1/stations/<code>/qr.svg"),
        ("GET", "/api/v1/stations/<code>/qr-url"),
        ("GET", "/api/v1/stations/<code>/poster.pdf"),
        ("GET", "/api/v1/zones/<zone>/posters.pdf"),
    },
}
SIGNED_LINK = {"notifier": {("GET", "/alerts/<alert_id>/ack"), ("POST", "/alerts/<alert_id>/ack")}}
LOOPBACK_OR_TOKEN = {("GET", "/metrics"), ("GET", "/readyz")}


def _shape(path: str) -> str:
    """A rule without its parameters' names and converters: ``/s/<>``."""
    return re.sub(r"<[^>]*>", "<>", path)


def _expected(kind: str) -> set[tuple[str, str, str]]:
    per_service = {"public": PUBLIC, "signed_link": SIGNED_LINK}.get(kind, {})
    everywhere = {"public": EVERY_APP, "loopback_or_token": LOOPBACK_OR_TOKEN}.get(kind, set())
    return {
        (service, method, _shape(path))
        for service in FACTORIES
        for method, path in everywhere | per_service.get(service, set())
    }


def _declared(kind: str, walked: list[Route]) -> set[tuple[str, str, str]]:
    return {
        (r.service, r.method, _shape(r.path))
        for r in walked
        if r.access is not None and r.access.kind == kind and not r.is_static
    }


@functools.cache
def walked() -> list[Route]:
    return every_route()


def _listed(title: str, items: Iterable[object]) -> str:
    return title + "".join(f"\n  {item}" for item in sorted(map(str, items)))


def test_every_route_of_every_app_declares_an_access_rule():
    assert {r.service for r in walked()} == set(FACTORIES)
    offenders = [r for r in walked() if r.access is None and not r.is_static]
    if offenders:
        pytest.fail(_listed("routes without an access rule (shared.auth.access):", offenders))


@pytest.mark.parametrize("kind", ["public", "signed_link", "loopback_or_token"])
def test_the_deliberate_exceptions_are_exactly_the_issues_list(kind):
    declared, expected = _declared(kind, walked()), _expected(kind)
    if declared - expected:
        pytest.fail(_listed(f"{kind}, but not on the issue's list:", declared - expected))
    if expected - declared:
        pytest.fail(_listed(f"on the issue's list, but not {kind}:", expected - declared))


def test_static_files_are_the_only_routes_without_a_rule_and_serve_files_only():
    static = [r for r in walked() if r.is_static]
    assert static, "the police pages' stylesheet is a static file"
    assert all(r.method == "GET" and r.path.endswith("<path:filename>") for r in static)


def test_every_other_route_needs_a_role():
    exceptions = {"public", "signed_link", "loopback_or_token"}
    loose = [
        r for r in walked()
        if r.access is not None and r.access.kind not in exceptions
        and not (r.access.kind == "roles" and r.access.roles)
    ]  # fmt: skip
    assert not loose, _listed("rules that name no role:", loose)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_metrics_and_readiness_refuse_other_machines_without_a_monitors_token(name):
    """The gate's refusals (the routes' own answers, from loopback or with an ops token,
    are in tests/e2e/test_monitoring.py against the running services)."""
    gate = memory_gate()
    client = build(name, gate).test_client()
    outsider = {"REMOTE_ADDR": "203.0.113.7"}
    commissioner = bearer(token_for(gate, Role.COMMISSIONER))
    for path in ("/metrics", "/readyz"):
        assert client.get(path, environ_base=outsider).status_code == 401, path
        assert client.get(path, environ_base=outsider, headers=commissioner).status_code == 403
