"""Officers on a station's page, and an admin's merge, in a real headless Chromium: feedback
naming officers in several spellings goes through Kafka and the consumer as in production;
the SHO reads the station's officer table, the admin merges two names, and the SHO's page
shows the figures that follow. Screenshots go to a folder in /tmp."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from shared import db
from shared.auth import Role
from shared.kafka_io import kafka_security
from shared.textkeys import officer_key
from shared.topics import FEEDBACK_TOPIC
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import get_json
from tests.integration.analytics.conftest import make_event
from tests.police import officer, sign_in_browser
from tests.support import create_station, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url
reader = fixtures.reader
SCREENSHOTS = Path(tempfile.gettempdir()) / "pratikriya-officers-screenshots"
# (typed, how many, stars); the service's minimum is ANALYTICS_OFFICER_MIN_COUNT's default, 5
TYPED = [
    ("SI Ramesh", 3, 4), ("Ramesh Kumar SI", 2, 5), ("रमेश", 1, 3), ("ramesh  kumar", 1, 2),
    ("Yogesh", 3, 2), ("Yogi", 2, 1), ("", 2, 5),
]  # fmt: skip
RAMESH_KUMAR, YOGESH, YOGI = officer_key("Ramesh Kumar"), officer_key("Yogesh"), officer_key("Yogi")


@pytest.fixture(scope="module")
def station(infra, analytics_url, reader):
    made = create_station(infra["DATABASE_URL"], zone="South")
    now = datetime.now(UTC)
    events = [
        make_event(made["code"], officer_name=name or None, rating=stars,
                   submitted_at=now - timedelta(hours=n + 1), complaint_type="theft",
                   problem_resolved=n % 2 == 0)
        for name, times, stars in TYPED for n in range(times)
    ]  # fmt: skip
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], acks="all", **kafka_security()
    )
    for event in events:
        producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()
    url = f"{analytics_url}/api/v1/stations/{made['code']}/scores"
    wait_until(lambda: get_json(url, reader)["windows"]["7d"]["count"] == len(events), 30)
    return made


@pytest.fixture
def context(browser):
    made = browser.new_context(viewport={"width": 1366, "height": 900}, locale="hi-IN")
    yield made
    made.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def officer_rows(page) -> dict[str, tuple[str, str]]:
    rows = page.locator("table.officers tbody tr")
    return {
        rows.nth(i).get_attribute("data-officer"): (
            rows.nth(i).locator("td.count").inner_text(),
            rows.nth(i).locator("td.avg").inner_text(),
        )
        for i in range(rows.count())
    }


def test_the_sho_reads_the_officers_and_the_admins_merge_moves_the_figures(
    browser, context, analytics_url, infra, station
):
    code = station["code"]
    sho_page = context.new_page()
    sho = officer(infra["DATABASE_URL"], Role.SHO, station_code=code)
    sign_in_browser(sho_page, analytics_url, sho, "")
    assert sho_page.url == f"{analytics_url}/stations/{code}"

    assert officer_rows(sho_page) == {RAMESH_KUMAR: ("7", "3.86")}
    ramesh = sho_page.locator(f'table.officers tr[data-officer="{RAMESH_KUMAR}"]')
    assert ramesh.locator("th").inner_text() == "SI Ramesh"
    # one spelling a name: "रमेश" is "Ramesh", as "SI Ramesh", typed more often
    assert ramesh.locator("td.names").inner_text() == "SI Ramesh · Ramesh Kumar SI"
    assert "2 more officers with fewer than 5 responses" in sho_page.content()
    theft = sho_page.locator('table.types tr[data-type="theft"]')
    assert theft.locator("td.count").inner_text() == "14"
    shoot(sho_page, "station-officers-sho")

    admin_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="hi-IN")
    try:
        admin_page = admin_context.new_page()
        admin = officer(infra["DATABASE_URL"], Role.ADMIN)
        sign_in_browser(admin_page, analytics_url, admin, f"/officers?station={code}")
        admin_page.goto(f"{analytics_url}/officers?station={code}")
        listed = admin_page.locator("table.officers tbody tr")
        assert {listed.nth(i).get_attribute("data-officer") for i in range(listed.count())} == {
            RAMESH_KUMAR,
            YOGESH,
            YOGI,
        }
        assert "3.86" not in admin_page.content()  # names only, no ratings
        admin_page.check(f'tr[data-officer="{YOGI}"] input[name=names]')
        admin_page.check(f'tr[data-officer="{YOGESH}"] input[name=into]')
        admin_page.get_by_role("button", name="चुने गए नाम मिलाएँ · Merge the chosen names").click()
        admin_page.wait_for_load_state()
        merged = admin_page.locator(f'tr[data-officer="{YOGESH}"] td.names').inner_text()
        assert "Yogesh" in merged and "Yogi" in merged
        assert admin_page.locator(f'tr[data-officer="{YOGI}"]').count() == 0
        shoot(admin_page, "officers-admin-merged")
    finally:
        admin_context.close()

    sho_page.reload()
    assert officer_rows(sho_page) == {RAMESH_KUMAR: ("7", "3.86"), YOGESH: ("5", "1.60")}
    assert "2 more officers" not in sho_page.content()
    shoot(sho_page, "station-officers-after-merge")
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT actor_name, details->>'into' FROM audit_log"
            " WHERE action = 'officer.merge' AND target = %s",
            (code,),
        )
        assert cur.fetchall() == [(admin.username, YOGESH)]
