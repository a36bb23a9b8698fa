"""The read API and the dashboard over the real PostgreSQL and Redis, fed by the consumer:
what a client with the Commissioner's office's token sees, and what it is told when a data
source is down."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.auth import Role
from tests.integration.analytics.conftest import drain, make_event
from tests.police import bearer, token
from tests.support import create_station

pytestmark = pytest.mark.integration
CLOSED = "127.0.0.1:9"  # the discard port: nothing listens on it here


class Reader:
    """A test client that sends the Commissioner's office's token with every request."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)


@pytest.fixture(scope="module")
def commissioner_token(infra) -> dict[str, str]:
    return bearer(token(infra["DATABASE_URL"], Role.COMMISSIONER))


@pytest.fixture
def read_client(police_app, commissioner_token):
    return Reader(police_app.test_client(), commissioner_token)


def test_a_station_fed_by_the_consumer_is_scored_ranked_and_drawn_with_a_bar_the_csp_allows(
    infra, analytics_config, make_consumer, publish, clock, read_client
):
    station = create_station(infra["DATABASE_URL"], zone="West")
    ratings = [5, 5, 4, 4, 4, 3, 5, 4, 1, 5]  # ten: enough to be ranked
    publish(*(make_event(station["code"], rating=r, submitted_at=clock.now - timedelta(hours=1))
              for r in ratings))  # fmt: skip
    drain(make_consumer(), len(ratings))

    scores = read_client.get(f"/api/v1/stations/{station['code']}/scores").json
    ranking = read_client.get("/api/v1/rankings?window=24h&zone=west").json
    trend = read_client.get(f"/api/v1/stations/{station['code']}/trend?days=3").json
    dashboard = read_client.get("/?window=24h&zone=West")

    assert scores["windows"]["24h"]["count"] == 10
    assert scores["windows"]["24h"]["avg_rating"] == 4.0
    assert scores["windows"]["24h"]["low_rating_share"] == 0.1
    mine = [i for i in ranking["items"] if i["station_code"] == station["code"]]
    assert mine[0]["count"] == 10 and mine[0]["rank"] is not None
    assert {i["zone"] for i in ranking["items"]} == {"West"}
    assert len(trend["items"]) == 3 and sum(d["count"] for d in trend["items"]) == 10
    html = dashboard.get_data(as_text=True)
    assert dashboard.status_code == 200
    assert "style-src 'self'" in dashboard.headers["Content-Security-Policy"]
    assert "style=" not in html
    row = html.split(f'data-station="{station["code"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<svg class="bar"' in row
    page = read_client.get(f"/stations/{station['code']}?days=7")
    assert page.status_code == 200 and page.get_data(as_text=True).count('class="chart"') == 3


def test_an_unknown_station_is_404_and_a_bad_window_or_day_count_400(read_client):
    for url in (
        "/api/v1/stations/GGN-NOWHERE/scores",
        "/api/v1/stations/GGN-NOWHERE/trend",
        "/stations/GGN-NOWHERE",
    ):
        answer = read_client.get(url)
        assert (answer.status_code, answer.json) == (404, {"error": "no station GGN-NOWHERE"})
    assert read_client.get("/api/v1/rankings?window=1y").status_code == 400
    assert read_client.get("/?window=1y").status_code == 400
    assert read_client.get("/api/v1/stations/GGN-SADAR/trend?days=0").status_code == 400


@pytest.mark.parametrize(
    ("setting", "value", "url"),
    [
        ("DATABASE_URL", f"postgresql://pratikriya:x@{CLOSED}/pratikriya", "/api/v1/rankings"),
        ("REDIS_URL", f"redis://{CLOSED}/0", "/api/v1/rankings"),
        ("REDIS_URL", f"redis://{CLOSED}/0", "/"),
    ],
)
def test_with_a_data_source_down_the_answer_is_503_with_retry_after(
    infra, setting, value, url, commissioner_token
):
    from services.analytics.config import AnalyticsConfig
    from services.analytics.entrypoints.http import create_app
    from shared.auth import gate_from_env

    # The sign-in store stays on the working database: only the data source is down.
    app = create_app(AnalyticsConfig.from_env({**infra, setting: value}),
                     gate=gate_from_env(infra["DATABASE_URL"]))  # fmt: skip

    answer = app.test_client().get(url, headers=commissioner_token)

    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert "retry" in answer.json["error"]
