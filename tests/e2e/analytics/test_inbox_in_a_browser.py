"""The inbox in a real headless Chromium, a test per role, every service part running as
in production (gunicorn under its own database role, the consumer as a worker): feedback
is published as intake publishes it (sealed names and numbers), alerts stored as the
notifier stores them. An SHO reads their station's feedback, filters it, opens one and
records the action taken, on it and on an alert; the feedback cell reveals a visitor's
name and number with a reason and marks the call back; nobody sees another station's.

Screenshots at 1366 px go to /tmp/pratikriya-inbox-screenshots (inbox.png, item.png ...):
``./pratikriya test tests/e2e/analytics/test_inbox_in_a_browser.py``.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from shared.auth import Role
from shared.india import INDIA
from shared.kafka_io import kafka_security
from shared.masking import PHONE_HIDDEN
from shared.topics import FEEDBACK_TOPIC
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import get_json
from tests.integration.analytics.conftest import make_event
from tests.integration.analytics.inbox_data import audit_lines, put_alert
from tests.police import officer, sign_in_browser
from tests.support import create_station, wait_until

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url  # the session fixtures, shared by the modules
reader = fixtures.reader
SCREENSHOTS = Path(tempfile.gettempdir()) / "pratikriya-inbox-screenshots"
# (stars, resolved, helped, type, officer, language, words): what visitors write, in Hindi,
# English and Hinglish.
VISITS = [
    (1, False, False, "cyber_fraud", "SI Ramesh", "hi",
     "साइबर ठगी के 40,000 रुपये की शिकायत दी, IO फ़ोन नहीं उठाते। मुझे 98765 43210 पर कॉल करें"),
    (2, False, True, "vehicle_theft", "HC Yadav", "en",
     "Bike chori ki FIR likhne mein 3 ghante lage, abhi tak koi update nahi"),
    (5, True, True, "verification", None, "hi", "पासपोर्ट सत्यापन उसी दिन हो गया, धन्यवाद"),
    (4, True, True, "lost_article", "ASI Sunil", "en",
     "Staff was polite and gave me the lost-article report within an hour."),
    (2, False, False, "women_safety", None, "hi",
     "महिला हेल्प डेस्क पर कोई नहीं था, दो बार आना पड़ा"),
    (3, True, False, "traffic", "Inspector Mehta", "en",
     "Challan sahi tha par counter pe koi sunne wala nahi tha"),
    (5, True, True, "theft", "SI Ramesh Kumar", "hi", "बहुत अच्छा व्यवहार, SHO साहब ने खुद बात की"),
    (1, False, False, "assault", None, "en",
     "The duty officer asked me to come back tomorrow without any reason."),
]  # fmt: skip


def publish(infra, events) -> None:
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], acks="all", **kafka_security()
    )
    for event in events:
        producer.send(FEEDBACK_TOPIC, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()


@pytest.fixture(scope="module")
def inbox(infra, analytics_url, reader):
    """A station of the East zone with eight feedback of the last days, and a neighbour
    with one; both counted into PostgreSQL by the consumer."""
    url = infra["DATABASE_URL"]
    mine = create_station(url, zone="East", name_en="Sector 29", name_hi="सेक्टर 29")
    neighbour = create_station(url, zone="East")
    now = datetime.now(UTC)
    events = [
        make_event(mine["code"], rating=stars, problem_resolved=resolved, staff_helped=helped,
                   complaint_type=kind, officer_name=named, language=language, comments=words,
                   submitted_at=now - timedelta(hours=5 * n + 1),
                   complaint_date=date.today() - timedelta(days=n + 1))
        for n, (stars, resolved, helped, kind, named, language, words) in enumerate(VISITS)
    ]  # fmt: skip
    theirs = make_event(neighbour["code"], comments="पड़ोसी थाने की शिकायत · the neighbour's")
    publish(infra, [*events, theirs])

    def counted() -> bool:
        found = get_json(f"{analytics_url}/api/v1/inbox?station={mine['code']}", reader)
        other = get_json(f"{analytics_url}/api/v1/inbox?station={neighbour['code']}", reader)
        return len(found["items"]) == len(events) and len(other["items"]) == 1

    wait_until(counted, timeout_s=60)
    return {"mine": mine, "neighbour": neighbour, "events": events, "theirs": theirs}


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="hi-IN")
    yield context.new_page()
    context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def listed(page) -> list[str]:
    return [r.get_attribute("data-event") or "" for r in page.locator("tr[data-event]").all()]


def test_an_sho_reads_their_inbox_filters_opens_one_and_records_the_action_taken(
    desktop, analytics_url, infra, inbox
):
    page = desktop
    mine, events = inbox["mine"], inbox["events"]
    url = infra["DATABASE_URL"]
    alert = put_alert(url, mine["code"])
    sho = officer(url, Role.SHO, station_code=mine["code"])
    sign_in_browser(page, analytics_url, sho, "")

    page.get_by_role("link", name="इनबॉक्स · Inbox").click()
    page.wait_for_load_state()
    assert listed(page) == [str(e.event_id) for e in events]
    content = page.content()
    assert PHONE_HIDDEN in content and "98765 43210" not in content
    assert inbox["theirs"].comments not in content
    assert all(e.name not in content and e.mobile[3:] not in content for e in events)
    assert page.locator("select[name=station]").count() == 0  # one station: no choice
    shoot(page, "inbox")

    page.fill("input[name=text]", "shikayat")  # Hinglish for शिकायत, which the visitor wrote
    page.click("form.inbox-filters button")
    page.wait_for_load_state()
    assert listed(page) == [str(events[0].event_id)]
    page.get_by_role("link", name="साफ़ करें · Clear").click()
    page.wait_for_load_state()

    page.select_option("select[name=stars]", "1,2")
    page.select_option("select[name=resolved]", "no")
    page.click("form.inbox-filters button")
    page.wait_for_load_state()
    low = [e for e in events if e.rating <= 2 and not e.problem_resolved]
    assert listed(page) == [str(e.event_id) for e in low]

    first = low[0]
    page.locator(f'tr[data-event="{first.event_id}"] td.when a').click()
    page.wait_for_load_state()
    answers = page.locator("dl.answers dt")
    assert answers.count() == 11
    shown = page.locator("dl.answers").inner_text()
    assert "SI Ramesh" in shown and "छिपा · hidden" in shown and first.name not in shown
    assert first.complaint_date.isoformat() in shown
    assert page.locator("form.reveal-form").count() == 0

    today = datetime.now(INDIA).date().isoformat()
    page.fill("textarea[name=text]", "a    b")  # long enough for the browser, not for us
    page.click("form.act-form button")
    page.wait_for_load_state()
    assert "कम से कम 5" in page.locator(".form-error").inner_text()
    page.fill("textarea[name=text]", "IO बदला, शिकायतकर्ता से बात की; साइबर सेल को भेजा")
    page.fill("input[name=taken_on]", today)
    page.click("form.act-form button")
    page.wait_for_load_state()
    assert "IO बदला" in page.locator("ul.follow-up").inner_text()
    shoot(page, "item-sho")

    page.goto(f"{analytics_url}/stations/{mine['code']}")
    row = page.locator(f'li[data-alert="{alert}"]')
    row.locator("input[name=text]").fill("बीट स्टाफ की बैठक ली, हेल्प डेस्क पर एक महिला सिपाही")
    row.locator("button").click()
    page.wait_for_load_state()
    assert "बीट स्टाफ की बैठक ली" in page.locator(f'li[data-alert="{alert}"]').inner_text()
    assert "IO बदला" in page.locator("ul.follow-up").inner_text()
    shoot(page, "station-sho")
    assert [a for a, _, _ in audit_lines(url, str(alert))] == ["alert.action"]
    assert [a for a, _, _ in audit_lines(url, str(first.event_id))] == ["feedback.action"]

    for path in (
        f"/inbox/{inbox['theirs'].event_id}",
        f"/inbox?station={inbox['neighbour']['code']}",
    ):
        refused = page.goto(f"{analytics_url}{path}")
        assert refused is not None and refused.status in (403, 404), path
        assert inbox["theirs"].comments not in page.content()


def test_the_feedback_cell_reveals_a_visitor_with_a_reason_and_marks_the_call_back(
    desktop, analytics_url, infra, inbox
):
    page = desktop
    url = infra["DATABASE_URL"]
    mine, events = inbox["mine"], inbox["events"]
    visit = events[1]
    cell = officer(url, Role.FEEDBACK_CELL)
    sign_in_browser(page, analytics_url, cell, "")

    page.goto(f"{analytics_url}/inbox?station={mine['code']}&type=vehicle_theft")
    assert listed(page) == [str(visit.event_id)]
    page.locator("td.words a").first.click()
    page.wait_for_load_state()
    assert visit.name not in page.content()
    page.locator("details.reveal summary").click()
    page.select_option("select[name=purpose]", "callback")
    page.fill("input[name=reason]", "वापस कॉल: bike theft FIR update")
    page.get_by_role("button", name="नाम और नंबर देखें · Show name and number").click()
    page.wait_for_load_state()
    assert visit.name in page.locator("dl.identity").inner_text()
    assert [a for a, _, _ in audit_lines(url, str(visit.event_id))] == ["identity.view"]

    page.get_by_role("link", name="वापस कॉल दर्ज करें · Record the call back").click()
    page.wait_for_load_state()
    page.select_option("select[name=outcome]", "not_satisfied")
    page.fill("textarea[name=note]", f"{visit.name} ji: FIR पर अब तक कोई जाँच नहीं")
    page.click("form.act-form button")
    page.wait_for_load_state()
    recorded = page.locator("h2#callbacks + ul.follow-up").inner_text()
    assert "reached, not satisfied" in recorded and "FIR पर अब तक" in recorded
    assert visit.name not in page.content()
    shoot(page, "item-feedback-cell")
    assert [a for a, _, _ in audit_lines(url, str(visit.event_id))] == [
        "identity.view",
        "feedback.callback",
    ]

    page.goto(f"{analytics_url}/inbox?station={mine['code']}")
    row = page.locator(f'tr[data-event="{visit.event_id}"]')
    assert "called back" in row.locator("td.follow").inner_text()
