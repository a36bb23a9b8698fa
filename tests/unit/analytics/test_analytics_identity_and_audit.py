"""The feedback cell's audited view of a visitor's name and number, and the audit log's
page and API, over fakes and the in-memory gate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from shared.auth import Role
from shared.auth.accounts import Actor, record
from tests.unit.analytics.app_fakes import VISITOR_MOBILE, VISITOR_NAME, build_world

REASON = "visitor asked for a callback about the theft complaint"


@pytest.fixture
def world():
    return build_world()


def reveal_url(world, code: str = "GGN-A", event_id=None) -> str:
    return f"/stations/{code}/feedback/{event_id or world.events[code]}/identity"


def test_the_feedback_cell_sees_the_name_and_number_after_the_view_is_recorded(world):
    client, csrf = world.signed_in(Role.FEEDBACK_CELL)

    answer = client.post(reveal_url(world), data={
        "purpose": "callback", "reason": REASON, "csrf_token": csrf,
    })  # fmt: skip

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert VISITOR_NAME in page and "+91 98123 45678" in page
    assert f'href="tel:{VISITOR_MOBILE}"' in page
    assert answer.headers["Cache-Control"] == "no-store"
    [line] = world.audit_lines("identity.view")
    assert (line.action, line.target, line.reason) == (
        "identity.view", str(world.events["GGN-A"]), REASON
    )  # fmt: skip
    assert line.actor_kind == "account" and line.actor_name.startswith("t.feedbackcell.")
    assert line.details == {"station": "GGN-A", "purpose": "callback"}
    assert VISITOR_NAME not in repr(line) and VISITOR_MOBILE[3:] not in repr(line)


def test_a_number_or_the_visitor_s_name_typed_into_the_reason_is_not_kept_in_the_audit_log(
    world,
):
    client, csrf = world.signed_in(Role.FEEDBACK_CELL)

    answer = client.post(reveal_url(world), data={
        "purpose": "other", "csrf_token": csrf,
        "reason": "calling sunita devi back on 98123 45678 as she asked",
    })  # fmt: skip

    assert answer.status_code == 200
    [line] = world.audit_lines("identity.view")
    assert "98123" not in line.reason and "sunita" not in line.reason.lower()
    assert "devi" not in line.reason.lower() and "as she asked" in line.reason


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.COMMISSIONER, {}), (Role.SHO, {"station_code": "GGN-A"}),
     (Role.DCP, {"zone": "East"}), (Role.ADMIN, {})],
)  # fmt: skip
def test_no_other_role_may_see_a_visitor_s_identity(world, role, scope):
    client, csrf = world.signed_in(role, **scope)

    answer = client.post(reveal_url(world), data={
        "purpose": "callback", "reason": REASON, "csrf_token": csrf,
    })  # fmt: skip

    assert answer.status_code == 403
    assert VISITOR_NAME not in answer.get_data(as_text=True)
    assert world.audit_lines("identity.view") == []


def test_a_form_without_its_csrf_token_is_refused(world):
    client, _ = world.signed_in(Role.FEEDBACK_CELL)

    answer = client.post(reveal_url(world), data={"purpose": "callback", "reason": REASON})

    assert answer.status_code == 403 and VISITOR_NAME not in answer.get_data(as_text=True)
    assert world.audit_lines("identity.view") == []


@pytest.mark.parametrize(
    "which",
    ["unknown", "another station's", "not an id", "unknown station"],
)
def test_feedback_that_is_not_at_that_station_is_404_and_nothing_is_recorded(world, which):
    client, csrf = world.signed_in(Role.FEEDBACK_CELL)
    url = {
        "unknown": reveal_url(world, event_id=uuid.uuid4()),
        "another station's": reveal_url(world, "GGN-A", world.events["GGN-B"]),
        "not an id": "/stations/GGN-A/feedback/12345/identity",
        "unknown station": f"/stations/GGN-NOWHERE/feedback/{world.events['GGN-A']}/identity",
    }[which]

    answer = client.post(url, data={"purpose": "callback", "reason": REASON, "csrf_token": csrf})

    assert answer.status_code == 404
    assert world.audit_lines("identity.view") == []


@pytest.mark.parametrize(
    ("purpose", "reason"),
    [("callback", ""), ("callback", "  ok  "), ("callback", "x" * 501), ("nonsense", REASON),
     ("callback", "\x01\x02\x03\x04")],
)  # fmt: skip
def test_without_a_proper_reason_the_form_comes_back_with_422_and_nothing_is_shown(
    world, purpose, reason
):
    client, csrf = world.signed_in(Role.FEEDBACK_CELL)

    answer = client.post(reveal_url(world), data={
        "purpose": purpose, "reason": reason, "csrf_token": csrf,
    })  # fmt: skip

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'class="form-error"' in page and 'name="reason"' in page
    assert VISITOR_NAME not in page and VISITOR_MOBILE[3:] not in page
    assert world.audit_lines("identity.view") == []


def test_a_purged_identity_says_so_and_the_view_is_still_recorded(world):
    world.identities.keep(world.events["GGN-C"], None, None, datetime(2026, 5, 1, tzinfo=UTC))
    client, csrf = world.signed_in(Role.FEEDBACK_CELL)

    answer = client.post(reveal_url(world, "GGN-C"), data={
        "purpose": "follow_up", "reason": REASON, "csrf_token": csrf,
    })  # fmt: skip

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "removed on 2026-05-01, after the retention period" in page
    assert 'href="tel:' not in page
    assert [line.target for line in world.audit_lines("identity.view")] == [
        str(world.events["GGN-C"])
    ]


def test_the_audit_log_lists_the_newest_first_a_hundred_a_page_with_a_link_to_older(world):
    for n in range(150):
        record(world.gate.store, Actor.cli(), "station.update", f"GGN-{n:03d}", "test")
    client, _ = world.signed_in(Role.COMMISSIONER)  # and a "login" line, the newest
    every_id = [r.id for r in world.gate.store.audit_records(1000)]

    page = client.get("/audit").get_data(as_text=True)
    first = client.get("/api/v1/audit").json
    older = client.get(f"/api/v1/audit?before={first['next_before']}").json
    older_page = client.get(f"/audit?before={first['next_before']}").get_data(as_text=True)

    assert [e["id"] for e in first["entries"]] == every_id[:100]
    assert first["entries"][0]["action"] == "login"
    assert first["next_before"] == every_id[99]
    assert [e["id"] for e in older["entries"]] == every_id[100:]
    assert older["next_before"] is None
    assert page.count("<tr data-action=") == 100
    assert page.index(f'data-id="{every_id[0]}"') < page.index(f'data-id="{every_id[99]}"')
    assert f'href="/audit?before={every_id[99]}"' in page and "Older" in page
    assert "Older" not in older_page and "Newest" in older_page
    assert set(older["entries"][0]) == {
        "id", "at", "actor_kind", "actor_name", "action", "target", "reason", "ip", "details"
    }  # fmt: skip


def test_the_audit_log_filters_by_action_and_shows_who_viewed_which_feedback_and_why(world):
    cell, csrf = world.signed_in(Role.FEEDBACK_CELL)
    cell.post(reveal_url(world), data={"purpose": "callback", "reason": REASON, "csrf_token": csrf})
    commissioner, _ = world.signed_in(Role.COMMISSIONER)

    views = commissioner.get("/api/v1/audit?action=identity.view").json["entries"]
    logins = commissioner.get("/api/v1/audit?action=login").json["entries"]
    page = commissioner.get("/audit?action=identity.view").get_data(as_text=True)

    [view] = views
    assert (view["action"], view["target"], view["reason"]) == (
        "identity.view", str(world.events["GGN-A"]), REASON
    )  # fmt: skip
    assert view["actor_name"].startswith("t.feedbackcell.") and view["actor_kind"] == "account"
    assert datetime.fromisoformat(view["at"]).tzinfo is not None
    assert {e["action"] for e in logins} == {"login"} and len(logins) == 2
    assert page.count("<tr data-action=") == 1 and REASON in page
    assert '<option value="identity.view" selected>' in page
    assert VISITOR_NAME not in page and VISITOR_MOBILE[3:] not in page


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.SHO, {"station_code": "GGN-A"}), (Role.DCP, {"zone": "East"}),
     (Role.ACP, {"zone": "East"}), (Role.ADMIN, {}), (Role.OPS, {})],
)  # fmt: skip
def test_only_the_commissioner_s_office_and_the_feedback_cell_read_the_audit_log(
    world, role, scope
):
    headers = world.token(role, **scope)

    assert world.client().get("/audit", headers=headers).status_code == 403
    assert world.client().get("/api/v1/audit", headers=headers).status_code == 403
    for allowed in (Role.COMMISSIONER, Role.FEEDBACK_CELL):
        assert world.client().get("/api/v1/audit", headers=world.token(allowed)).status_code == 200


@pytest.mark.parametrize(
    "query", ["before=abc", "before=-1", "before=%C2%B2", "before=1" + "0" * 30,
              "action=DROP%20TABLE", "action=%00"],
)  # fmt: skip
def test_a_bad_filter_is_400(world, query):
    headers = world.token(Role.COMMISSIONER)

    assert world.client().get(f"/api/v1/audit?{query}", headers=headers).status_code == 400
    assert world.client().get(f"/audit?{query}", headers=headers).status_code == 400
