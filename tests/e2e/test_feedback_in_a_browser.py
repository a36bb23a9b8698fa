"""A visitor scans the poster, fills the form on a phone and is thanked; the event is on the
topic. Real gunicorn, real Kafka, real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.signing import sign
from tests.support import open_sealed

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".data" / "test-screenshots"


def test_a_visitor_rates_a_station_from_its_qr_url_and_sees_the_thank_you_page(
    phone, intake_url, station, signing_key, feedback_tail
):
    qr_url = (
        f"{intake_url}/s/{station['code']}?v={station['qr_version']}"
        f"&sig={sign(signing_key, station['code'], station['qr_version'])}"
    )
    phone.goto(qr_url)
    assert station["name_hi"] in phone.content()
    readers = phone.locator("#f-comments .readers")
    assert readers.is_visible()
    assert readers.inner_text() == ("आप जो लिखेंगे, उसे इस थाने की पुलिस और उनके वरिष्ठ अधिकारी पढ़ेंगे।")

    phone.click('label[for="rating-2"]')
    phone.select_option("#complaint_type", "vehicle_theft")
    phone.fill("#officer_name", "ASI Mahesh")
    phone.fill("#comments", "बाइक चोरी की रिपोर्ट लिखने में तीन दिन लगे")
    phone.click('label[for="cleanliness-4"]')
    phone.click('label[for="staff_available-yes"]')
    phone.click('label[for="staff_helped-no"]')
    phone.click('label[for="problem_resolved-no"]')
    phone.fill("#name", "Rakesh Kumar")
    phone.fill("#mobile", "98765 43210")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "form-filled.png"), full_page=True)
    phone.locator("#f-comments").screenshot(path=str(SCREENSHOTS / "form-comments.png"))
    phone.click("button[type=submit]")

    phone.wait_for_load_state()
    body = phone.inner_text("body")
    phone.screenshot(path=str(SCREENSHOTS / "thank-you.png"), full_page=True)
    events = [event for _, event in feedback_tail.events()]
    assert len(events) == 1
    event = events[0]
    assert event["event_id"][:8] in body
    assert "धन्यवाद" in body
    assert (event["rating"], event["cleanliness"], event["complaint_type"]) == (
        2,
        4,
        "vehicle_theft",
    )
    assert (event["staff_available"], event["staff_helped"], event["problem_resolved"]) == (
        True,
        False,
        False,
    )
    assert "mobile" not in event and open_sealed(event).mobile == "+919876543210"
    assert event["officer_name"] == "ASI Mahesh"


def test_the_form_refuses_to_submit_without_a_rating_and_says_why(
    phone, intake_url, station, signing_key, feedback_tail
):
    """Without JavaScript the browser's own check stops the submission; the stars are
    real form controls marked required."""
    qr_url = (
        f"{intake_url}/s/{station['code']}?v=1&sig={sign(signing_key, station['code'], 1)}&lang=en"
    )
    phone.goto(qr_url)
    readers = phone.locator("#f-comments .readers")
    assert readers.inner_text() == (
        "What you write here will be read by the police of this station and their senior officers."
    )
    readers.screenshot(path=str(SCREENSHOTS / "form-comments-en.png"))
    phone.fill("#mobile", "9876543210")
    phone.click("button[type=submit]")

    assert phone.url == qr_url  # still on the form
    assert phone.eval_on_selector("#rating-1", "el => el.validity.valueMissing")
    assert feedback_tail.events() == []
