"""The IT cell's pages on fakes of the registry and the in-memory auth store: what an admin
sees and changes through the forms, and what a refused form shows. The same pages on the
real database are in tests/integration/qr/test_qr_admin_pages.py."""

from __future__ import annotations

import re

import pytest

from services.qr import usecases
from services.qr.config import QrConfig
from services.qr.entrypoints.http import create_app
from shared.auth import Role
from shared.auth import accounts as auth
from shared.auth.accounts import Actor
from tests.auth_fake import bearer, memory_gate
from tests.unit.qr.fakes import NOW, FakePublisher, FakeUnitOfWork, a_zone, station_fields

pytestmark = pytest.mark.usefixtures("no_sockets")
CHOSEN = "a-long-chosen-passphrase-7"


@pytest.fixture
def fake() -> tuple[FakeUnitOfWork, FakePublisher]:
    uow = FakeUnitOfWork()
    uow.committed.zones["East"] = a_zone()
    deps = usecases.Deps(uow, FakePublisher(), clock=lambda: NOW)
    usecases.create_station(deps, station_fields("GGN-SADAR", name_en="Sadar"))
    deps.publisher.acknowledged.clear()
    return uow, deps.publisher


@pytest.fixture
def gate():
    return memory_gate()


@pytest.fixture
def app(fake, gate):
    config = QrConfig.from_env({"QR_SIGNING_KEY": "unit-test-signing-key-0123456789"})
    return create_app(config, usecases.Deps(*fake, clock=lambda: NOW), gate)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def sign_in(app, username: str, password: str):
    """A test client through /login; (client, the login's answer)."""
    client = app.test_client()
    nonce = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": nonce})  # fmt: skip
    return client, answer


def signed_in(app, gate, role: Role = Role.ADMIN, username: str = "it.admin", **scope):
    """A client signed in as a new account whose first password was changed; its CSRF
    token."""
    _, first = auth.add_account(gate.store, Actor.cli(), username, role, **scope)
    client, _ = sign_in(app, username, first)
    csrf = csrf_of(client.get("/account/password").get_data(as_text=True))
    changed = client.post("/account/password", data={
        "current_password": first, "new_password": CHOSEN, "again": CHOSEN, "csrf_token": csrf,
    })  # fmt: skip
    assert changed.status_code == 303
    return client, csrf


def test_the_registry_lists_each_zone_with_its_stations_and_links(app, gate):
    client, _ = signed_in(app, gate)

    page = client.get("/admin")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert 'href="/admin/zones/East"' in html and 'href="/admin/stations/GGN-SADAR"' in html
    assert "Sadar" in html and "police-bar" in html and "auth.css" in html


def test_an_sho_s_new_contact_saved_on_the_page_is_published_and_audited_by_name(app, gate, fake):
    uow, publisher = fake
    client, csrf = signed_in(app, gate)
    form = {"csrf_token": csrf, "name_en": "Sadar", "name_hi": "परीक्षण थाना",
            "address": "Sector 1", "sho_name": "Insp. Kavita", "sho_mobile": "98123 45678",
            "sho_email": "kavita@example.invalid", "active": "yes"}  # fmt: skip

    saved = client.post("/admin/stations/GGN-SADAR", data=form)
    page = client.get(saved.location).get_data(as_text=True)

    assert saved.status_code == 303 and "done=saved" in saved.location
    assert 'value="+919812345678"' in page and "Changes saved" in page
    assert uow.committed.stations["GGN-SADAR"].sho.name == "Insp. Kavita"
    assert [(r.change, r.sho.mobile) for r in publisher.acknowledged] == [
        ("updated", "+919812345678")
    ]
    [line] = [r.entry for r in gate.store.audit_log if r.entry.action == "station.update"]
    assert (line.actor_name, line.target) == ("it.admin", "GGN-SADAR")
    assert line.details == {"fields": ["sho_email", "sho_mobile", "sho_name"]}


def test_a_refused_form_comes_back_422_with_the_message_and_what_was_typed(app, gate, fake):
    uow, publisher = fake
    client, csrf = signed_in(app, gate)
    before = uow.committed.stations["GGN-SADAR"]

    answer = client.post("/admin/stations/GGN-SADAR", data={
        "csrf_token": csrf, "name_en": "Sadar Renamed", "name_hi": "Latin only",
        "sho_mobile": "12345", "active": "yes",
    })  # fmt: skip
    html = answer.get_data(as_text=True)

    assert answer.status_code == 422
    assert 'value="Sadar Renamed"' in html and 'value="12345"' in html
    assert "Not a 10-digit Indian mobile number." in html
    assert "Write the Hindi name in Devanagari." in html
    assert uow.committed.stations["GGN-SADAR"] == before and publisher.acknowledged == []


