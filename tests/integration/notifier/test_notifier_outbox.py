"""Alerts and their deliveries on the real PostgreSQL, sent to real HTTP and SMTP servers."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from services.notifier import usecases
from services.notifier.adapters.postgres import PostgresAlerts, PostgresAlertsRepository
from services.notifier.entrypoints.http import create_app
from services.notifier.ports import Outgoing
from shared import db
from shared.events import StationScoresUpdated
from shared.scores import WindowStats
from tests.integration.notifier.notifier_standins import text_of
from tests.support import wait_until

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
USUAL = WindowStats(count=300, unresolved=30, low_ratings=30)


def scores(code: str, at: datetime, count: int, unresolved: int) -> StationScoresUpdated:
    recent = WindowStats(count=count, unresolved=unresolved, low_ratings=0)
    return StationScoresUpdated(
        station_code=code,
        computed_at=at,
        windows={"1h": WindowStats(), "24h": recent, "baseline_30d": USUAL},
    )


def alerts(client, code: str) -> list[dict]:
    answer = client.get(f"/api/v1/alerts?station={code}")
    assert answer.status_code == 200
    return answer.json["items"]


def deliver_all(conn, config, senders, now=None) -> None:
    """Run the sender until nothing is due (retries included), bounded."""
    clock = (lambda: now) if now else (lambda: datetime.now(UTC))

    def nothing_left() -> bool:
        usecases.deliver_due(PostgresAlerts.on(conn), config, senders, clock)
        with db.transaction(conn) as cur:
            cur.execute("SELECT count(*) FROM alert_deliveries WHERE status = 'pending'")
            return cur.fetchone()[0] == 0

    wait_until(nothing_left, timeout_s=15, interval_s=0.05)


@pytest.fixture
def client(notifier_config, commissioner_token):
    """The notifier app, every request with the Commissioner's office's token."""
    client = create_app(notifier_config).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {commissioner_token}"
    return client


def test_a_spike_opens_one_alert_with_an_sms_and_an_email_for_the_sho(
    conn, deps, client, sho_station
):
    outcomes = usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )

    assert [(o.rule, o.action.value) for o in outcomes] == [("unresolved", "raise")]
    [alert] = alerts(client, sho_station["code"])
    assert (alert["rule"], alert["status"], alert["level"], alert["window"]) == (
        "unresolved", "open", 0, "24h",
    )  # fmt: skip
    assert alert["observed"]["part"] == 7 and alert["observed"]["count"] == 12
    assert alert["baseline"] == {"part": 30, "count": 300, "share": pytest.approx(0.1013, 1e-3)}
    channels = sorted((d["channel"], d["recipient_role"], d["status"]) for d in alert["deliveries"])
    assert channels == [("email", "sho", "pending"), ("sms", "sho", "pending")]


def test_a_replayed_or_unchanged_scores_event_adds_no_alert_and_no_delivery(
    conn, deps, client, sho_station
):
    event = scores(sho_station["code"], NOW, 12, 7)
    usecases.handle_scores(PostgresAlerts.on(conn), deps, event, NOW)

    assert usecases.handle_scores(PostgresAlerts.on(conn), deps, event, NOW) == []
    later = scores(sho_station["code"], NOW + timedelta(minutes=5), 13, 8)
    usecases.handle_scores(PostgresAlerts.on(conn), deps, later, NOW + timedelta(minutes=5))

    [alert] = alerts(client, sho_station["code"])
    assert len(alert["deliveries"]) == 2
    assert alert["observed"]["part"] == 8


def test_the_database_refuses_a_second_open_alert_for_the_same_station_and_rule(
    conn, deps, sho_station
):
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )
    with pytest.raises(psycopg2.IntegrityError), db.transaction(conn) as cur:
        PostgresAlertsRepository(cur).insert_alert(
            uuid.uuid4(), sho_station["code"], "unresolved", "24h", {}, {}, {}, NOW
        )


def test_the_sho_gets_exactly_one_sms_and_one_email_in_both_languages(
    conn, deps, senders, notifier_config, gateway, mail, sho_station
):
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )

    deliver_all(conn, notifier_config, senders)

    [sms] = gateway.delivered_to(sho_station["sho_mobile"])
    assert "7 of the last 12 visitors said their problem was not solved" in sms.text
    assert "12 में से 7" in sms.text and sho_station["name_hi"] in sms.text
    assert sms.dlt_template_id == "T1" and sms.sender_id == "GGNPOL"
    assert sms.authorization == "Bearer sms-key"
    [email] = mail.to(sho_station["sho_email"])
    body = text_of(email)
    assert sho_station["name_en"] in email["Subject"]
    assert "http://notifier.test/alerts/" in body and "/ack?exp=" in body
    assert re.fullmatch(r"<[0-9a-f-]{36}@notifier\.pratikriya>", email["Message-ID"])
    for personal in ("Sunita", "mobile number:"):
        assert personal not in body and personal not in sms.text
    assert f"/stations/{sho_station['code']}" in body


def test_a_gateway_failing_for_a_while_then_recovering_delivers_the_sms_once(
    conn, deps, senders, notifier_config, gateway, client, sho_station
):
    gateway.fail_next(2)
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )

    deliver_all(conn, notifier_config, senders)

    assert len(gateway.received_for(sho_station["sho_mobile"])) == 3
    assert len(gateway.delivered_to(sho_station["sho_mobile"])) == 1
    [alert] = alerts(client, sho_station["code"])
    sms = next(d for d in alert["deliveries"] if d["channel"] == "sms")
    assert (sms["status"], sms["attempts"]) == ("sent", 3)


def test_a_delivery_that_finally_fails_is_visible_in_the_api_and_the_metrics(
    conn, deps, senders, notifier_config, gateway, client, sho_station
):
    gateway.fail_next(100, status=400)
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )

    deliver_all(conn, notifier_config, senders)

    [alert] = alerts(client, sho_station["code"])
    sms = next(d for d in alert["deliveries"] if d["channel"] == "sms")
    assert (sms["status"], sms["attempts"]) == ("failed", 1)
    assert "400" in sms["last_error"]
    metrics = client.get("/metrics").get_data(as_text=True)
    failed = [
        line
        for line in metrics.splitlines()
        if line.startswith('notifier_deliveries{channel="sms",outcome="failed"}')
    ]
    assert failed and float(failed[0].split()[-1]) >= 1
    assert 'notifier_alerts_raised_total{rule="unresolved"}' in metrics


def test_a_sender_that_dies_after_sending_resends_with_the_same_key_and_the_gateway_drops_it(
    conn, deps, senders, notifier_config, gateway, sho_station
):
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )
    with db.transaction(conn) as cur:  # claimed and sent, then the sender "dies"
        claimed = PostgresAlertsRepository(cur).claim_due(
            datetime.now(UTC), 10, timedelta(seconds=1)
        )
    sms = next(d for d in claimed if d.channel == "sms")
    senders.sms.send(Outgoing(sms.idempotency_key, "sms", sms.address, "", sms.body))

    deliver_all(conn, notifier_config, senders)

    sent = gateway.received_for(sho_station["sho_mobile"])
    assert len(sent) == 2 and sent[0].key == sent[1].key
    assert len(gateway.delivered_to(sho_station["sho_mobile"])) == 1


def test_without_acknowledgement_the_timer_escalates_to_the_acp_and_an_ack_stops_it(
    conn, deps, client, infra, sho_station
):
    code = sho_station["code"]

    def tick(at: datetime) -> list:  # other tests' alerts are open in the same database
        return [
            o for o in usecases.tick(PostgresAlerts.on(conn), deps, at) if o.station_code == code
        ]

    usecases.handle_scores(PostgresAlerts.on(conn), deps, scores(code, NOW, 12, 7), NOW)
    assert tick(NOW + timedelta(hours=1)) == []
    [escalated] = tick(NOW + timedelta(hours=2))
    assert escalated.action.value == "escalate"
    [alert] = alerts(client, sho_station["code"])
    assert alert["level"] == 1
    roles = sorted((d["recipient_role"], d["channel"]) for d in alert["deliveries"])
    assert roles == [("acp", "email"), ("acp", "sms"), ("sho", "email"), ("sho", "sms")]

    answer = client.post(f"/api/v1/alerts/{alert['id']}/ack")
    assert answer.status_code == 200 and answer.json["status"] == "acknowledged"
    assert alerts(client, sho_station["code"])[0]["acknowledged_by"] == "tests"
    assert tick(NOW + timedelta(hours=9)) == []


def test_acknowledging_through_the_api_needs_a_valid_token(
    conn, deps, client, notifier_config, sho_station
):
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )
    [alert] = alerts(client, sho_station["code"])
    anonymous = create_app(notifier_config).test_client()

    wrong = anonymous.post(
        f"/api/v1/alerts/{alert['id']}/ack", headers={"Authorization": "Bearer prk_x"}
    )
    missing = anonymous.post(f"/api/v1/alerts/{alert['id']}/ack")
    unknown = client.post(f"/api/v1/alerts/{uuid.uuid4()}/ack")

    assert wrong.status_code == missing.status_code == 401
    assert unknown.status_code == 404
    assert alerts(client, sho_station["code"])[0]["status"] == "open"


def test_the_link_in_the_email_acknowledges_only_when_its_button_is_pressed(
    conn, deps, senders, notifier_config, mail, client, sho_station
):
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )
    deliver_all(conn, notifier_config, senders)
    [email] = mail.to(sho_station["sho_email"])
    link = next(line for line in text_of(email).splitlines() if "/ack?" in line)
    path = link.removeprefix("http://notifier.test")
    phone = create_app(notifier_config).test_client()  # the link alone, no sign-in

    page = phone.get(path)
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    assert alerts(client, sho_station["code"])[0]["status"] == "open"
    exp, sig = path.split("exp=")[1].split("&sig=")
    forged = phone.post(path.split("?")[0], data={"exp": exp, "sig": sig[:-2] + "xx"})
    assert forged.status_code == 403
    pressed = phone.post(path.split("?")[0], data={"exp": exp, "sig": sig})
    assert pressed.status_code == 200
    [alert] = alerts(client, sho_station["code"])
    assert alert["status"] == "acknowledged" and alert["acknowledged_by"] == "signed link"


def test_an_alert_resolves_when_the_rate_is_back_to_normal_and_says_so(
    conn, deps, senders, notifier_config, gateway, client, sho_station
):
    usecases.handle_scores(
        PostgresAlerts.on(conn), deps, scores(sho_station["code"], NOW, 12, 7), NOW
    )
    normal = scores(sho_station["code"], NOW + timedelta(hours=1), 60, 6)

    [resolved] = usecases.handle_scores(
        PostgresAlerts.on(conn), deps, normal, NOW + timedelta(hours=1)
    )
    deliver_all(conn, notifier_config, senders)

    assert resolved.action.value == "resolve"
    [alert] = alerts(client, sho_station["code"])
    assert alert["status"] == "resolved" and alert["resolved_at"]
    texts = [s.text for s in gateway.delivered_to(sho_station["sho_mobile"])]
    assert len(texts) == 2 and "back to normal" in texts[1]
    assert alerts(client, sho_station["code"])[0]["id"] == alert["id"]
    assert client.get(f"/api/v1/alerts?station={sho_station['code']}&status=open").json == {
        "items": []
    }
