"""The IT cell's pages on the running QR service (gunicorn) and the real database: only a
signed-in admin opens them, every form needs its CSRF token, a change made on a page is
published and audited like the API's, and a one-time password shown on a page signs in."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urljoin

import pytest
import requests

from shared import db
from shared.auth import Role
from tests.integration.qr.support import admin_token, audit_lines, new_station
from tests.police import Officer, bearer, officer, sign_in, store
from tests.support import wait_until

pytestmark = pytest.mark.integration
PAGES = [
    "/admin",
    "/admin/stations/GGN-SADAR",
    "/admin/stations/new",
    "/admin/zones/East",
    "/admin/accounts",
    "/admin/tokens",
]
POSTS = [
    "/admin/stations/GGN-SADAR",
    "/admin/stations/GGN-SADAR/rotate",
    "/admin/stations/new",
    "/admin/zones/East",
    "/admin/accounts",
    "/admin/accounts/admin/reset",
    "/admin/accounts/admin/disable",
    "/admin/tokens",
    "/admin/tokens/1/revoke",
]


@pytest.fixture(scope="module")
def qr(running) -> str:
    return running["qr"]


@pytest.fixture(scope="module")
def it_cell(infra) -> Officer:
    return officer(infra["DATABASE_URL"], Role.ADMIN)


@pytest.fixture(scope="module")
def admin(qr, it_cell):
    return sign_in(qr, it_cell)


@pytest.fixture(scope="module")
def token(infra) -> str:
    return admin_token(infra["DATABASE_URL"], "admin pages tests")[1]


def a_station(qr: str, token: str, zone: str = "East") -> dict:
    body = new_station(zone)
    created = requests.post(f"{qr}/api/v1/stations", json=body, headers=bearer(token), timeout=10)
    assert created.status_code == 201
    return body


def station_row(database_url: str, code: str) -> tuple:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT sho_name, sho_mobile, qr_version, revision FROM stations WHERE code = %s",
            (code,),
        )
        return cur.fetchone()


def follow(session, answer) -> requests.Response:
    """The page a form's 303 leads to (the session's cookie goes by hand, which requests
    would drop on a redirect)."""
    assert answer.status_code == 303, answer.text
    return session.get(urljoin(answer.url, answer.headers["Location"]), timeout=10)


def shown(html: str, element: str) -> str:
    return re.search(rf'id="{element}">([^<]+)<', html)[1]


def test_each_page_opens_for_an_admin_under_the_police_bar_and_without_script(qr, admin):
    for path in PAGES:
        answer = admin.get(f"{qr}{path}", timeout=10)
        assert answer.status_code == 200, path
        assert 'class="police-bar"' in answer.text and "/auth/static/auth.css" in answer.text
        assert "<script" not in answer.text and "style=" not in answer.text
        assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_every_other_role_gets_403_on_every_page_form_and_registry_api(qr, infra, role):
    scope = {"station_code": "GGN-SADAR"} if role is Role.SHO else {}
    scope = {"zone": "East"} if role in (Role.DCP, Role.ACP) else scope
    session = sign_in(qr, officer(infra["DATABASE_URL"], role, **scope))
    before = station_row(infra["DATABASE_URL"], "GGN-SADAR")

    pages = [session.get(f"{qr}{p}", timeout=10).status_code for p in PAGES]
    posts = [
        session.post(
            f"{qr}{p}",
            data={"csrf_token": session.csrf, "reason": "x"},
            timeout=10,
            allow_redirects=False,
        ).status_code
        for p in POSTS
    ]
    api = [session.get(f"{qr}/api/v1/{p}", timeout=10).status_code for p in ("stations", "zones")]

    assert pages == [403] * len(PAGES) and posts == [403] * len(POSTS) and api == [403, 403]
    assert station_row(infra["DATABASE_URL"], "GGN-SADAR") == before


def test_anonymous_visitors_are_sent_to_sign_in_and_programs_get_401(qr):
    for path in PAGES:
        answer = requests.get(f"{qr}{path}", allow_redirects=False, timeout=10)
        assert answer.status_code == 303 and answer.headers["Location"] == f"/login?next={path}"
    for path in POSTS:
        assert requests.post(f"{qr}{path}", timeout=10).status_code == 401
    for path in ("/api/v1/stations", "/api/v1/stations/GGN-SADAR", "/api/v1/zones"):
        answer = requests.get(f"{qr}{path}", timeout=10)
        assert answer.status_code == 401 and "+91" not in answer.text


def test_posters_and_qr_images_stay_public(qr):
    for path, kind in (
        ("stations/GGN-SADAR/qr.png", "image/png"),
        ("stations/GGN-SADAR/qr.svg", "image/svg+xml"),
        ("stations/GGN-SADAR/qr-url", "application/json"),
        ("stations/GGN-SADAR/poster.pdf", "application/pdf"),
        ("zones/East/posters.pdf", "application/pdf"),
    ):
        answer = requests.get(f"{qr}/api/v1/{path}", timeout=60)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind)


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(qr, admin, infra):
    before = station_row(infra["DATABASE_URL"], "GGN-SADAR")

    missing = admin.post(
        f"{qr}/admin/stations/GGN-SADAR/rotate",
        allow_redirects=False,
        data={"reason": "forged"},
        timeout=10,
    )
    forged = admin.post(
        f"{qr}/admin/stations/GGN-SADAR",
        allow_redirects=False,
        timeout=10,
        data={"csrf_token": "x" * 43, "name_en": "Forged", "name_hi": "नकली"},
    )

    assert (missing.status_code, forged.status_code) == (403, 403)
    assert "reload" in missing.text
    assert station_row(infra["DATABASE_URL"], "GGN-SADAR") == before


def test_an_sho_s_contact_edited_on_the_page_is_published_and_audited_without_the_number(
    qr, admin, it_cell, token, infra, stations_tail
):
    body = a_station(qr, token)
    code = body["code"]
    form = {
        "csrf_token": admin.csrf,
        "name_en": body["name_en"],
        "name_hi": body["name_hi"],
        "address": body["address"],
        "sho_name": "Insp. Kavita Rani",
        "sho_mobile": "98123 45671",
        "sho_email": "kavita@example.invalid",
        "active": "yes",
    }

    saved = admin.post(f"{qr}/admin/stations/{code}", data=form, allow_redirects=False, timeout=10)
    page = follow(admin, saved)

    assert "Changes saved" in page.text
    assert 'value="+919812345671"' in page.text
    assert station_row(infra["DATABASE_URL"], code)[:2] == ("Insp. Kavita Rani", "+919812345671")
    updated = [
        e for _, e in stations_tail.events() if e["code"] == code and e["change"] == "updated"
    ]
    assert [e["sho"]["mobile"] for e in updated] == ["+919812345671"]
    line = audit_lines(infra["DATABASE_URL"], code)[-1]
    assert (line["action"], line["actor_kind"], line["actor_name"]) == (
        "station.update",
        "account",
        it_cell.username,
    )
    assert json.loads(line["details"]) == {"fields": ["sho_email", "sho_mobile", "sho_name"]}
    assert "+91" not in line["details"] and "Kavita" not in line["details"]


def test_a_refused_form_keeps_what_was_typed_and_answers_422(qr, admin, token, infra):
    body = a_station(qr, token)
    before = station_row(infra["DATABASE_URL"], body["code"])

    answer = admin.post(
        f"{qr}/admin/stations/{body['code']}",
        allow_redirects=False,
        timeout=10,
        data={
            "csrf_token": admin.csrf,
            "name_en": "Typed name",
            "name_hi": "टाइप किया",
            "sho_mobile": "12345",
            "sho_email": "not-an-address",
            "active": "yes",
        },
    )

    assert answer.status_code == 422
    assert 'value="Typed name"' in answer.text and 'value="12345"' in answer.text
    assert "Not a 10-digit Indian mobile number." in answer.text
    assert "Not a valid e-mail address." in answer.text
    assert station_row(infra["DATABASE_URL"], body["code"]) == before


def refusal(raw: str, otherwise: int, *, in_path: bool = False) -> int:
    """The status for ``raw`` (URL-encoded): the HTTP kit refuses a NUL in a form and any
    control character in a path before a page sees it (400); the page refuses the rest
    (``otherwise``)."""
    controls = ("%00", "%01", "%0A") if in_path else ("%00",)
    return 400 if any(c in raw for c in controls) else otherwise


# As a form's bytes: a NUL, superscript digits, a lone surrogate (not UTF-8), a bad byte.
@pytest.mark.parametrize("bad", ["GGN%00X", "%C2%B2%C2%B2", "%ED%A0%80", "%FF", "x" * 5000])
def test_odd_input_on_the_new_station_form_is_a_4xx_never_a_5xx(qr, admin, bad):
    fields = ("code", "name_en", "name_hi", "zone", "sho_mobile", "sho_email")
    body = "&".join(f"{name}={bad}" for name in fields) + f"&csrf_token={admin.csrf}"
    answer = admin.post(
        f"{qr}/admin/stations/new",
        allow_redirects=False,
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert answer.status_code == refusal(bad, 422)


def test_a_rotation_on_the_page_names_the_admin_and_shows_in_the_history(
    qr, admin, it_cell, token, infra
):
    body = a_station(qr, token)
    code = body["code"]

    empty = admin.post(
        f"{qr}/admin/stations/{code}/rotate",
        allow_redirects=False,
        data={"csrf_token": admin.csrf},
        timeout=10,
    )
    rotated = admin.post(
        f"{qr}/admin/stations/{code}/rotate",
        allow_redirects=False,
        timeout=10,
        data={"csrf_token": admin.csrf, "reason": "poster torn at the gate"},
    )

    page = follow(admin, rotated)

    assert empty.status_code == 422 and "Must not be empty." in empty.text
    assert "poster torn at the gate" in page.text and 'id="qr-version">2<' in page.text
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT rotated_by, token_id, reason FROM qr_rotations WHERE station_code = %s", (code,)
        )
        assert cur.fetchall() == [(it_cell.username, None, "poster torn at the gate")]
    url = requests.get(f"{qr}/api/v1/stations/{code}/qr-url", timeout=10).json()["url"]
    assert "?v=2&sig=" in url


def test_a_station_added_on_the_page_is_in_the_registry(qr, admin, infra):
    code = f"T-PAGE-{uuid.uuid4().hex[:6].upper()}"
    form = {
        "csrf_token": admin.csrf,
        "code": code.lower(),
        "name_en": "Page Test",
        "name_hi": "पृष्ठ परीक्षण",
        "zone": "East",
        "kind": "women",
        "sho_mobile": "9000000302",
    }

    added = admin.post(f"{qr}/admin/stations/new", data=form, allow_redirects=False, timeout=10)
    again = admin.post(
        f"{qr}/admin/stations/new", data={**form, "code": code}, allow_redirects=False, timeout=10
    )

    page = follow(admin, added)
    assert page.url.endswith(f"/admin/stations/{code}?done=created")
    assert "पृष्ठ परीक्षण" in page.text and "Station added" in page.text
    assert again.status_code == 422 and "A station with this code exists already." in again.text
    assert [line["action"] for line in audit_lines(infra["DATABASE_URL"], code)] == [
        "station.create"
    ]


def test_a_zone_s_contacts_saved_on_its_page_reach_each_of_its_stations(
    qr, admin, token, infra, zone, stations_tail
):
    codes = {a_station(qr, token, zone)["code"] for _ in range(2)}
    page = admin.get(f"{qr}/admin/zones/{zone}", timeout=10)
    form = {
        "csrf_token": admin.csrf,
        "acp_name": "ACP Meena",
        "acp_mobile": "9812345672",
        "acp_email": "acp.meena@example.invalid",
        "dcp_name": "DCP Test",
        "dcp_mobile": "+919000000211",
        "dcp_email": "dcp@example.invalid",
    }

    saved = admin.post(f"{qr}/admin/zones/{zone}", data=form, allow_redirects=False, timeout=10)
    refused = admin.post(
        f"{qr}/admin/zones/{zone}",
        data={**form, "acp_email": "nope"},
        allow_redirects=False,
        timeout=10,
    )

    assert f'href="/api/v1/zones/{zone}/posters.pdf"' in page.text
    assert 'value="+919812345672"' in follow(admin, saved).text
    updated = [e for _, e in stations_tail.events() if e["change"] == "updated"]
    assert {e["code"] for e in updated} == codes
    assert {e["acp"]["mobile"] for e in updated} == {"+919812345672"}
    assert refused.status_code == 422 and 'value="nope"' in refused.text


def test_a_one_time_password_shown_once_signs_in_and_must_then_be_changed(qr, admin, infra):
    username = f"sho.page.{uuid.uuid4().hex[:6]}"

    made = admin.post(
        f"{qr}/admin/accounts",
        allow_redirects=False,
        timeout=10,
        data={
            "csrf_token": admin.csrf,
            "username": username,
            "role": "sho",
            "station": "GGN-SADAR",
            "display_name": "Insp. Page",
        },
    )
    password = shown(made.text, "one-time-password")
    listed = admin.get(f"{qr}/admin/accounts", timeout=10)
    person = sign_in(qr, Officer(username, password, Role.SHO, "GGN-SADAR"))
    forced = person.get(f"{qr}/admin", allow_redirects=False, timeout=10)
    chosen = "a-fresh-passphrase-for-sadar-9"
    changed = person.post(
        f"{qr}/account/password",
        allow_redirects=False,
        timeout=10,
        data={
            "csrf_token": person.csrf,
            "current_password": password,
            "new_password": chosen,
            "again": chosen,
        },
    )

    assert made.status_code == 201 and username in listed.text and password not in listed.text
    assert forced.status_code == 303 and forced.headers["Location"].startswith("/account/password")
    assert changed.status_code == 303
    assert person.get(f"{qr}/admin", timeout=10).status_code == 403  # signed in, as an SHO
    [line] = audit_lines(infra["DATABASE_URL"], username)[:1]
    assert (line["action"], line["actor_kind"]) == ("account.create", "account")


def test_a_disabled_account_cannot_sign_in_and_a_reset_gives_a_working_password(qr, admin, infra):
    ops = officer(infra["DATABASE_URL"], Role.OPS)

    disabled = admin.post(
        f"{qr}/admin/accounts/{ops.username}/disable",
        allow_redirects=False,
        data={"csrf_token": admin.csrf},
        timeout=10,
    )
    with pytest.raises(AssertionError, match="answered 401"):
        sign_in(qr, ops)
    admin.post(
        f"{qr}/admin/accounts/{ops.username}/enable",
        allow_redirects=False,
        data={"csrf_token": admin.csrf},
        timeout=10,
    )
    reset = admin.post(
        f"{qr}/admin/accounts/{ops.username}/reset",
        allow_redirects=False,
        data={"csrf_token": admin.csrf},
        timeout=10,
    )
    password = shown(reset.text, "one-time-password")

    assert "Account disabled" in follow(admin, disabled).text
    assert reset.status_code == 200 and "must be changed" in reset.text
    session = sign_in(qr, Officer(ops.username, password, Role.OPS))
    assert session.get(f"{qr}/admin", allow_redirects=False, timeout=10).status_code == 303
    kept = store(infra["DATABASE_URL"])
    try:
        assert kept.account_by_username(ops.username).must_change_password
    finally:
        kept.pool.close()


def test_a_token_made_on_the_page_is_shown_once_works_and_is_refused_once_revoked(qr, admin):
    made = admin.post(
        f"{qr}/admin/tokens",
        allow_redirects=False,
        timeout=10,
        data={
            "csrf_token": admin.csrf,
            "label": "page test token",
            "role": "admin",
        },
    )
    secret = shown(made.text, "new-token")
    token_id = int(re.search(r'id="token-(\d+)"', made.text)[1])

    works = requests.get(f"{qr}/api/v1/zones", headers=bearer(secret), timeout=10)
    revoked = admin.post(
        f"{qr}/admin/tokens/{token_id}/revoke",
        allow_redirects=False,
        data={"csrf_token": admin.csrf},
        timeout=10,
    )

    assert made.status_code == 201 and "shown only now" in made.text
    assert works.status_code == 200
    listed = follow(admin, revoked)
    assert "Token revoked" in listed.text and secret not in listed.text
    assert 'class="state-revoked"' in listed.text
    wait_until(
        lambda: (
            requests.get(f"{qr}/api/v1/zones", headers=bearer(secret), timeout=10).status_code
            == 401
        ),
        timeout_s=10,
    )


ODD = ["%00", "GGN%00X", "%C2%B2", "%ED%A0%80", "%FF", "East%0A", "x" * 3000]
# Each form with the fields the odd value goes into; {code} and {zone} are the test's own.
FORMS = {
    "/admin/stations/{code}": ("name_en", "name_hi", "address", "sho_mobile", "sho_email"),
    "/admin/zones/{zone}": ("acp_name", "acp_mobile", "dcp_email"),
    "/admin/accounts": ("username", "role", "station", "zone", "display_name"),
    "/admin/tokens": ("label", "role", "station", "zone"),
}


def post_raw(session, url: str, body: str) -> requests.Response:
    """A form's body as it is sent, percent-escapes and all."""
    return session.post(
        url,
        data=f"{body}&csrf_token={session.csrf}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=10,
    )


