"""Analytics' police pages in a real headless Chromium, a test per role: each person signs
in through /login, lands on their own page and works through it. Every service part runs as
in production (gunicorn, the consumer as a worker); feedback is published as intake would
have published it, some of it days ago. Screenshots of the pages go to a folder in /tmp."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from shared.auth import Role
from shared.kafka_io import kafka_security
from shared.masking import PHONE_HIDDEN
from shared.topics import FEEDBACK_TOPIC
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import get_json
from tests.integration.analytics.conftest import make_event
from tests.police import officer, sign_in_browser
from tests.support import create_station, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url  # the session fixtures, shared by the modules
reader = fixtures.reader
SCREENSHOTS = Path(tempfile.gettempdir()) / "pratikriya-analytics-screenshots"
TYPED_NUMBER = "98765 43210"
REASON = "वापस कॉल: visitor asked about the theft complaint"


def busy_station(infra, zone: str):
    """A station with a month of feedback; the newest feedback's words carry a phone
    number. (station, events)"""
    station = create_station(infra["DATABASE_URL"], zone=zone)
    now = datetime.now(UTC)
    events = []
    for day in range(30):
        for n in range(1 + day % 4):
            rating = 1 + (day + n) % 5 if day > 15 else 2 + (n + day) % 4
            words = f"दिन {day}: थाने में अनुभव · visit {n}"
            if n == 0:
                words += f", मुझे {TYPED_NUMBER} पर कॉल करें"
            events.append(make_event(
                station["code"], rating=rating, submitted_at=now - timedelta(days=day, hours=n),
                problem_resolved=(day + n) % 3 != 0, comments=words,
            ))  # fmt: skip
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], acks="all", **kafka_security()
    )
    for event in events:
        producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()
    return station, events


@pytest.fixture(scope="module")
def stations(infra, analytics_url, reader):
    """A busy station in the East zone and one in the West, their feedback counted."""
    made = {zone: busy_station(infra, zone) for zone in ("East", "West")}

    def counted() -> bool:
        return all(
            get_json(f"{analytics_url}/api/v1/stations/{s['code']}/scores", reader)["windows"][
                "30d"
            ]["count"]
            == len(events)
            for s, events in made.values()
        )

    wait_until(counted, timeout_s=30)
    return made


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN")
    yield context.new_page()
    context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def zones_listed(page) -> set[str]:
    return set(page.locator("tbody tr[data-station] td:nth-child(3)").all_inner_texts())


def assert_station_page_shown(page, station, events) -> None:
    """The station's page: three charts drawn, its latest comments with the typed number
    hidden and no visitor's name or number anywhere."""
    assert station["name_en"] in page.locator("h1").inner_text()
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 80
        assert charts.nth(i).locator("polyline").count() >= 1
        assert charts.nth(i).locator("circle").count() >= 20
    comments = page.locator("ul.comments li")
    assert comments.count() == 10
    assert PHONE_HIDDEN in comments.first.inner_text()
    content = page.content()
    assert TYPED_NUMBER not in content and "Sunita" not in content
    assert not any(event.mobile[3:] in content for event in events)


def test_the_commissioner_opens_the_ranking_of_every_zone_a_zone_and_a_station(
    browser, desktop, analytics_url, infra, stations
):
    page = desktop
    who = officer(infra["DATABASE_URL"], Role.COMMISSIONER)
    west, west_events = stations["West"]

    sign_in_browser(page, analytics_url, who, "")

    assert page.url == f"{analytics_url}/"
    bar = page.locator("nav.police-bar").inner_text()
    assert who.username in bar and "Commissioner's office" in bar and "all stations" in bar
    assert "थानों की रैंकिंग" in page.content() and "Police stations ranked" in page.content()
    assert {"East", "West", "South", "Manesar"} <= zones_listed(page)
    for station, events in stations.values():
        row = page.locator(f'tr[data-station="{station["code"]}"]')
        assert row.locator("td.rank").inner_text().isdigit()
        assert row.locator("td.count").inner_text().startswith(str(len(events)))
    shoot(page, "dashboard-commissioner")

    page.select_option("select[name=zone]", "West")
    page.click("form.filters button")
    page.wait_for_load_state()
    assert zones_listed(page) == {"West"}

    page.locator(f'tr[data-station="{west["code"]}"] a').click()
    page.wait_for_load_state()
    assert_station_page_shown(page, west, west_events)
    assert "Show name and number" not in page.content()

    page.get_by_role("link", name="ऑडिट · Audit log").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "ऑडिट लॉग · Audit log"
    newest_login = page.locator('tr[data-action="login"]').first
    assert who.username in newest_login.inner_text()


