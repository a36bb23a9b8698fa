"""A visitor gives feedback on a phone, then uses the rights page: enters their number, types
the code the recording SMS gateway received, sees their feedback and erases their name and
number. The row in feedback_personal loses both; the station's scores still count the
feedback. Real gunicorn, Kafka, the analytics consumer, PostgreSQL, Redis and Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import db
from shared.signing import sign
from tests.e2e.analytics import fixtures
from tests.e2e.analytics.fixtures import count_24h
from tests.integration.notifier.notifier_standins import SmsGatewayStandIn
from tests.support import unique_mobile, wait_until

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".data" / "test-screenshots"
analytics_url = fixtures.analytics_url  # the session fixtures, shared by the modules
reader = fixtures.reader


@pytest.fixture(scope="module")
def gateway():
    with SmsGatewayStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def rights_intake(stack_config, infra, intake_url, analytics_url, gateway):
    """Intake restarted with the SMS gateway's settings; afterwards as ``intake_url`` had it."""
    from ops import services

    plain = {**infra, "INTAKE_STATION_MAX_LAG_S": "0"}
    services.stop_service(stack_config, "intake")
    services.start_service(stack_config, "intake", {
        **plain, "NOTIFIER_SMS_URL": gateway.url, "NOTIFIER_SMS_API_KEY": "e2e-sms-key",
        "NOTIFIER_SMS_DLT_TEMPLATE_ID": "1107000000000000001"})  # fmt: skip
    yield intake_url
    services.stop_service(stack_config, "intake")
    services.start_service(stack_config, "intake", plain)


def personal_of(database_url: str, station_code: str) -> list[tuple]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT p.name, p.mobile, p.purged_at FROM feedback f"
            " JOIN feedback_personal p USING (event_id) WHERE f.station_code = %s",
            (station_code,),
        )
        return cur.fetchall()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"rights-{name}.png"), full_page=True)


def test_a_visitor_sees_and_erases_their_name_and_number_and_the_feedback_still_counts(
    phone,
    rights_intake,
    analytics_url,
    reader,
    gateway,
    station,
    signing_key,
    infra,
    stack_config,
):
    mobile = "+91" + unique_mobile()
    form_url = (
        f"{rights_intake}/s/{station['code']}?v={station['qr_version']}"
        f"&sig={sign(signing_key, station['code'], station['qr_version'])}"
    )
    phone.goto(form_url)
    phone.click('label[for="rating-2"]')
    phone.select_option("#complaint_type", "vehicle_theft")
    phone.fill("#comments", "बाइक चोरी की रिपोर्ट में देर हुई")
    phone.click('label[for="staff_available-yes"]')
    phone.click('label[for="staff_helped-no"]')
    phone.click('label[for="problem_resolved-no"]')
    phone.fill("#name", "Sunita Yadav")
    phone.fill("#mobile", mobile[3:])
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert "धन्यवाद" in phone.inner_text("body")
    wait_until(lambda: count_24h(analytics_url, station["code"], reader) == 1, timeout_s=30)
    assert personal_of(infra["DATABASE_URL"], station["code"])[0][:2] == ("Sunita Yadav", mobile)
    phone.goto(form_url)  # the link is in the form's privacy note
    phone.locator(".privacy").screenshot(path=str(SCREENSHOTS / "rights-0-form-link.png"))

    phone.click("text=अपनी जानकारी देखें या मिटाएँ")
    phone.wait_for_load_state()
    shot(phone, "1-number")
    assert phone.locator("h1").inner_text() == "अपनी जानकारी देखें या मिटाएँ"
    phone.fill("#mobile", mobile[3:])
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    shot(phone, "2-code")
    [sms] = gateway.delivered_to(mobile)
    code = re.search(r"\b(\d{6})\b", sms.text).group(1)  # type: ignore[union-attr]
    assert "+91XXXXXX" + mobile[-4:] in phone.inner_text("body") and code not in phone.content()
    phone.fill("#code", code)
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    shot(phone, "3-mine")
    listed = phone.inner_text(".given")
    assert station["name_hi"] in listed and "बाइक चोरी की रिपोर्ट में देर हुई" in listed
    assert "नाम और नंबर रखे हैं" in listed
    phone.click("button.erase")
    phone.wait_for_load_state()
    shot(phone, "4-erased")

    assert "आपका नाम और नंबर 1 प्रतिक्रिया से मिटा दिया गया" in phone.inner_text("body")
    assert "नाम और नंबर मिटा दिए गए" in phone.inner_text(".given")
    [(name, kept_mobile, purged_at)] = personal_of(infra["DATABASE_URL"], station["code"])
    assert (name, kept_mobile) == (None, None) and purged_at is not None
    assert count_24h(analytics_url, station["code"], reader) == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.goto(f"{rights_intake}/rights?lang=en")
    shot(phone, "5-english")
    assert phone.locator("h1").inner_text() == "See or erase your data"
    logs = "".join(p.read_text(errors="replace") for p in (stack_config.data_dir / "logs")
                   .glob("intake*.log"))  # fmt: skip
    assert "a rights code was sent through the SMS gateway" in logs
    assert "+91XXXXXX" + mobile[-4:] not in logs  # not even the last digits
    # Six digits may turn up in a log by chance (a time, a pid): look for the code as sent.
    assert f"code is {code}" not in logs and f"कोड {code}" not in logs
    assert mobile[3:] not in logs
