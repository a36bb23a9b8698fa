"""Intake and the QR service running under gunicorn, as ./pratikriya up starts them: a
station added through the API opens its form without a restart, and a rotated or
deactivated code is refused within the bound (60 s; through the stations topic it takes
about a second)."""

from __future__ import annotations

import json
import time

import pytest

from services.intake.stations import StationDirectory, load_stations
from shared.stations_feed import StationsFeed
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


def test_a_directory_fed_by_the_topic_sees_a_rotation_without_reading_postgres_again(
    infra, qr_client, auth
):
    body = new_station()
    qr_client.post("/api/v1/stations", json=body, headers=auth)
    loads = []

    def load():
        loads.append(1)
        return load_stations(infra["DATABASE_URL"])

    feed = StationsFeed(infra["KAFKA_BOOTSTRAP_SERVERS"], client_id="test-directory")
    directory = StationDirectory(load, refresh_s=3600, miss_reload_s=3600, feed=feed)
    try:
        assert directory.get(body["code"]).qr_version == 1
        assert feed.wait_caught_up(30)

        qr_client.post(
            f"/api/v1/stations/{body['code']}/qr/rotate", json={"reason": "t"}, headers=auth
        )

        wait_until(lambda: directory.get(body["code"]).qr_version == 2, timeout_s=15)
        assert len(loads) == 1
    finally:
        feed.stop()