def test_the_feedback_cell_reveals_one_visitor_with_a_reason_and_the_audit_log_shows_it(
    browser, desktop, analytics_url, infra, stations
):
    page = desktop
    who = officer(infra["DATABASE_URL"], Role.FEEDBACK_CELL)
    east, events = stations["East"]
    newest = max(events, key=lambda e: e.submitted_at)

    sign_in_browser(page, analytics_url, who, "")
    assert page.url == f"{analytics_url}/"
    page.locator(f'tr[data-station="{east["code"]}"] a').click()
    page.wait_for_load_state()
    assert_station_page_shown(page, east, events)
    first = page.locator("ul.comments li").first
    assert first.get_attribute("data-event") == str(newest.event_id)
    first.locator("summary").click()
    shoot(page, "station-feedback-cell")

    first.locator("select[name=purpose]").select_option("callback")
    first.locator("input[name=reason]").fill(REASON)
    first.get_by_role("button", name="नाम और नंबर देखें · Show name and number").click()
    page.wait_for_load_state()

    identity = page.locator("dl.identity").inner_text()
    assert newest.name in identity
    assert f"{newest.mobile[:3]} {newest.mobile[3:8]} {newest.mobile[8:]}" in identity
    assert page.locator(f'a[href="tel:{newest.mobile}"]').count() == 1
    assert "ऑडिट लॉग में दर्ज" in page.locator("p.recorded").inner_text()
    shoot(page, "identity-feedback-cell")

    page.get_by_role("link", name="ऑडिट · Audit log").click()
    page.wait_for_load_state()
    page.select_option("select[name=action]", "identity.view")
    page.click("form.filters button")
    page.wait_for_load_state()
    row = page.locator('tr[data-action="identity.view"]').first
    assert row.locator("td.target").inner_text() == str(newest.event_id)
    assert row.locator("td.reason").inner_text() == REASON
    assert who.username in row.inner_text()
    assert newest.name not in page.content() and newest.mobile[3:] not in page.content()
    shoot(page, "audit-feedback-cell")


@pytest.mark.parametrize(("role", "zone", "other"), [(Role.DCP, "East", "West"),
                                                     (Role.ACP, "West", "East")])  # fmt: skip
def test_a_dcp_or_an_acp_lands_on_their_zone_and_is_refused_the_others(
    browser, desktop, analytics_url, infra, stations, role, zone, other
):
    page = desktop
    who = officer(infra["DATABASE_URL"], role, zone=zone)
    mine, my_events = stations[zone]
    theirs, _ = stations[other]

    sign_in_browser(page, analytics_url, who, "")

    assert page.url == f"{analytics_url}/?zone={zone}"
    assert f"{zone} zone" in page.locator("nav.police-bar").inner_text()
    assert zones_listed(page) == {zone}
    assert page.locator(f'tr[data-station="{mine["code"]}"]').count() == 1
    assert page.locator(f'tr[data-station="{theirs["code"]}"]').count() == 0
    options = page.locator("select[name=zone] option").all_inner_texts()
    assert len(options) == 1 and zone in options[0]
    for url in (f"{analytics_url}/?zone={other}", f"{analytics_url}/stations/{theirs['code']}"):
        refused = page.goto(url)
        assert refused is not None and refused.status == 403, url
        assert "अनुमति नहीं" in page.content()

    page.goto(f"{analytics_url}/")
    page.locator(f'tr[data-station="{mine["code"]}"] a').click()
    page.wait_for_load_state()
    assert_station_page_shown(page, mine, my_events)


def test_an_sho_lands_on_their_station_and_is_refused_another(
    browser, desktop, analytics_url, infra, stations
):
    page = desktop
    own, events = stations["East"]
    other, _ = stations["West"]
    who = officer(infra["DATABASE_URL"], Role.SHO, station_code=own["code"])

    sign_in_browser(page, analytics_url, who, "")

    assert page.url == f"{analytics_url}/stations/{own['code']}"
    bar = page.locator("nav.police-bar").inner_text()
    assert "Station House Officer (SHO)" in bar and own["code"] in bar
    assert_station_page_shown(page, own, events)
    assert page.get_by_role("link", name="← रैंकिंग · Ranking").count() == 0
    refused = page.goto(f"{analytics_url}/stations/{other['code']}")
    assert refused is not None and refused.status == 403
    assert f"{own['code']}, not {other['code']}" in page.content()
    page.goto(f"{analytics_url}/")
    assert page.url == f"{analytics_url}/stations/{own['code']}"
