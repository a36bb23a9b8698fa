"""The rights page through intake's real app, over fakes: the steps a visitor sees, the
nonce that guards each form, the token cookie, and what is refused with which status."""

from __future__ import annotations

import re

import pytest

from services.intake.config import IntakeConfig
from services.intake.entrypoints.http import create_app
from services.intake.entrypoints.rights import NONCE_COOKIE, TOKEN_COOKIE
from services.intake.rights import Rights
from shared.mobile import mobile_hash
from shared.signing import sign
from tests.auth_fake import memory_gate
from tests.contract.apps import NOWHERE
from tests.unit.intake.fakes import a_world
from tests.unit.intake.test_intake_submission import SIGNING_KEY, a_station
from tests.unit.intake.test_rights_codes import (
    KEY,
    MOBILE,
    Clock,
    FakeCodes,
    FakeRecords,
    FakeSender,
    given,
)


@pytest.fixture
def rights() -> Rights:
    return Rights(FakeCodes(), FakeRecords(), FakeSender(), Clock(), KEY)


@pytest.fixture
def client(rights):
    config = IntakeConfig.from_env({**NOWHERE, "MOBILE_HASH_KEY": KEY.decode()})
    world = a_world(signing_key=b"s", mobile_hash_key=KEY)
    app = create_app(config, deps=world.deps, gate=memory_gate(), rights=rights)
    return app.test_client()


def nonce_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def ask_code(client, mobile: str = "98123 45678"):
    start = client.get("/rights")
    return client.post(
        "/rights/code",
        data={"csrf_token": nonce_of(start.text), "mobile": mobile, "language": "hi"},
    )


def signed_in(client, rights) -> str:
    sent = ask_code(client)
    code = rights.sender.last_code(MOBILE)
    answer = client.post(
        "/rights/verify",
        data={"csrf_token": nonce_of(sent.text), "mobile": MOBILE, "code": code, "language": "hi"},
    )
    assert answer.status_code == 303
    return nonce_of(sent.text)


def test_the_page_asks_for_the_number_in_hindi_with_no_script(client):
    page = client.get("/rights")

    assert page.status_code == 200 and '<html lang="hi">' in page.text
    assert "अपनी जानकारी देखें या मिटाएँ" in page.text and "<script" not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(NONCE_COOKIE + "=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/rights" in cookie


def test_english_with_lang_en(client):
    page = client.get("/rights?lang=en")

    assert '<html lang="en">' in page.text and "See or erase your data" in page.text


def test_a_post_without_the_pages_nonce_is_refused_and_sends_nothing(client, rights):
    client.get("/rights")
    answer = client.post("/rights/code", data={"csrf_token": "x" * 32, "mobile": MOBILE})

    assert answer.status_code == 403
    assert rights.sender.sent == []


def test_a_number_that_is_not_indian_is_a_422(client, rights):
    answer = ask_code(client, "12345")

    assert answer.status_code == 422 and "10 अंकों का सही मोबाइल नंबर" in answer.text
    assert rights.sender.sent == []


def test_the_code_step_shows_the_masked_number_only(client, rights):
    answer = ask_code(client)

    assert answer.status_code == 200 and "+91XXXXXX5678" in answer.text
    assert rights.sender.last_code(MOBILE) not in answer.text


def test_the_fourth_code_in_an_hour_is_a_429(client):
    for _ in range(3):
        assert ask_code(client).status_code == 200

    assert ask_code(client).status_code == 429


def test_a_wrong_code_gives_the_code_step_again_with_403(client, rights):
    sent = ask_code(client)
    wrong = "000000" if rights.sender.last_code(MOBILE) != "000000" else "111111"
    answer = client.post(
        "/rights/verify",
        data={"csrf_token": nonce_of(sent.text), "mobile": MOBILE, "code": wrong},
    )

    assert answer.status_code == 403 and 'name="code"' in answer.text
    assert client.get_cookie(TOKEN_COOKIE, path="/rights") is None


def test_the_right_code_shows_ones_feedback_and_erasing_keeps_it_anonymised(client, rights):
    rights.records.rows[mobile_hash(KEY, MOBILE)] = [given()]
    nonce = signed_in(client, rights)
    cookie = client.get_cookie(TOKEN_COOKIE, path="/rights")
    mine = client.get("/rights/mine")

    erased = client.post("/rights/erase", data={"csrf_token": nonce, "language": "hi"})

    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert "सेक्टर 29" in mine.text and "good" in mine.text and "नाम और नंबर रखे हैं" in mine.text
    assert erased.status_code == 200
    assert "आपका नाम और नंबर 1 प्रतिक्रिया से मिटा दिया गया" in erased.text
    assert "नाम और नंबर मिटा दिए गए" in erased.text and "सेक्टर 29" in erased.text


def test_without_the_token_the_feedback_stays_hidden(client, rights):
    rights.records.rows[mobile_hash(KEY, MOBILE)] = [given()]
    page = client.get("/rights/mine")

    assert page.status_code == 403 and "सेक्टर 29" not in page.text


def test_erasing_needs_the_pages_nonce_too(client, rights):
    rights.records.rows[mobile_hash(KEY, MOBILE)] = [given()]
    signed_in(client, rights)

    answer = client.post("/rights/erase", data={"csrf_token": "y" * 32})

    assert answer.status_code == 403 and rights.records.erased == []


def test_the_form_links_to_the_rights_page_in_its_language(rights):
    station = a_station()
    config = IntakeConfig.from_env({**NOWHERE, "MOBILE_HASH_KEY": KEY.decode()})
    world = a_world(station, signing_key=SIGNING_KEY, mobile_hash_key=KEY)
    app = create_app(config, deps=world.deps, gate=memory_gate(), rights=rights)
    sig = sign(SIGNING_KEY, station.code, station.qr_version)

    hindi = app.test_client().get(f"/s/{station.code}?v={station.qr_version}&sig={sig}")
    english = app.test_client().get(f"/s/{station.code}?v={station.qr_version}&sig={sig}&lang=en")

    assert '<a href="/rights?lang=hi">अपनी जानकारी देखें या मिटाएँ</a>' in hindi.text
    assert '<a href="/rights?lang=en">See or erase your data</a>' in english.text
