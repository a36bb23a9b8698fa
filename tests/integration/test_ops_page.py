"""The operations service's page on the real servers: each group's lag chart and its status judged
from the kept samples, the dead-letter counts, the services' readiness over HTTP, and
Kafka, PostgreSQL and Redis. Each test keeps its lag history under a prefix of its own."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace

import pytest

from ops.lag.reader import PartitionSample

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
    infra, intake_running
):
    app = _ops_app(infra, {"intake": intake_running, "qr": CLOSED})
    now = time.time()
    moving = _samples("analytics", "feedback.submitted", [10, 20, 35, 50, 60],
                      [30, 25, 12, 4, 0], 2, now)  # fmt: skip
    stuck = _samples("notifier", "station.scores", [100] * 5, [40, 41, 43, 44, 46], 1, now)
    history = _history(app)
    for i in range(5):
        history.record([moving[i], stuck[i]], {"feedback.dlq": 3, "station.scores.dlq": 0})

    answer = app.test_client().get("/ops")
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


def test_with_nothing_kept_the_page_reads_kafka_itself_and_keeps_the_sample(infra):
    app = _ops_app(infra, {})

    html = app.test_client().get("/ops").get_data(as_text=True)

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


def test_with_redis_down_the_page_still_answers_and_names_redis_as_failing(infra):
    app = _ops_app(infra, {}, REDIS_URL="redis://127.0.0.1:9/0")

    answer = app.test_client().get("/ops")
    html = answer.get_data(as_text=True)

    assert answer.status_code == 200
    assert 'class="bad"' in _row(html, "data-server", "redis")
    assert 'class="good"' in _row(html, "data-server", "postgres")
    assert 'data-overall="attention"' in html


def test_the_service_s_own_address_leads_to_the_page(infra):
    answer = _ops_app(infra, {}).test_client().get("/")

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/ops"
