"""Fixtures for the notifier's integration tests: config on the test servers, stand-ins for
the SMS gateway and the mail server, a station of its own with a reachable SHO, a reader's
token, and the app served over real HTTP."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from services.notifier.adapters.sms import HttpSmsSender
from services.notifier.adapters.smtp import SmtpSender
from services.notifier.adapters.stations import build_directory
from services.notifier.config import DeliverySettings, NotifierConfig, SmsGateway, SmtpServer
from services.notifier.domain import RuleSettings
from services.notifier.ports import Senders
from services.notifier.usecases import Deps
from shared import db
from shared.auth import Role
from tests import police
from tests.integration.notifier.notifier_standins import SmsGatewayStandIn, SmtpStandIn
from tests.support import create_station, unique_mobile


@pytest.fixture
def gateway():
    with SmsGatewayStandIn() as server:
        yield server


@pytest.fixture
def mail():
    with SmtpStandIn() as server:
        yield server


@pytest.fixture
def notifier_config(infra, gateway, mail) -> NotifierConfig:
    return NotifierConfig.from_env(
        infra,
        rules=RuleSettings(escalation_delays=(timedelta(hours=2), timedelta(hours=2))),
        delivery=DeliverySettings(
            max_attempts=4, backoff_base_s=0.05, backoff_cap_s=0.2, lease_s=1.0, timeout_s=0.5
        ),
        sms=SmsGateway(gateway.url, api_key="sms-key", sender_id="GGNPOL", dlt_template_id="T1"),
        smtp=SmtpServer("127.0.0.1", mail.port, starttls=False, sender="alerts@example.invalid"),
        public_url="http://notifier.test",
    )


@pytest.fixture
def senders(notifier_config) -> Senders:
    timeout = notifier_config.delivery.timeout_s
    return Senders(
        sms=HttpSmsSender(notifier_config.sms, timeout),
        email=SmtpSender(notifier_config.smtp, timeout),
    )


@pytest.fixture(scope="session")
def directory(infra):
    """Recipients from the stations topic, as the worker reads them."""
    found = build_directory(infra["KAFKA_BOOTSTRAP_SERVERS"], "t-notifier-stations")
    yield found
    found.close()


@pytest.fixture
def deps(notifier_config, directory) -> Deps:
    return Deps(notifier_config, directory)


@pytest.fixture
def conn(infra):
    connection = db.connect(infra["DATABASE_URL"])
    yield connection
    connection.close()


def settle_alerts(database_url: str, codes: list[str]) -> None:
    """Resolve the test stations' alerts and give up their unsent deliveries once a test is
    over: left open, every later notifier worker on this profile would judge them at each
    tick and escalate them again (the e2e rules escalate after seconds)."""
    if not codes:
        return
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "UPDATE alert_deliveries SET status = 'failed', last_error = 'the test is over'"
            " WHERE status = 'pending' AND alert_id IN"
            " (SELECT id FROM alerts WHERE station_code = ANY(%s::text[]))",
            (codes,),
        )
        cur.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = now(), updated_at = now()"
            " WHERE station_code = ANY(%s::text[]) AND status <> 'resolved'",
            (codes,),
        )


@pytest.fixture
def new_station(infra):
    """Makes a station of the test's own (zone East unless given), its alerts settled when
    the test ends."""
    made: list[str] = []

    def make(zone: str = "East", **fields) -> dict:
        station = create_station(infra["DATABASE_URL"], zone=zone, **fields)
        made.append(station["code"])
        return station

    yield make
    settle_alerts(infra["DATABASE_URL"], made)


@pytest.fixture
def sho_station(new_station) -> dict:
    """A station in zone East (whose ACP and DCP the seed knows) with an SHO of its own."""
    return new_station(
        sho_name="SHO Test",
        sho_mobile="+91" + unique_mobile(),
        sho_email=f"sho-{uuid.uuid4().hex[:8]}@example.invalid",
    )


@pytest.fixture(scope="session", autouse=True)
def no_running_notifier_worker(stack_config):
    """These tests send the outbox themselves: a notifier worker left running on this
    profile (the e2e tests' one, or one from `up`) would take their deliveries first."""
    from ops import services

    services.stop_service(stack_config, "notifier-worker")


@pytest.fixture(scope="session")
def commissioner_token(infra) -> str:
    """A token of the Commissioner's office: reads and acknowledges every station's alerts."""
    return police.token(infra["DATABASE_URL"], Role.COMMISSIONER)


class Served:
    """A Flask app on a real HTTP port of 127.0.0.1 (a thread of this process), so that
    requests and the police sign-in helpers reach it as a browser would."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.thread.join(5)
