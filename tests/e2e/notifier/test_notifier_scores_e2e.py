"""The running notifier (gunicorn app and worker) fed scores events on Kafka, telling real
HTTP and SMTP servers. The full chain from intake is in test_notifier_from_intake.py."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from shared.scores import WindowStats
from tests.e2e.notifier.conftest import EAST_ACP
from tests.integration.notifier.notifier_standins import text_of
from tests.support import wait_until

pytestmark = pytest.mark.e2e
USUAL = WindowStats(count=300, unresolved=30)


def test_a_spike_tells_the_sho_once_by_sms_and_email_and_without_ack_the_acp(
    notifier, gateway, mail
):
    station = notifier.new_station()
    notifier.publish(station["code"], count=12, part=7, baseline=USUAL)

    [sms] = wait_until(lambda: gateway.delivered_to(station["sho_mobile"]), timeout_s=20)
    [email] = wait_until(lambda: mail.to(station["sho_email"]), timeout_s=20)
    assert "7 of the last 12 visitors said their problem was not solved" in sms.text
    assert "usual: 1 in 10" in sms.text and "सामान्य: 10 में 1" in sms.text
    assert station["name_hi"] in sms.text and station["name_en"] in sms.text
    assert f"/stations/{station['code']}" in sms.text
    assert sms.dlt_template_id == "1107000000000000001"
    assert "/ack?exp=" in text_of(email) and station["name_hi"] in email["Subject"]

    # A little more of the same within the cooldown: seen, but nobody is told again.
    notifier.publish(station["code"], count=14, part=8, baseline=USUAL)
    wait_until(lambda: notifier.alerts(station["code"])[0]["observed"]["part"] == 8)
    # Nobody acknowledges: after 4 s (the test rules) the zone's ACP is told.
    acp = wait_until(
        lambda: [s for s in gateway.delivered_to(EAST_ACP["mobile"]) if station["code"] in s.text],
        timeout_s=20,
    )
    wait_until(lambda: [m for m in mail.to(EAST_ACP["email"]) if station["code"] in text_of(m)])

    assert len(acp) == 1 and "ESCALATED" in acp[0].text
    assert len(gateway.delivered_to(station["sho_mobile"])) == 1
    assert len(mail.to(station["sho_email"])) == 1
    [alert] = notifier.alerts(station["code"])
    assert alert["level"] == 1 and alert["status"] == "open"


def test_the_acknowledge_link_in_the_email_stops_the_escalation(notifier, gateway, mail):
    acked, ignored = notifier.new_station(), notifier.new_station()
    for station in (acked, ignored):
        notifier.publish(station["code"], count=12, part=7, baseline=USUAL)
    [email] = wait_until(lambda: mail.to(acked["sho_email"]), timeout_s=20)
    link = next(line for line in text_of(email).splitlines() if "/ack?" in line)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    ack_url = f"{notifier.url}{urllib.parse.urlsplit(link).path}"

    with urllib.request.urlopen(f"{ack_url}?{urllib.parse.urlsplit(link).query}") as page:  # noqa: S310
        assert "<form" in page.read().decode()
    form = urllib.parse.urlencode({"exp": query["exp"][0], "sig": query["sig"][0]}).encode()
    with urllib.request.urlopen(ack_url, data=form) as pressed:  # noqa: S310
        assert pressed.status == 200

    assert notifier.alerts(acked["code"])[0]["status"] == "acknowledged"
    wait_until(  # the unacknowledged one escalates: the acknowledged one would have by now
        lambda: [s for s in gateway.delivered_to(EAST_ACP["mobile"]) if ignored["code"] in s.text],
        timeout_s=20,
    )
    assert not [s for s in gateway.delivered_to(EAST_ACP["mobile"]) if acked["code"] in s.text]
    assert notifier.alerts(acked["code"])[0]["level"] == 0


def test_a_gateway_failing_for_a_while_then_recovering_delivers_the_alert_once(notifier, gateway):
    station = notifier.new_station()
    gateway.fail_next(3)
    notifier.publish(station["code"], count=12, part=7, baseline=USUAL)

    wait_until(lambda: gateway.delivered_to(station["sho_mobile"]), timeout_s=30)

    def sms_delivery():
        deliveries = notifier.alerts(station["code"])[0]["deliveries"]
        return next(d for d in deliveries if d["channel"] == "sms" and d["status"] == "sent")

    assert wait_until(sms_delivery)["attempts"] >= 1
    assert len(gateway.delivered_to(station["sho_mobile"])) == 1
    received = gateway.received_for(station["sho_mobile"])
    assert len({s.key for s in received}) == 1


def test_the_api_lists_alerts_by_station_and_status_and_metrics_count_them(notifier):
    station = notifier.new_station()
    notifier.publish(station["code"], count=12, part=7, baseline=USUAL)
    wait_until(lambda: notifier.alerts(station["code"]), timeout_s=20)

    from tests.e2e.notifier.conftest import get_json

    query = f"{notifier.url}/api/v1/alerts?station={station['code']}"
    opened = get_json(f"{query}&status=open", notifier.token)
    resolved = get_json(f"{query}&status=resolved", notifier.token)
    assert [a["rule"] for a in opened["items"]] == ["unresolved"]
    assert resolved["items"] == []
    with urllib.request.urlopen(f"{notifier.url}/metrics") as answer:  # noqa: S310
        metrics = answer.read().decode()
    assert 'notifier_alerts_raised_total{rule="unresolved"}' in metrics
    assert 'notifier_deliveries{channel="sms",outcome="sent"}' in metrics
    assert "notifier_consumer_lag" in metrics
    ready = get_json(f"{notifier.url}/readyz")
    assert ready["status"] == "ready"
