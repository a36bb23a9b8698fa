"""Fixtures for the analytics end-to-end tests, imported by name in each test module (not a
conftest: the test folders are not packages, so two conftest.py files would clash). Intake,
analytics and the analytics consumer run as in production (gunicorn and ``python -m``),
started once for the session through ops.services."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.support import create_station, feedback_body, wait_until


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our own http URL
        return json.loads(answer.read())


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own http URL
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status, json.loads(answer.read())


def post_feedback(intake_url: str, body: dict) -> dict:
    """POST until intake accepts: a running intake learns of a new station from the stations
    topic (within INTAKE_STATION_MAX_LAG_S), answering 404 until then."""

    def attempt():
        try:
            return post_json(f"{intake_url}/api/v1/feedback", body)[1]
        except urllib.error.HTTPError as refused:
            if refused.code != 404:
                raise
            return None

    return wait_until(attempt, timeout_s=45, interval_s=0.5)


def count_24h(analytics_url: str, code: str) -> int:
    return get_json(f"{analytics_url}/api/v1/stations/{code}/scores")["windows"]["24h"]["count"]


@pytest.fixture(scope="session")
def analytics_url(stack_config, infra, intake_url, signing_key) -> str:
    """The analytics service and its consumer, with the consumer caught up: one feedback
    posted to intake has come through before any test measures anything."""
    from ops import services

    port = services.start_service(stack_config, "analytics", infra)
    services.start_worker(stack_config, "analytics-consumer", infra)
    url = f"http://127.0.0.1:{port}"
    warm = create_station(infra["DATABASE_URL"])
    post_feedback(intake_url, feedback_body(warm, signing_key))
    wait_until(lambda: count_24h(url, warm["code"]) == 1, timeout_s=60, interval_s=0.2)
    return url