@pytest.fixture(scope="module")
def own_station(qr, token) -> str:
    """A station of this module's own, for forms that would change a seeded one."""
    return a_station(qr, token)["code"]


@pytest.mark.parametrize("bad", ODD)
@pytest.mark.parametrize("form", list(FORMS))
def test_odd_input_on_every_form_is_refused_with_a_4xx(qr, admin, infra, own_station, zone,
                                                        form, bad):  # fmt: skip
    before = station_row(infra["DATABASE_URL"], own_station)
    body = "&".join(f"{name}={bad}" for name in FORMS[form])

    answer = post_raw(admin, qr + form.format(code=own_station, zone=zone), body)

    assert answer.status_code == refusal(bad, 422), answer.text[-500:]
    assert station_row(infra["DATABASE_URL"], own_station) == before


@pytest.mark.parametrize("bad", ["%00%01", "x" * 600])
def test_a_rotation_reason_that_is_empty_once_cleaned_or_too_long_is_refused(
    qr, admin, infra, own_station, bad
):
    before = station_row(infra["DATABASE_URL"], own_station)
    answer = post_raw(admin, f"{qr}/admin/stations/{own_station}/rotate", f"reason={bad}")
    assert answer.status_code == refusal(bad, 422)
    assert station_row(infra["DATABASE_URL"], own_station) == before


