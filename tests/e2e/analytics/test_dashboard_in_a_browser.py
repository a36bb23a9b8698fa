"""The Commissioner's dashboard in a real headless Chromium: the ranking with a station's
feedback, its page with three charts drawn, and screenshots to look at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from shared.topics import FEEDBACK_TOPIC
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import (
    count_24h,
    get_json,
)
from tests.integration.analytics.conftest import make_event
from tests.support import create_station, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url  # the session fixture, shared by both modules
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".data" / "test-screenshots"


@pytest.fixture
def busy_station(infra, analytics_url):
    """A station with a month of feedback (published as intake would have, days ago)."""
    station = create_station(infra["DATABASE_URL"], zone="West")
    now = datetime.now(UTC)
    events = []
    for day in range(30):
        for n in range(1 + day % 4):
            rating = 1 + (day + n) % 5 if day > 15 else 2 + (n + day) % 4
            events.append(make_event(
                station["code"], rating=rating, submitted_at=now - timedelta(days=day, hours=n),
                problem_resolved=(day + n) % 3 != 0,
                comments=f"दिन {day}: थाने में अनुभव · visit {n}",
            ))  # fmt: skip
    producer = KafkaProducer(bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    for event in events:
        producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()
    url = f"{analytics_url}/api/v1/stations/{station['code']}/scores"
    wait_until(lambda: get_json(url)["windows"]["30d"]["count"] == len(events), timeout_s=20)
    assert count_24h(analytics_url, station["code"]) >= 1
    return station, len(events)


def test_the_dashboard_ranks_the_station_and_its_page_draws_three_charts(
    browser,
    analytics_url,
    busy_station,
):
    station, total = busy_station
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{analytics_url}/?window=30d&zone=West")
    row = page.locator(f'tr[data-station="{station["code"]}"]')
    assert row.locator("td.rank").inner_text().isdigit()
    assert row.locator("td.count").inner_text().startswith(str(total))
    assert "थानों की रैंकिंग" in page.content() and "Police stations ranked" in page.content()
    zones = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert set(zones) == {"West"}
    page.screenshot(path=str(SCREENSHOTS / "analytics-dashboard.png"), full_page=True)

    row.locator("a").click()
    page.wait_for_load_state()
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 80
        assert charts.nth(i).locator("polyline").count() >= 1
        assert charts.nth(i).locator("circle").count() >= 20
    assert page.locator("ul.comments li").count() == 10
    assert "Sunita" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "analytics-station.png"), full_page=True)
    page.close()
