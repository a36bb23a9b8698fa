"""Scenario 6: the whole chain from a visitor's feedback (intake -> Kafka -> analytics ->
station.scores -> notifier -> SMS gateway), and the notifier's worker killed (SIGKILL) after
the gateway took the SHO's SMS but before the worker marked it sent. Restarted, the worker
sends it again under the same idempotency key, and the gateway (the stand-in of the notifier's
end-to-end tests, which honours the key as real gateways do) delivers it once: the SHO gets
exactly one SMS. The feedback behind it was counted once as well."""

from __future__ import annotations

import time

import pytest
import requests

from shared.auth import Role
from tests import police
from tests.faults.harness import IntakeLoad, assert_accepted_is_counted, stations_known_to_intake
from tests.support import feedback_body, wait_until

pytestmark = pytest.mark.e2e


def test_a_notifier_killed_between_the_sms_and_marking_it_sent_still_tells_the_sho_once(
    pipeline, infra, notifier, gateway, signing_key
):
    station = notifier.new_station()
    code, sho = station["code"], station["sho_mobile"]
    # The alerts API is the police's: read it as the Commissioner's office would.
    commissioner = police.bearer(police.token(infra["DATABASE_URL"], Role.COMMISSIONER))

    def alerts() -> list[dict]:
        answer = requests.get(f"{notifier.url}/api/v1/alerts", params={"station": code},
                              headers=commissioner, timeout=10)  # fmt: skip
        answer.raise_for_status()
        return answer.json()["items"]

    stations_known_to_intake(pipeline.intake_url, [station], signing_key)
    # 3 of 3 visitors say their problem was not solved: a new station spikes (the rules of
    # tests/e2e/notifier/notifier_e2e.toml).
    bodies = [
        feedback_body(station, signing_key, rating=rating, problem_resolved=False)
        for rating in (4, 2, 5)
    ]

    started = time.monotonic()
    gateway.hold_answers()
    try:
        load = IntakeLoad(pipeline.intake_url, bodies, threads=1).start()
        load.join()
        wait_until(lambda: gateway.received_for(sho), timeout_s=30, interval_s=0.02)
        sms_at = time.monotonic()
        pid = notifier.worker_pid()
        assert pid
        pipeline.kill("notifier-worker")
    finally:
        gateway.release()
    [alert] = alerts()
    assert next(d for d in alert["deliveries"] if d["channel"] == "sms")["status"] == "pending"

    notifier.restart_worker()

    def marked_sent() -> bool:
        deliveries = alerts()[0]["deliveries"]
        return next(d for d in deliveries if d["channel"] == "sms")["status"] == "sent"

    wait_until(marked_sent, timeout_s=40, interval_s=0.2)
    received = gateway.received_for(sho)
    assert len(received) >= 2 and len({s.key for s in received}) == 1  # sent twice, one key
    assert len(gateway.delivered_to(sho)) == 1  # delivered once
    assert load.unexpected == [] and len(load.accepted) == 3
    assert_accepted_is_counted(infra, load.accepted_ids, [code])
    print(
        f"\nscenario 6: 3 feedback -> SMS at the gateway {sms_at - started:.1f} s after the "
        f"first POST; worker killed, restarted; SMS requests {len(received)}, delivered 1; "
        f"{time.monotonic() - started:.1f} s in all"
    )
