"""Every HTTP app of the system, built by its real ``create_app`` with the in-memory gate and
settings whose servers are never connected to (creating an app opens no socket), so their
routes can be walked without any server running."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from shared.auth import Gate
from shared.auth.access import Rule as AccessRule
from shared.auth.access import rule_of
from shared.sealing import generate
from tests.auth_fake import memory_gate

# Port 9 (discard) on loopback: nothing listens, and nothing here ever tries.
NOWHERE = {
    "DATABASE_URL": "postgresql://nobody:nothing@127.0.0.1:9/never",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
    "QR_SIGNING_KEY": "contract-tests-signing-key",
    "MOBILE_HASH_KEY": "contract-tests-mobile-hash-key",
    "INTAKE_SEAL_PUBLIC_KEY": generate("contract").public,
}
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})


def _intake(env: dict[str, str], gate: Gate) -> Flask:
    from services.intake.config import IntakeConfig
    from services.intake.entrypoints.http import create_app

    return create_app(IntakeConfig.from_env(env), gate=gate)


def _qr(env: dict[str, str], gate: Gate) -> Flask:
    from services.qr.config import QrConfig
    from services.qr.entrypoints.http import create_app

    return create_app(QrConfig.from_env(env), gate=gate)


def _analytics(env: dict[str, str], gate: Gate) -> Flask:
    from services.analytics.config import AnalyticsConfig
    from services.analytics.entrypoints.http import create_app

    return create_app(AnalyticsConfig.from_env(env), gate=gate)


def _notifier(env: dict[str, str], gate: Gate) -> Flask:
    from services.notifier.config import NotifierConfig
    from services.notifier.entrypoints.http import create_app

    return create_app(NotifierConfig.from_env(env), gate=gate)


def _ops(env: dict[str, str], gate: Gate) -> Flask:
    from ops.config import OpsConfig
    from ops.console.http import create_app

    return create_app(OpsConfig.from_env(env), gate=gate)


# The service names of ops/services.py (ports, the running processes).
FACTORIES: dict[str, Callable[[dict[str, str], Gate], Flask]] = {
    "intake": _intake,
    "qr": _qr,
    "analytics": _analytics,
    "notifier": _notifier,
    "ops": _ops,
}


def build(name: str, gate: Gate | None = None, env: dict[str, str] | None = None) -> Flask:
    return FACTORIES[name]({**NOWHERE, **(env or {})}, gate or memory_gate())


@dataclass(frozen=True)
class Route:
    """One URL rule and method of one app, with the access rule its view declares."""

    service: str
    method: str
    path: str  # werkzeug's rule, e.g. /api/v1/stations/<code>
    endpoint: str
    access: AccessRule | None
    rule: Rule

    @property
    def is_static(self) -> bool:
        """A blueprint's (or the app's) static files: public by the gate itself."""
        return self.endpoint == "static" or self.endpoint.endswith(".static")

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path} ({self.endpoint})"


def routes(name: str, app: Flask) -> Iterator[Route]:
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            yield Route(name, method, rule.rule, rule.endpoint, rule_of(view), rule)


def every_route() -> list[Route]:
    return [route for name in FACTORIES for route in routes(name, build(name))]


def spec_builders() -> dict[str, Callable[[], dict[str, Any]]]:
    """Each described service's ``build_spec``: the document it serves at /openapi.json."""
    from services.analytics.entrypoints.openapi import build_spec as analytics
    from services.intake.entrypoints.openapi import build_spec as intake
    from services.notifier.entrypoints.openapi import build_spec as notifier
    from services.qr.entrypoints.openapi import build_spec as qr

    return {"intake": intake, "qr": qr, "analytics": analytics, "notifier": notifier}
