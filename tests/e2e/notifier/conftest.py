"""The notifier as in production (gunicorn app, ``python -m`` worker) pointed at real stand-in
servers for the SMS gateway and SMTP, started once for the session through ops.services."""

from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.auth import Role
from shared.events import StationScoresUpdated
from shared.kafka_io import durable_producer
from shared.scores import WindowStats
from shared.topics import SCORES_TOPIC
from tests import police
from tests.integration.notifier.conftest import settle_alerts
from tests.integration.notifier.notifier_standins import SmsGatewayStandIn, SmtpStandIn
from tests.support import create_station, unique_mobile, wait_until

RULES_FILE = Path(__file__).with_name("notifier_e2e.toml")
EAST_ACP = {"mobile": "+919000000101", "email": "acp.east@example.invalid"}


def get_json(url: str, token: str | None = None):
    headers = police.bearer(token) if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own http URL
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - our own http URL
        return json.loads(answer.read())


@pytest.fixture(scope="session")
def gateway():
    with SmsGatewayStandIn() as server:
        yield server


@pytest.fixture(scope="session")
def mail():
    with SmtpStandIn() as server:
        yield server


@pytest.fixture(scope="session")
def notifier_env(infra, gateway, mail) -> dict[str, str]:
    return {
        **infra,
        "NOTIFIER_CONFIG": str(RULES_FILE),
        "NOTIFIER_SMS_URL": gateway.url,
        "NOTIFIER_SMS_API_KEY": "e2e-sms-key",
        "NOTIFIER_SMS_DLT_TEMPLATE_ID": "1107000000000000001",
        "NOTIFIER_SMTP_HOST": "127.0.0.1",
        "NOTIFIER_SMTP_PORT": str(mail.port),
        "NOTIFIER_SMTP_STARTTLS": "0",
    }


@pytest.fixture(scope="session")
def notifier(stack_config, notifier_env):
    """The notifier app and worker with this session's settings (any left running by an
    earlier session are stopped first: they would hold other stand-ins' addresses)."""
    from ops import services

    for name in ("notifier-worker", "notifier"):
        services.stop_service(stack_config, name)
    port = services.start_service(stack_config, "notifier", notifier_env)
    services.start_worker(stack_config, "notifier-worker", notifier_env)
    handle = Notifier(stack_config, notifier_env, f"http://127.0.0.1:{port}")
    # The worker has joined its group and is consuming once a spike comes through.
    warm = handle.new_station()
    handle.publish(warm["code"], count=4, part=4)
    wait_until(lambda: handle.alerts(warm["code"]), timeout_s=60, interval_s=0.2)
    yield handle
    for name in ("notifier-worker", "notifier"):
        services.stop_service(stack_config, name)
    settle_alerts(notifier_env["DATABASE_URL"], handle.made)


class Notifier:
    def __init__(self, stack_config, env: dict[str, str], url: str) -> None:
        self.stack_config, self.env, self.url = stack_config, env, url
        self.made: list[str] = []  # the stations made, their alerts settled at the end
        self.producer = durable_producer(env["KAFKA_BOOTSTRAP_SERVERS"], client_id="e2e-scores")
        # The Commissioner's office's token: every station's alerts.
        self.token = police.token(env["DATABASE_URL"], Role.COMMISSIONER)

    def new_station(self) -> dict:
        station = create_station(
            self.env["DATABASE_URL"],
            sho_name="SHO E2E",
            sho_mobile="+91" + unique_mobile(),
            sho_email=f"sho-{uuid.uuid4().hex[:8]}@example.invalid",
        )
        self.made.append(station["code"])
        return station

    def publish(
        self, code: str, *, count: int, part: int, baseline: WindowStats | None = None
    ) -> None:
        """A scores event as analytics would publish it: ``part`` of ``count`` unresolved."""
        recent = WindowStats(count=count, unresolved=part, rating_sum=4 * count)
        event = StationScoresUpdated(
            station_code=code,
            computed_at=datetime.now(UTC),
            windows={"1h": recent, "24h": recent, "7d": recent, "30d": recent,
                     "baseline_30d": baseline or WindowStats()},
        )  # fmt: skip
        self.producer.send(SCORES_TOPIC, key=event.key, value=event.to_json()).get(timeout=10)

    def alerts(self, code: str) -> list[dict]:
        return get_json(f"{self.url}/api/v1/alerts?station={code}", self.token)["items"]

    def worker_pid(self) -> int | None:
        from ops import services

        return services.service_pid(self.stack_config, services.WORKERS["notifier-worker"])

    def restart_worker(self) -> None:
        from ops import services

        services.start_worker(self.stack_config, "notifier-worker", self.env)
