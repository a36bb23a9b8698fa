"""Intake and the QR service running under gunicorn, as ./pratikriya up starts them: a
station added through the API opens its form without a restart, and a rotated or
deactivated code is refused within the bound (60 s; through the stations topic it takes
about a second)."""

from __future__ import annotations

import json
import time

import pytest

from services.intake.adapters.stations import StationDirectory
from shared.stations_reader import StationsFeed
from tests.integration.qr.support import http, new_station
from tests.support import wait_until

pytestmark = pytest.mark.integration
BOUND_S = 60.0


def status(url: str) -> int:
    return http("GET", url)[0]


def test_intake_opens_a_new_station_and_refuses_its_rotated_then_deactivated_code_in_time(
    running, admin_token
):
    qr, intake = running["qr"], running["intake"]
    body = new_station()
    code = body["code"]
    created = http("POST", f"{qr}/api/v1/stations", body, admin_token)
    assert created[0] == 201
    first = json.loads(http("GET", f"{qr}/api/v1/stations/{code}/qr-url")[2])["url"]
    assert first.startswith(intake)

    started = time.monotonic()
    wait_until(lambda: status(first) == 200, timeout_s=BOUND_S, interval_s=0.2)
    opened_after = time.monotonic() - started

    rotation = http(
        "POST", f"{qr}/api/v1/stations/{code}/qr/rotate", {"reason": "test"}, admin_token
    )
    assert rotation[0] == 200
    second = json.loads(rotation[2])["qr_url"]
    started = time.monotonic()
    wait_until(lambda: status(first) == 410 and status(second) == 200, BOUND_S, 0.2)
    rotated_after = time.monotonic() - started

    assert http("DELETE", f"{qr}/api/v1/stations/{code}", token=admin_token)[0] == 200
    started = time.monotonic()
    wait_until(lambda: status(second) == 410, BOUND_S, 0.2)
    deactivated_after = time.monotonic() - started

    print(f"new station {opened_after:.1f}s, rotation {rotated_after:.1f}s, "
          f"deactivation {deactivated_after:.1f}s")  # fmt: skip
    assert max(opened_after, rotated_after, deactivated_after) < BOUND_S


def test_a_directory_fed_by_the_topic_sees_a_rotation_without_reading_to_the_end_itself(
    infra, qr_client, auth
):
    body = new_station()
    qr_client.post("/api/v1/stations", json=body, headers=auth)
    feed = StationsFeed(infra["KAFKA_BOOTSTRAP_SERVERS"], client_id="test-directory")
    # A lag bound of an hour: only the reader thread brings changes, no request waits.
    directory = StationDirectory(feed, max_lag_s=3600, first_read_s=30)
    try:
        assert directory.get(body["code"]).qr_version == 1

        qr_client.post(
            f"/api/v1/stations/{body['code']}/qr/rotate", json={"reason": "t"}, headers=auth
        )

        wait_until(lambda: directory.get(body["code"]).qr_version == 2, timeout_s=15)
    finally:
        directory.close()


def test_a_directory_that_may_not_lag_sees_an_acknowledged_change_on_its_next_answer(
    infra, qr_client, auth
):
    body = new_station()
    feed = StationsFeed(infra["KAFKA_BOOTSTRAP_SERVERS"], client_id="test-directory-sync")
    directory = StationDirectory(feed, max_lag_s=0.0, first_read_s=30, sync_timeout_s=10)
    try:
        assert directory.ready()
        assert directory.get(body["code"]) is None

        created = qr_client.post("/api/v1/stations", json=body, headers=auth)
        assert created.status_code == 201
        assert directory.get(body["code"]).qr_version == 1
        qr_client.post(
            f"/api/v1/stations/{body['code']}/qr/rotate", json={"reason": "t"}, headers=auth
        )
        assert directory.get(body["code"]).qr_version == 2
        qr_client.delete(f"/api/v1/stations/{body['code']}", headers=auth)
        assert directory.get(body["code"]).active is False
    finally:
        directory.close()