def test_with_kafka_down_the_form_is_kept_and_answered_503(app, gate, fake):
    uow, publisher = fake
    publisher.down = True
    client, csrf = signed_in(app, gate)

    answer = client.post("/admin/stations/GGN-SADAR/rotate",
                         data={"csrf_token": csrf, "reason": "poster torn"})  # fmt: skip

    assert answer.status_code == 503
    assert 'value="poster torn"' in answer.get_data(as_text=True)
    assert uow.committed.stations["GGN-SADAR"].qr_version == 1


def test_a_rotation_needs_a_reason_and_then_names_the_admin_in_its_history(app, gate, fake):
    uow, _ = fake
    client, csrf = signed_in(app, gate)

    empty = client.post("/admin/stations/GGN-SADAR/rotate", data={"csrf_token": csrf})
    rotated = client.post("/admin/stations/GGN-SADAR/rotate",
                          data={"csrf_token": csrf, "reason": "poster defaced"})  # fmt: skip
    page = client.get("/admin/stations/GGN-SADAR").get_data(as_text=True)

    assert empty.status_code == 422 and "Must not be empty." in empty.get_data(as_text=True)
    assert rotated.status_code == 303
    assert uow.committed.stations["GGN-SADAR"].qr_version == 2
    assert uow.committed.rotations[0]["rotated_by"] == "it.admin"
    assert uow.committed.rotations[0]["token_id"] is None
    assert "poster defaced" in page and 'id="qr-version">2<' in page


