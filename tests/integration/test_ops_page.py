"""The operations service's page on the real servers: each group's lag chart and its status judged
from the kept samples, the dead-letter counts, the services' readiness over HTTP, and
Kafka, PostgreSQL and Redis. Each test keeps its lag history under a prefix of its own.
The page is for the ops role and the IT cell: real tokens and sign-ins (tests/police.py)."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace

import pytest
import requests

from ops.lag.reader import PartitionSample
from shared.auth import Role
from tests import police
from tests.integration.notifier.conftest import Served

pytestmark = pytest.mark.integration
CLOSED = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def intake_running(stack_config, infra) -> str:
    from ops import services

    return f"http://127.0.0.1:{services.start_service(stack_config, 'intake', infra)}"


def _ops_app(infra, service_urls, **env_overrides):
    from ops.config import OpsConfig
    from ops.console.http import create_app

    ops = replace(
        OpsConfig.from_env({**infra, **env_overrides}),
        service_urls=service_urls,
        redis_prefix=f"ops-test-{uuid.uuid4().hex[:8]}",
        sample_every_s=3600,  # the page keeps to the samples the test wrote
    )
    return create_app(ops)


@pytest.fixture(scope="module")
def ops_token(infra) -> str:
    return police.token(infra["DATABASE_URL"], Role.OPS)


def _as(app, token: str):
    """A test client whose every request carries ``token``."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _history(app):
    return app.extensions["ops"].history


def _samples(group, topic, committed, lags, members, now):
    """One sample a minute, the last one now, on partition 0."""
    start = now - 60 * (len(lags) - 1)
    return [
        PartitionSample(group, topic, 0, c, (c or 0) + lag, lag, 5.0 * lag, members, start + 60 * i)
        for i, (c, lag) in enumerate(zip(committed, lags, strict=True))
    ]


def _row(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<(?:tr|section)[^>]*{attribute}="{re.escape(name)}".*?</(?:tr|section)>',
                      html, re.S)  # fmt: skip
    assert match, f"no {attribute}={name} on the page"
    return match.group(0)


def test_the_page_shows_each_group_s_status_and_chart_the_dead_letters_and_the_health(
    infra, intake_running, ops_token
):
    app = _ops_app(infra, {"intake": intake_running, "qr": CLOSED})
    now = time.time()
    moving = _samples("analytics", "feedback.submitted", [10, 20, 35, 50, 60],
                      [30, 25, 12, 4, 0], 2, now)  # fmt: skip
    stuck = _samples("notifier", "station.scores", [100] * 5, [40, 41, 43, 44, 46], 1, now)
    history = _history(app)
    for i in range(5):
        history.record([moving[i], stuck[i]], {"feedback.dlq": 3, "station.scores.dlq": 0})

    answer = _as(app, ops_token).get("/ops")
    html = answer.get_data(as_text=True)

    assert answer.status_code == 200
    analytics = _row(html, "data-group", "analytics")
    notifier = _row(html, "data-group", "notifier")
    assert 'data-status="OK"' in analytics and "<b data-lag>0</b>" in analytics
    assert 'data-status="STALL"' in notifier and "<b data-lag>46</b>" in notifier
    assert "offset 100 unchanged over the window" in notifier
    assert analytics.count("<circle") == 5 and notifier.count("<circle") == 5
    assert "<td data-count>3</td>" in _row(html, "data-topic", "feedback.dlq")
    assert "<td data-count>0</td>" in _row(html, "data-topic", "station.scores.dlq")
    assert "ready" in _row(html, "data-service", "intake")
    assert 'class="bad"' in _row(html, "data-service", "qr")
    assert "unreachable" in _row(html, "data-service", "qr")
    for server in ("kafka", "postgres", "redis"):
        assert 'class="good"' in _row(html, "data-server", server)
    assert 'data-overall="attention"' in html
    assert "उपभोक्ता समूह · Consumer groups" in html


def test_with_nothing_kept_the_page_reads_kafka_itself_and_keeps_the_sample(infra, ops_token):
    app = _ops_app(infra, {})

    html = _as(app, ops_token).get("/ops").get_data(as_text=True)

    kept = _history(app).samples()
    assert {s.group for s in kept} == {"analytics", "notifier"}
    assert len([s for s in kept if s.group == "analytics"]) == 12  # one per partition
    assert 'class="good"' in _row(html, "data-server", "kafka")
    assert 'data-status="UNKNOWN"' not in html


