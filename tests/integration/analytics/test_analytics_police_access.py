"""Each police role on analytics' pages and API over the real PostgreSQL and Redis, signed
in through /login (accounts from tests/police.py) or with a role's token: an SHO's station,
a DCP's or ACP's zone, visitors' words masked, the feedback cell's audited identity view
and the audit log."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from shared import db
from shared.auth import Role
from shared.masking import EMAIL_HIDDEN, PHONE_HIDDEN
from tests.integration.analytics.conftest import drain, make_event, signed_in
from tests.police import bearer, officer, token
from tests.support import create_station

pytestmark = pytest.mark.integration
REASON = "the visitor asked to be called back about the theft"


@pytest.fixture
def stations(infra):
    """A station of the test's own in the East zone and one in the South."""
    return {
        "east": create_station(infra["DATABASE_URL"], zone="East")["code"],
        "south": create_station(infra["DATABASE_URL"], zone="South")["code"],
    }


@pytest.fixture
def fed(infra, stations, make_consumer, publish, clock):
    """One feedback at each station, with a phone number and an email in its words; the
    events by station."""
    words = "थाने में देर हुई, मुझे 98765 43210 पर कॉल करें या r.k@gmail.com"
    events = {
        key: make_event(
            code,
            submitted_at=clock.now - timedelta(hours=1),
            comments=f"{words} ({key})",
            officer_name="HC Yadav 9812398123",
        )
        for key, code in stations.items()
    }
    publish(*events.values())
    drain(make_consumer(), len(events))
    return events


def zone_of(database_url: str) -> dict[str, str]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT code, zone FROM stations WHERE active")
        return dict(cur.fetchall())


def listed(html: str) -> set[str]:
    return set(re.findall(r'data-station="([^"]+)"', html))


def audit_rows(database_url: str, target: str) -> list[dict]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT actor_kind, actor_name, action, target, reason, details::text"
            " FROM audit_log WHERE target = %s ORDER BY id",
            (target,),
        )
        keys = ("actor_kind", "actor_name", "action", "target", "reason", "details")
        return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]


