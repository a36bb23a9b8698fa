"""The project's Prometheus configuration, checked by Prometheus itself: promtool accepts the
config and the alerting rules (and their unit tests), and a real Prometheus scrapes every
running service's /metrics (the operations service's carry the consumer lag) from this
machine without a token; from another address /metrics and /readyz need an ops or admin
token."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from shared.auth import Role
from tests import police
from tests.contract import wire
from tests.contract.conftest import outside_address
from tests.support import wait_until

pytestmark = pytest.mark.e2e
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["promtool", *args], cwd=DEPLOY, capture_output=True, text=True, timeout=60, check=False
    )


def test_promtool_accepts_the_config_and_the_alerting_rules():
    config = promtool("check", "config", "prometheus.yml")
    rules = promtool("check", "rules", "rules.yml")
    assert config.returncode == 0, config.stdout + config.stderr
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "7 rules found" in rules.stdout


def test_the_alerting_rules_fire_when_they_should_and_not_before():
    result = promtool("test", "rules", "rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our loopback
        return json.loads(answer.read())


@pytest.fixture
def prometheus(all_services, tmp_path):
    """A real Prometheus scraping the test profile's services every second."""
    config = (DEPLOY / "prometheus.yml").read_text()
    for name, port in all_services.items():
        default = {"intake": 8001, "qr": 8002, "analytics": 8003, "notifier": 8004, "ops": 8005}[
            name
        ]
        config = config.replace(f"127.0.0.1:{default}", f"127.0.0.1:{port}")
    config = config.replace("scrape_interval: 15s", "scrape_interval: 1s")
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(DEPLOY / "rules.yml", tmp_path / "rules.yml")
    port = _free_port()
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "prometheus.log").open("w"),
    )
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


def test_a_real_prometheus_sees_every_service_up_and_loads_the_rules(prometheus):
    def all_up():
        try:
            targets = _get(f"{prometheus}/api/v1/targets")["data"]["activeTargets"]
        except OSError:
            return None
        health = {t["labels"]["job"]: t["health"] for t in targets}
        return health if health and all(h == "up" for h in health.values()) else None

    health = wait_until(all_up, timeout_s=60, interval_s=0.5)
    assert set(health) == {"intake", "qr", "analytics", "notifier", "ops"}
    groups = _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
    names = {rule["name"] for group in groups for rule in group["rules"]}
    assert {"ServiceDown", "ConsumerLagGrowing", "DeadLetterNotEmpty", "IntakeErrors"} <= names
    scraped = _get(f"{prometheus}/api/v1/query?query=intake_http_requests_total")
    assert scraped["status"] == "success"


@pytest.mark.parametrize("path", ["/metrics", "/readyz"])
def test_monitoring_routes_answer_this_machine_and_monitors_tokens_only(all_services, infra, path):
    database_url = infra["DATABASE_URL"]
    ops_token = police.bearer(police.token(database_url, Role.OPS))["Authorization"]
    sho_token = police.bearer(police.token(database_url, Role.SHO, station_code="GGN-SADAR"))
    outside = outside_address()
    assert outside is not None, "this machine needs an address besides loopback for this test"
    for name, port in all_services.items():
        base = f"http://127.0.0.1:{port}"
        here = wire.send(base, None, "GET", path, {})
        assert here.status in (200, 503) and here.body, f"{name} {path} from loopback"
        if path == "/metrics":
            assert here.status == 200 and b"# TYPE" in here.body, name
        anonymous = wire.send(base, outside, "GET", path, {"Accept": "application/json"})
        assert anonymous.status == 401, f"{name} {path} from {outside}"
        other_role = wire.send(base, outside, "GET", path, sho_token)
        assert other_role.status == 403, f"{name} {path} with an SHO's token"
        monitor = wire.send(base, outside, "GET", path, {"Authorization": ops_token})
        assert monitor.status in (200, 503), f"{name} {path} with an ops token"
        assert (b"# TYPE" in monitor.body) == (path == "/metrics"), name