def test_a_post_without_the_csrf_token_changes_nothing(app, gate, fake):
    uow, publisher = fake
    client, _ = signed_in(app, gate)

    answers = [
        client.post("/admin/stations/GGN-SADAR/rotate", data={"reason": "forged"}),
        client.post("/admin/zones/East", data={"acp_name": "forged"}),
        client.post("/admin/accounts", data={"username": "x.forged", "role": "ops"}),
        client.post("/admin/tokens", data={"role": "admin", "csrf_token": "guess"}),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert publisher.acknowledged == [] and uow.committed.zones["East"] == a_zone()
    assert gate.store.account_by_username("x.forged") is None and gate.store.tokens() == []


PAGES = ["/admin", "/admin/stations/GGN-SADAR", "/admin/stations/new", "/admin/zones/East",
         "/admin/accounts", "/admin/tokens"]  # fmt: skip


def test_only_an_admin_opens_the_pages(app, gate):
    sho, _ = signed_in(app, gate, Role.SHO, "sho.sadar", station_code="GGN-SADAR")
    admin, _ = signed_in(app, gate)
    anonymous = app.test_client()

    assert [sho.get(path).status_code for path in PAGES] == [403] * len(PAGES)
    assert [admin.get(path).status_code for path in PAGES] == [200] * len(PAGES)
    for path in PAGES:
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.location == f"/login?next={path}"


def test_a_new_station_with_a_taken_code_is_refused_beside_the_code(app, gate, fake):
    uow, publisher = fake
    client, csrf = signed_in(app, gate)
    form = {"csrf_token": csrf, "code": "ggn-new ", "name_en": "New", "name_hi": "नया थाना",
            "zone": "East", "kind": "police"}  # fmt: skip

    added = client.post("/admin/stations/new", data=form)
    again = client.post("/admin/stations/new", data={**form, "code": "GGN-SADAR"})

    assert added.status_code == 303 and added.location.endswith(
        "/admin/stations/GGN-NEW?done=created"
    )
    assert uow.committed.stations["GGN-NEW"].name_hi == "नया थाना"
    assert again.status_code == 422
    assert "A station with this code exists already." in again.get_data(as_text=True)
    assert [r.code for r in publisher.acknowledged] == ["GGN-NEW"]


def test_a_zone_page_saves_the_acp_s_contact_and_links_the_zone_s_posters(app, gate, fake):
    uow, publisher = fake
    client, csrf = signed_in(app, gate)
    page = client.get("/admin/zones/East").get_data(as_text=True)
    form = {"csrf_token": csrf, "acp_name": "ACP Meena", "acp_mobile": "9812345678",
            "acp_email": "acp@example.invalid", "dcp_name": "DCP East",
            "dcp_mobile": "+919000000111", "dcp_email": "dcp@example.invalid"}  # fmt: skip

    saved = client.post("/admin/zones/East", data=form)
    refused = client.post("/admin/zones/East", data={**form, "dcp_mobile": "xyz"})

    assert 'href="/api/v1/zones/East/posters.pdf"' in page
    assert saved.status_code == 303
    assert uow.committed.zones["East"].acp.mobile == "+919812345678"
    assert [(r.code, r.acp.name) for r in publisher.acknowledged] == [("GGN-SADAR", "ACP Meena")]
    assert refused.status_code == 422 and 'value="xyz"' in refused.get_data(as_text=True)


def test_a_new_account_s_one_time_password_is_shown_once_and_opens_a_sign_in(app, gate):
    client, csrf = signed_in(app, gate)

    made = client.post("/admin/accounts", data={
        "csrf_token": csrf, "username": "sho.new", "role": "sho", "station": "GGN-SADAR",
        "zone": "East", "display_name": "Insp. New",
    })  # fmt: skip
    password = re.search(r'id="one-time-password">([^<]+)<', made.get_data(as_text=True))[1]
    later = client.get("/admin/accounts").get_data(as_text=True)
    _, signing_in = sign_in(app, "sho.new", password)

    assert made.status_code == 201 and password not in later and "sho.new" in later
    account = gate.store.account_by_username("sho.new")
    assert (account.station_code, account.zone) == ("GGN-SADAR", None)
    assert signing_in.status_code == 303 and "/account/password" in signing_in.location


def test_an_account_without_the_scope_its_role_needs_is_refused_with_the_form_kept(app, gate):
    client, csrf = signed_in(app, gate)

    answer = client.post("/admin/accounts", data={
        "csrf_token": csrf, "username": "dcp.nozone", "role": "dcp", "display_name": "Kept",
    })  # fmt: skip
    html = answer.get_data(as_text=True)

    assert answer.status_code == 422 and "A DCP or ACP account needs a zone." in html
    assert 'value="dcp.nozone"' in html and 'value="Kept"' in html
    assert gate.store.account_by_username("dcp.nozone") is None


def test_disabling_and_resetting_an_account_from_the_page(app, gate):
    client, csrf = signed_in(app, gate)
    _, first = auth.add_account(gate.store, Actor.cli(), "ops.desk", Role.OPS)

    disabled = client.post("/admin/accounts/ops.desk/disable", data={"csrf_token": csrf})
    refused = sign_in(app, "ops.desk", first)[1]
    client.post("/admin/accounts/ops.desk/enable", data={"csrf_token": csrf})
    reset = client.post("/admin/accounts/ops.desk/reset", data={"csrf_token": csrf})
    new = re.search(r'id="one-time-password">([^<]+)<', reset.get_data(as_text=True))[1]
    own = client.post("/admin/accounts/it.admin/disable", data={"csrf_token": csrf})

    assert disabled.status_code == 303 and refused.status_code == 401
    assert new != first and sign_in(app, "ops.desk", new)[1].status_code == 303
    assert sign_in(app, "ops.desk", first)[1].status_code == 401
    assert own.status_code == 422 and not gate.store.account_by_username("it.admin").disabled
    assert client.post("/admin/accounts/nobody.here/reset",
                       data={"csrf_token": csrf}).status_code == 404  # fmt: skip
    lines = [r.entry for r in gate.store.audit_log if r.entry.target == "ops.desk"]
    actions = [e.action for e in lines if e.action.startswith("account.")]
    assert actions == ["account.create", "account.disable", "account.enable", "account.reset"]


def test_a_token_made_on_the_page_is_shown_once_works_and_stops_once_revoked(app, gate):
    client, csrf = signed_in(app, gate)

    made = client.post("/admin/tokens", data={"csrf_token": csrf, "label": "control room",
                                              "role": "admin"})  # fmt: skip
    token = re.search(r'id="new-token">([^<]+)<', made.get_data(as_text=True))[1]
    works = app.test_client().get("/api/v1/zones", headers=bearer(token)).status_code
    [record] = gate.store.tokens()
    revoked = client.post(f"/admin/tokens/{record.id}/revoke", data={"csrf_token": csrf})
    listed = client.get("/admin/tokens").get_data(as_text=True)

    assert made.status_code == 201 and works == 200
    assert revoked.status_code == 303 and token not in listed and "revoked" in listed
    assert app.test_client().get("/api/v1/zones", headers=bearer(token)).status_code == 401
    assert client.post(f"/admin/tokens/{record.id}/revoke",
                       data={"csrf_token": csrf}).status_code == 404  # fmt: skip
    assert client.post("/admin/tokens/99999999999999999999/revoke",
                       data={"csrf_token": csrf}).status_code == 404  # fmt: skip