def test_an_sho_sees_their_own_station_and_gets_403_for_another_s_page_and_api(
    infra, police_app, stations
):
    own, other = stations["east"], stations["south"]
    sho = officer(infra["DATABASE_URL"], Role.SHO, station_code=own)
    client, _ = signed_in(police_app, sho)
    sho_token = bearer(token(infra["DATABASE_URL"], Role.SHO, station_code=own))
    api = police_app.test_client()

    home = client.get("/")
    assert home.status_code == 302 and home.location.endswith(f"/stations/{own}")
    assert client.get(f"/stations/{own}").status_code == 200
    refused = client.get(f"/stations/{other}", headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "अनुमति नहीं" in refused.get_data(as_text=True)
    assert client.get("/stations/GGN-SADAR").status_code == 403  # of the same zone: still not
    for url in (f"/api/v1/stations/{other}/scores", f"/api/v1/stations/{other}/trend"):
        assert api.get(url, headers=sho_token).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert api.get(f"/api/v1/stations/{own}/scores", headers=sho_token).status_code == 200
    ranking = api.get("/api/v1/rankings", headers=sho_token).json
    assert [i["station_code"] for i in ranking["items"]] == [own]


@pytest.mark.parametrize("role", [Role.DCP, Role.ACP])
def test_a_dcp_or_acp_sees_only_their_zone_on_every_page_and_in_every_answer(
    infra, police_app, stations, fed, role
):
    zones = zone_of(infra["DATABASE_URL"])
    south = {code for code, zone in zones.items() if zone == "South"}
    mine, theirs = stations["south"], stations["east"]
    client, _ = signed_in(police_app, officer(infra["DATABASE_URL"], role, zone="South"))
    headers = bearer(token(infra["DATABASE_URL"], role, zone="South"))
    api = police_app.test_client()

    assert listed(client.get("/").get_data(as_text=True)) == south
    assert listed(client.get("/?zone=south&window=24h").get_data(as_text=True)) == south
    assert client.get("/?zone=East").status_code == 403
    ranking = api.get("/api/v1/rankings?window=24h", headers=headers).json
    assert {i["station_code"] for i in ranking["items"]} == south
    assert [i["count"] for i in ranking["items"] if i["station_code"] == mine] == [1]
    assert api.get("/api/v1/rankings?zone=East", headers=headers).status_code == 403
    assert client.get(f"/stations/{mine}").status_code == 200
    assert api.get(f"/api/v1/stations/{mine}/scores", headers=headers).json["windows"]["24h"][
        "count"
    ] == 1  # fmt: skip
    assert api.get(f"/api/v1/stations/{mine}/trend?days=2", headers=headers).status_code == 200
    assert client.get(f"/stations/{theirs}").status_code == 403
    for url in (f"/api/v1/stations/{theirs}/scores", f"/api/v1/stations/{theirs}/trend"):
        assert api.get(url, headers=headers).status_code == 403, url


def test_the_station_page_masks_contact_details_and_never_shows_the_visitor(
    infra, police_app, stations, fed
):
    event = fed["east"]
    client, _ = signed_in(police_app, officer(infra["DATABASE_URL"], Role.COMMISSIONER))

    page = client.get(f"/stations/{stations['east']}").get_data(as_text=True)

    assert f"मुझे {PHONE_HIDDEN} पर कॉल करें या {EMAIL_HIDDEN} (east)" in page
    assert f"HC Yadav {PHONE_HIDDEN}" in page
    assert "98765 43210" not in page and "r.k@gmail.com" not in page and "9812398123" not in page
    assert event.name not in page and event.mobile[3:] not in page
    assert "Show name and number" not in page


def test_the_feedback_cell_sees_a_visitor_s_identity_and_the_view_is_in_the_audit_log(
    infra, police_app, stations, fed
):
    event, code = fed["east"], stations["east"]
    cell = officer(infra["DATABASE_URL"], Role.FEEDBACK_CELL)
    client, csrf = signed_in(police_app, cell)
    page = client.get(f"/stations/{code}").get_data(as_text=True)
    action = f"/stations/{code}/feedback/{event.event_id}/identity"
    assert f'action="{action}"' in page

    short = client.post(action, data={"purpose": "callback", "reason": "hm", "csrf_token": csrf})
    assert short.status_code == 422 and 'name="reason"' in short.get_data(as_text=True)
    assert audit_rows(infra["DATABASE_URL"], str(event.event_id)) == []

    shown = client.post(action, data={"purpose": "callback", "reason": REASON, "csrf_token": csrf})

    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert event.name in html and f"tel:{event.mobile}" in html
    [row] = audit_rows(infra["DATABASE_URL"], str(event.event_id))
    assert row["action"] == "identity.view" and row["reason"] == REASON
    assert (row["actor_kind"], row["actor_name"]) == ("account", cell.username)
    assert json.loads(row["details"]) == {"station": code, "purpose": "callback"}
    assert event.name not in json.dumps(row) and event.mobile[3:] not in json.dumps(row)


@pytest.mark.parametrize(
    ("role", "scope"), [(Role.COMMISSIONER, {}), (Role.SHO, {"station_code": "east"})]
)
def test_the_commissioner_and_an_sho_are_refused_a_visitor_s_identity(
    infra, police_app, stations, fed, role, scope
):
    event, code = fed["east"], stations["east"]
    scope = {k: stations[v] for k, v in scope.items()}
    client, csrf = signed_in(police_app, officer(infra["DATABASE_URL"], role, **scope))
    headers = bearer(token(infra["DATABASE_URL"], role, **scope))
    url = f"/stations/{code}/feedback/{event.event_id}/identity"
    form = {"purpose": "callback", "reason": REASON}

    by_session = client.post(url, data={**form, "csrf_token": csrf})
    by_token = police_app.test_client().post(url, data=form, headers=headers)

    assert by_session.status_code == 403 and by_token.status_code == 403
    assert event.name not in by_session.get_data(as_text=True)
    assert audit_rows(infra["DATABASE_URL"], str(event.event_id)) == []


def test_the_commissioner_s_office_reads_the_identity_views_in_the_audit_log(
    infra, police_app, stations, fed
):
    event, code = fed["south"], stations["south"]
    cell = officer(infra["DATABASE_URL"], Role.FEEDBACK_CELL)
    client, csrf = signed_in(police_app, cell)
    client.post(f"/stations/{code}/feedback/{event.event_id}/identity",
                data={"purpose": "follow_up", "reason": REASON, "csrf_token": csrf})  # fmt: skip
    reader = officer(infra["DATABASE_URL"], Role.COMMISSIONER)
    commissioner, _ = signed_in(police_app, reader)

    page = commissioner.get("/audit?action=identity.view").get_data(as_text=True)
    entries = commissioner.get("/api/v1/audit?action=identity.view").json["entries"]
    logins = commissioner.get("/api/v1/audit?action=login").json["entries"]

    newest = entries[0]
    assert (newest["target"], newest["actor_name"], newest["reason"]) == (
        str(event.event_id), cell.username, REASON
    )  # fmt: skip
    assert {e["action"] for e in entries} == {"identity.view"}
    assert str(event.event_id) in page and cell.username in page
    assert event.name not in page and event.mobile[3:] not in page
    assert (logins[0]["action"], logins[0]["target"]) == ("login", reader.username)
    sho = officer(infra["DATABASE_URL"], Role.SHO, station_code=code)
    sho_client, _ = signed_in(police_app, sho)
    assert sho_client.get("/audit").status_code == 403
    assert sho_client.get("/api/v1/audit").status_code == 403
