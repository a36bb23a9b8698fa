"""What a visitor and an API client see from intake: the form, its problems and its refusals;
the form, the thank-you page and the feedback API are public, the API's description not."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest

from shared.auth import Role
from shared.signing import sign
from tests import police
from tests.support import (
    create_station,
    feedback_body,
    open_sealed,
    unique_mobile,
    update_station,
)

pytestmark = pytest.mark.integration


def form_url(station, key, version=None, **extra) -> str:
    version = station["qr_version"] if version is None else version
    query = {"v": version, "sig": sign(key, station["code"], version), **extra}
    return f"/s/{station['code']}?{urlencode(query)}"


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden input {name}"
    return match.group(1)


def form_fields(html: str, **answers: str) -> dict[str, str]:
    fields = {k: hidden(html, k) for k in ("station_code", "qr_version", "sig", "form_token")}
    fields["language"] = hidden(html, "language")
    fields.update(answers)
    return fields


ANSWERS = {
    "rating": "1",
    "mobile": "98123 45678",
    "complaint_type": "theft",
    "staff_available": "yes",
    "staff_helped": "no",
    "problem_resolved": "no",
    "comments": "एफआईआर दर्ज नहीं की गई",
}


def test_the_qr_url_opens_the_hindi_form_with_the_stations_name_under_30_kb(
    client, station, signing_key
):
    page = client.get(form_url(station, signing_key))

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="hi"' in html
    assert station["name_hi"] in html and station["name_en"] in html
    css = client.get(re.search(r'href="([^"]+\.css)"', html).group(1))
    assert css.status_code == 200
    assert len(page.data) + len(css.data) < 30 * 1024
    assert "<script" not in html


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("hi", "आप जो लिखेंगे, उसे इस थाने की पुलिस और उनके वरिष्ठ अधिकारी पढ़ेंगे।"),
        ("en", "What you write here will be read by the police of this station and their "
               "senior officers."),
    ],
)  # fmt: skip
def test_the_form_tells_the_visitor_in_their_language_who_will_read_what_they_write(
    client, station, signing_key, lang, sentence
):
    html = client.get(form_url(station, signing_key, lang=lang)).get_data(as_text=True)

    comments = re.search(r'<div class="q" id="f-comments">.*?</div>', html, re.S)
    assert comments and sentence in comments[0]
    assert 'aria-describedby="comments-hint"' in comments[0]


def test_the_api_s_description_is_for_a_sign_in_or_a_token_only(client, infra):
    token = police.token(infra["DATABASE_URL"], Role.OPS)

    program = client.get("/openapi.json", headers={"Accept": "application/json"})
    browser = client.get("/openapi.json", headers={"Accept": "text/html"})
    signed = client.get("/openapi.json", headers=police.bearer(token))

    assert program.status_code == 401 and "error" in program.json
    assert browser.status_code == 303 and browser.location.startswith("/login?next=")
    assert signed.status_code == 200 and signed.json["openapi"].startswith("3.")


def test_lang_en_opens_the_form_in_english(client, station, signing_key):
    html = client.get(form_url(station, signing_key, lang="en")).get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Submit" in html or "Send" in html


@pytest.mark.parametrize(
    ("change", "status"),
    [("forged", 403), ("unknown", 404), ("rotated", 410), ("deactivated", 410)],
)
def test_a_bad_code_gets_a_bilingual_page_with_its_status_never_the_form(
    client, infra, signing_key, change, status
):
    station = create_station(infra["DATABASE_URL"])
    url = form_url(station, signing_key)
    if change == "forged":
        url = url.replace("sig=", "sig=X")[:-1]
    elif change == "unknown":
        url = url.replace(station["code"], station["code"] + "-NONE")
    elif change == "rotated":
        update_station(infra["DATABASE_URL"], station["code"], qr_version=2)
    else:
        update_station(infra["DATABASE_URL"], station["code"], active=False)

    page = client.get(url)

    html = page.get_data(as_text=True)
    assert page.status_code == status
    assert 'name="rating"' not in html
    assert "112" in html
    assert re.search("[\u0900-\u097f]", html) and re.search("[A-Za-z]{4}", html)


def test_submitting_the_form_shows_the_bilingual_thank_you_page_and_publishes_once(
    client, station, signing_key, feedback_tail
):
    html = client.get(form_url(station, signing_key)).get_data(as_text=True)
    fields = form_fields(html, **ANSWERS)

    thanks = client.post(f"/s/{station['code']}", data=fields)
    again = client.post(f"/s/{station['code']}", data=fields)  # a double tap on Submit

    events = feedback_tail.events()
    assert thanks.status_code == 200 and again.status_code == 200
    assert len(events) == 1
    event = events[0][1]
    assert event["event_id"][:8] in thanks.get_data(as_text=True)
    assert open_sealed(event).mobile == "+919812345678"
    assert (event["rating"], event["staff_helped"], event["language"]) == (1, False, "hi")


def test_an_invalid_form_comes_back_with_messages_in_the_visitors_language_and_input_kept(
    client, station, signing_key, feedback_tail
):
    html = client.get(form_url(station, signing_key, lang="en")).get_data(as_text=True)
    fields = form_fields(html, **{**ANSWERS, "mobile": "12345", "officer_name": "SI Kavita"})
    del fields["problem_resolved"]

    page = client.post(f"/s/{station['code']}", data=fields)

    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "10-digit mobile number" in html
    assert "Please answer this question." in html
    assert 'value="SI Kavita"' in html
    assert "एफआईआर दर्ज नहीं की गई" in html
    assert feedback_tail.events() == []


def test_the_api_answers_422_with_errors_per_field(client, station, signing_key):
    body = feedback_body(station, signing_key, rating=7, mobile="555", complaint_type="x")
    body["nickname"] = "extra"
    del body["staff_helped"]

    answer = client.post("/api/v1/feedback", json=body)

    assert answer.status_code == 422
    errors = answer.json["errors"]
    assert set(errors) == {"rating", "mobile", "complaint_type", "nickname", "staff_helped"}
    assert all(isinstance(m, str) and m for msgs in errors.values() for m in msgs)


def test_the_api_refuses_a_wrong_content_type_bad_json_and_a_too_large_body(client):
    assert client.post("/api/v1/feedback", data="rating=5").status_code == 415
    bad_json = client.post("/api/v1/feedback", data="{", content_type="application/json")
    assert bad_json.status_code == 400
    huge = client.post("/api/v1/feedback", data="x" * (17 * 1024), content_type="application/json")
    assert huge.status_code == 413
    assert "error" in huge.json


def test_a_too_large_form_gets_the_413_page(client, station):
    page = client.post(f"/s/{station['code']}", data={"comments": "x" * (17 * 1024)})
    assert page.status_code == 413
    assert "112" in page.get_data(as_text=True)


def test_the_api_refuses_a_code_of_another_version(client, station, signing_key, infra):
    update_station(infra["DATABASE_URL"], station["code"], qr_version=3)
    body = feedback_body(station, signing_key)  # signed for version 1

    answer = client.post("/api/v1/feedback", json=body)

    assert answer.status_code == 410


def test_one_mobile_may_rate_one_station_three_times_a_day_then_gets_429(
    client, station, signing_key, feedback_tail
):
    mobile = unique_mobile()
    answers = [
        client.post("/api/v1/feedback", json=feedback_body(station, signing_key, mobile=mobile))
        for _ in range(4)
    ]
    other_station = client.post(
        "/api/v1/feedback",
        json=feedback_body({**station, "code": "GGN-SADAR", "qr_version": 1}, signing_key,
                           mobile=mobile),
    )  # fmt: skip

    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert "mobile" in answers[3].json["error"]
    assert int(answers[3].headers["Retry-After"]) > 0
    assert other_station.status_code == 202
    assert len(feedback_tail.events()) == 4


def test_one_address_is_limited_per_hour(intake_config, station, signing_key):
    from dataclasses import replace

    from services.intake.entrypoints.http import create_app

    app = create_app(replace(intake_config, limit_per_address_per_hour=2))
    client = app.test_client()
    octets = uuid.uuid4().bytes[:3]
    address = {"REMOTE_ADDR": "10." + ".".join(str(b) for b in octets)}
    try:
        codes = [
            client.post(
                "/api/v1/feedback", json=feedback_body(station, signing_key), environ_base=address
            ).status_code
            for _ in range(3)
        ]
    finally:
        app.extensions["intake"].publisher.close()
    assert codes == [202, 202, 429]


def test_health_readiness_and_metrics(client, station, signing_key):
    client.post("/api/v1/feedback", json=feedback_body(station, signing_key))

    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"kafka": True, "redis": True, "stations": True}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "intake_feedback_accepted_total" in metrics
    assert "intake_kafka_publish_seconds_bucket" in metrics
    assert 'intake_http_requests_total{endpoint="/api/v1/feedback",status="202"}' in metrics
