"""Fixtures for the analytics end-to-end tests, imported by name in each test module (not a
conftest: the test folders are not packages, so two conftest.py files would clash). Intake,
analytics and the analytics consumer run as in production (gunicorn and ``python -m``),
started once for the session through ops.services. The read API needs a police token:
``reader`` is the Commissioner's office's."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from shared.auth import Role
from tests.police import bearer, token
from tests.support import create_station, feedback_body, wait_until


def get_json(url: str, headers: dict[str, str]):
    """GET ``url`` as JSON with ``headers`` (a police token's Authorization)."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own http URL
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
        return json.loads(answer.read())


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own http URL
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status, json.loads(answer.read())


def post_feedback(intake_url: str, body: dict) -> dict:
    """POST until intake accepts: a running intake learns of a new station from the stations
    topic (within INTAKE_STATION_MAX_LAG_S), answering 404 until then, and 503 (with
    Retry-After) while it has not read that topic to its end since it started."""

    def attempt():
        try:
            return post_json(f"{intake_url}/api/v1/feedback", body)[1]
        except urllib.error.HTTPError as refused:
            if refused.code not in (404, 503):
                raise
            return None

    return wait_until(attempt, timeout_s=45, interval_s=0.5)


def count_24h(analytics_url: str, code: str, headers: dict[str, str]) -> int:
    scores = get_json(f"{analytics_url}/api/v1/stations/{code}/scores", headers)
    return scores["windows"]["24h"]["count"]


@pytest.fixture(scope="session")
def reader(infra) -> dict[str, str]:
    """The Authorization header of a commissioner's token (every station, no identities)."""
    return bearer(token(infra["DATABASE_URL"], Role.COMMISSIONER))


@pytest.fixture(scope="session")
def analytics_url(stack_config, infra, intake_url, signing_key, reader) -> str:
    """The analytics service (a fresh process, so it runs this checkout's code) and its
    consumer, with the consumer caught up: one feedback posted to intake has come through
    before any test measures anything."""
    from ops import services

    services.stop_service(stack_config, "analytics")
    port = services.start_service(stack_config, "analytics", infra)
    services.start_worker(stack_config, "analytics-consumer", infra)
    url = f"http://127.0.0.1:{port}"
    warm = create_station(infra["DATABASE_URL"])
    post_feedback(intake_url, feedback_body(warm, signing_key))
    wait_until(lambda: count_24h(url, warm["code"], reader) == 1, timeout_s=60, interval_s=0.2)
    return url
