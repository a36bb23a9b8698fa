"""The notifier's worker killed (SIGKILL) after the gateway took an SMS but before the
delivery was marked sent: restarted, it sends again with the same idempotency key, and the
gateway, which honours the key as real gateways do, does not deliver a second SMS.

This file runs after the other notifier tests on purpose: a killed consumer leaves the group
only when its session times out, which delays the scores of the next tests."""

from __future__ import annotations

import os
import signal

import pytest

from shared.scores import WindowStats
from tests.support import wait_until

pytestmark = pytest.mark.e2e


def test_a_notifier_killed_between_sending_and_marking_sends_no_second_sms(notifier, gateway):
    station = notifier.new_station()
    gateway.hold_answers()
    try:
        notifier.publish(station["code"], count=12, part=7, baseline=WindowStats(300, 0, 30, 30))
        wait_until(lambda: gateway.received_for(station["sho_mobile"]), timeout_s=20,
                   interval_s=0.02)  # fmt: skip
        pid = notifier.worker_pid()
        assert pid
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: notifier.worker_pid() is None, timeout_s=10)
    finally:
        gateway.release()
    [before] = notifier.alerts(station["code"])
    sms_row = next(d for d in before["deliveries"] if d["channel"] == "sms")
    assert sms_row["status"] == "pending"  # sent, but never marked

    notifier.restart_worker()

    def marked_sent():
        deliveries = notifier.alerts(station["code"])[0]["deliveries"]
        return next(d for d in deliveries if d["channel"] == "sms")["status"] == "sent"

    wait_until(marked_sent, timeout_s=30, interval_s=0.2)
    received = gateway.received_for(station["sho_mobile"])
    assert len(received) >= 2 and len({s.key for s in received}) == 1
    assert len(gateway.delivered_to(station["sho_mobile"])) == 1