@pytest.mark.parametrize(
    "path",
    ["/admin/stations/GGN%00X", "/admin/stations/GGN-SADAR%0A", "/admin/zones/East%0A",
     "/admin/zones/%C2%B2", "/admin/zones/Nowhere", "/admin/stations/NO-SUCH-STATION"],
)  # fmt: skip
def test_odd_codes_in_a_page_s_path_are_not_found(qr, admin, path):
    assert admin.get(f"{qr}{path}", timeout=10).status_code == refusal(path, 404, in_path=True)
    posted = admin.post(f"{qr}{path}", data={"csrf_token": admin.csrf}, timeout=10)
    assert posted.status_code == refusal(path, 404, in_path=True)


@pytest.mark.parametrize(
    "path",
    ["/admin/accounts/a%00b/reset", "/admin/accounts/nobody.here/disable",
     "/admin/accounts/%C2%B2/enable", "/admin/tokens/99999999999999999999/revoke",
     "/admin/tokens/0/revoke"],
)  # fmt: skip
def test_odd_accounts_and_tokens_in_a_path_are_not_found(qr, admin, path):
    posted = admin.post(f"{qr}{path}", data={"csrf_token": admin.csrf}, timeout=10)
    assert posted.status_code == refusal(path, 404, in_path=True)