def test_the_history_stays_bounded_by_count_and_by_age(infra):
    app = _ops_app(infra, {})
    history = _history(app)
    history.max_points = 5
    now = time.time()
    old = _samples("notifier", "station.scores", [1], [0], 1, now - 2 * history.history_s)
    history.record(old, {})
    recent = _samples("notifier", "station.scores", list(range(8)), [1] * 8, 1, now)
    for sample in recent:
        history.record([sample], {})

    kept = history.samples(since_s=10 * history.history_s)
    assert [s.committed for s in kept] == [3, 4, 5, 6, 7]


def test_with_redis_down_the_page_still_answers_and_names_redis_as_failing(infra, ops_token):
    app = _ops_app(infra, {}, REDIS_URL="redis://127.0.0.1:9/0")

    answer = _as(app, ops_token).get("/ops")
    html = answer.get_data(as_text=True)

    assert answer.status_code == 200
    assert 'class="bad"' in _row(html, "data-server", "redis")
    assert 'class="good"' in _row(html, "data-server", "postgres")
    assert 'data-overall="attention"' in html


def test_the_service_s_own_address_leads_to_the_page(infra, ops_token):
    answer = _as(_ops_app(infra, {}), ops_token).get("/")

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/ops"


def test_the_page_is_for_ops_and_admin_and_refuses_every_other_role(infra):
    app = _ops_app(infra, {})
    url = infra["DATABASE_URL"]
    allowed = {
        role: _as(app, police.token(url, role)).get("/ops") for role in (Role.OPS, Role.ADMIN)
    }
    refused = {
        role: _as(app, police.token(url, role, **scope)).get("/ops")
        for role, scope in ((Role.SHO, {"station_code": "GGN-SADAR"}),
                            (Role.COMMISSIONER, {}), (Role.DCP, {"zone": "East"}))
    }  # fmt: skip
    browser = app.test_client().get("/ops", headers={"Accept": "text/html"})
    home = app.test_client().get("/", headers={"Accept": "text/html"})
    program = app.test_client().get("/ops", headers={"Accept": "application/json"})

    assert {role: a.status_code for role, a in allowed.items()} == {Role.OPS: 200, Role.ADMIN: 200}
    assert {a.status_code for a in refused.values()} == {403}
    assert browser.status_code == 303 and browser.headers["Location"] == "/login?next=/ops"
    assert home.status_code == 303 and home.headers["Location"].startswith("/login?next=/")
    assert program.status_code == 401


def test_signed_in_the_ops_officer_sees_the_page_with_the_bar_and_an_sho_is_refused(infra):
    with Served(_ops_app(infra, {})) as ops:
        operator = police.officer(infra["DATABASE_URL"], Role.OPS)
        sho = police.officer(infra["DATABASE_URL"], Role.SHO, station_code="GGN-SADAR")
        commissioner = police.officer(infra["DATABASE_URL"], Role.COMMISSIONER)

        page = police.sign_in(ops.url, operator).get(f"{ops.url}/ops", timeout=30)
        for_sho = police.sign_in(ops.url, sho).get(f"{ops.url}/ops", timeout=30)
        for_cp = police.sign_in(ops.url, commissioner).get(f"{ops.url}/ops", timeout=30)
        anonymous = requests.get(f"{ops.url}/ops", allow_redirects=False, timeout=30)

    assert page.status_code == 200 and 'class="police-bar"' in page.text
    assert operator.username in page.text and "auth.css" in page.text
    assert for_sho.status_code == for_cp.status_code == 403
    assert anonymous.status_code == 303 and anonymous.headers["Location"].startswith("/login")


def test_metrics_and_readiness_answer_this_machine_or_an_ops_token_only(infra, ops_token):
    app = _ops_app(infra, {})
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    sho = police.token(infra["DATABASE_URL"], Role.SHO, station_code="GGN-SADAR")

    local = app.test_client().get("/metrics")
    anonymous = app.test_client().get("/metrics", environ_base=elsewhere)
    with_sho = app.test_client().get("/readyz", environ_base=elsewhere,
                                     headers=police.bearer(sho))  # fmt: skip
    with_ops = app.test_client().get("/readyz", environ_base=elsewhere,
                                     headers=police.bearer(ops_token))  # fmt: skip

    assert local.status_code == 200
    assert anonymous.status_code == 401 and with_sho.status_code == 403
    assert with_ops.status_code == 200
