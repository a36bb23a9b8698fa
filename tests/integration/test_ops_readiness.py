"""Every service's /readyz names what it checks and which of those fail, in one shape:
``{"status": "ready" | "not ready", "checks": {name: bool}, "failing": [names]}``, 200 when
nothing fails and 503 otherwise. A dependency on a closed port is named in ``failing``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

CLOSED = "127.0.0.1:9"  # the discard port: nothing listens on it here


def _app(service: str, env: dict[str, str]):
    if service == "intake":
        from services.intake.config import IntakeConfig
        from services.intake.entrypoints.http import create_app

        return create_app(IntakeConfig.from_env(env, station_max_lag_s=0.0))
    if service == "qr":
        from services.qr.config import QrConfig
        from services.qr.entrypoints.http import create_app

        return create_app(QrConfig.from_env(env))
    if service == "ops":
        from ops.config import OpsConfig
        from ops.console.http import create_app as create_ops_app

        return create_ops_app(OpsConfig.from_env(env))
    if service == "analytics":
        from services.analytics.config import AnalyticsConfig
        from services.analytics.entrypoints.http import create_app

        return create_app(AnalyticsConfig.from_env(env))
    from services.notifier.config import NotifierConfig
    from services.notifier.entrypoints.http import create_app

    return create_app(NotifierConfig.from_env(env))


def _readyz(service: str, env: dict[str, str]):
    app = _app(service, env)
    try:
        response = app.test_client().get("/readyz")
    finally:
        own = app.extensions.get(service)
        if own is not None and hasattr(own, "publisher"):
            own.publisher.close()
    return response.status_code, response.json


def _assert_shape(status: int, body: dict) -> None:
    assert set(body) == {"status", "checks", "failing"}
    assert body["checks"] and all(isinstance(v, bool) for v in body["checks"].values())
    assert body["failing"] == sorted(name for name, good in body["checks"].items() if not good)
    if body["failing"]:
        assert (status, body["status"]) == (503, "not ready")
    else:
        assert (status, body["status"]) == (200, "ready")


@pytest.mark.parametrize(
    ("service", "dependencies"),
    [
        ("intake", {"kafka", "redis", "stations"}),
        ("qr", {"postgres", "kafka"}),
        ("analytics", {"postgres", "redis"}),
        ("notifier", {"postgres", "worker"}),
        ("ops", {"redis"}),
    ],
)
def test_each_service_s_readiness_names_its_checks_and_the_failing_ones(
    infra, service, dependencies
):
    status, body = _readyz(service, infra)

    _assert_shape(status, body)
    assert set(body["checks"]) == dependencies
    # The servers are up: only the notifier's worker may be missing (none runs here).
    assert set(body["failing"]) <= {"worker"}


@pytest.mark.parametrize(
    ("service", "setting", "value", "named"),
    [
        ("intake", "REDIS_URL", f"redis://{CLOSED}/0", "redis"),
        ("analytics", "REDIS_URL", f"redis://{CLOSED}/0", "redis"),
        ("analytics", "DATABASE_URL", f"postgresql://pratikriya:x@{CLOSED}/pratikriya", "postgres"),
        ("qr", "DATABASE_URL", f"postgresql://pratikriya:x@{CLOSED}/pratikriya", "postgres"),
        ("notifier", "DATABASE_URL", f"postgresql://pratikriya:x@{CLOSED}/pratikriya", "postgres"),
        ("ops", "REDIS_URL", f"redis://{CLOSED}/0", "redis"),
    ],
)
def test_a_dependency_on_a_closed_port_is_named_as_failing(infra, service, setting, value, named):
    status, body = _readyz(service, {**infra, setting: value})

    _assert_shape(status, body)
    assert status == 503
    assert named in body["failing"]
    working = {"redis", "postgres", "kafka"} - {named}
    assert not working & set(body["failing"])
