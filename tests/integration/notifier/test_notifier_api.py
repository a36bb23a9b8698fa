"""The notifier's HTTP side on the real PostgreSQL: the alerts list's parameters, the
acknowledge link's pages and expiry, readiness from the worker's heartbeat, and what the
shared HTTP kit adds to every answer. Who may read and acknowledge which alerts:
test_notifier_access.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from services.notifier import acklink
from services.notifier.entrypoints.http import create_app
from shared import db
from shared.consumer.health import HealthReporter

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)


def link_values(config, alert_id: str, expires: datetime) -> dict[str, str]:
    query = urlsplit(acklink.link(config.public_url, config.ack_key, alert_id, expires)).query
    return {name: values[0] for name, values in parse_qs(query).items()}


def test_the_alerts_list_checks_its_parameters_and_answers_json_with_the_kit_s_headers(
    notifier_config, commissioner_token
):
    client = create_app(notifier_config).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {commissioner_token}"

    fine = client.get("/api/v1/alerts?station=GGN-NO-SUCH&limit=5")
    bad_status = client.get("/api/v1/alerts?status=lost")
    bad_limit = client.get("/api/v1/alerts?limit=0")
    bad_station = client.get("/api/v1/alerts?station=GGN%20SADAR")
    nul = client.get("/api/v1/alerts?station=GGN-SADAR%00")
    missing = client.get("/api/v1/nothing-here")

    assert fine.status_code == 200 and fine.json == {"items": []}
    assert fine.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in fine.headers["Content-Security-Policy"]
    assert bad_status.status_code == 422 and "open" in bad_status.json["error"]
    assert bad_limit.status_code == 422 and "1000" in bad_limit.json["error"]
    assert bad_station.status_code == 422 and "station code" in bad_station.json["error"]
    assert nul.status_code == 400 and "control character" in nul.json["error"]
    assert missing.status_code == 404 and "error" in missing.json


def test_a_link_page_has_a_button_and_a_forged_expired_or_unknown_link_acknowledges_nothing(
    notifier_config,
):
    alert_id = str(uuid.uuid4())
    values = link_values(notifier_config, alert_id, NOW + timedelta(days=1))
    path = f"/alerts/{alert_id}/ack"
    today = create_app(notifier_config, now=lambda: NOW).test_client()
    in_two_days = create_app(notifier_config, now=lambda: NOW + timedelta(days=2)).test_client()

    page = today.get(path, query_string=values)
    forged = today.post(path, data={**values, "sig": values["sig"][:-2] + "xx"})
    expired = in_two_days.post(path, data=values)
    unknown = today.post(path, data=values)
    not_an_id = today.get("/alerts/not-an-id/ack", query_string=values)
    odd_digits = today.post(path, data={**values, "exp": "²" * 10})

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<form method="post">' in html and "स्वीकार करें / Acknowledge" in html
    assert forged.status_code == 403 and "लिंक मान्य नहीं" in forged.get_data(as_text=True)
    assert expired.status_code == 403
    assert unknown.status_code == 404 and "No such alert." in unknown.get_data(as_text=True)
    assert not_an_id.status_code == odd_digits.status_code == 403


def test_a_body_over_the_cap_is_refused_before_it_is_read(notifier_config):
    client = create_app(notifier_config).test_client()

    answer = client.post(f"/alerts/{uuid.uuid4()}/ack", data="x" * (65 * 1024))

    assert answer.status_code == 413 and "error" in answer.json


def test_readiness_follows_the_worker_s_heartbeat_and_goes_stale_after_two_minutes(
    notifier_config, infra
):
    beat = datetime.now(UTC)
    reporter = HealthReporter(lambda: db.connect(infra["DATABASE_URL"]), "notifier")
    reporter.beat(lag=0, now=beat)
    reporter.close()
    fresh = create_app(notifier_config, now=lambda: beat + timedelta(minutes=1))
    stale = create_app(notifier_config, now=lambda: beat + timedelta(minutes=3))

    ready = fresh.test_client().get("/readyz")
    not_ready = stale.test_client().get("/readyz")

    assert ready.status_code == 200
    assert ready.json == {"status": "ready", "checks": {"postgres": True, "worker": True},
                          "failing": []}  # fmt: skip
    assert not_ready.status_code == 503 and not_ready.json["failing"] == ["worker"]
