"""The inbox on the real PostgreSQL, through analytics' HTTP app signed in as each police
role: what each role may list and open (another station's feedback is never shown), the
filters and the keyset pages, bad input refused with a clear 4xx, the SHO's actions on a
feedback and an alert, the feedback cell's call backs (audited, without the visitor's name
or number), and the CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from shared.auth import Role
from shared.india import INDIA
from shared.masking import PHONE_HIDDEN
from shared.textkeys import officer_key
from tests.integration.analytics.conftest import signed_in
from tests.integration.analytics.inbox_data import (
    VISITOR_NAME,
    audit_lines,
    put_alert,
    put_feedback,
    put_many,
)
from tests.police import bearer, officer, token
from tests.support import create_station

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


@pytest.fixture
def world(infra):
    """Two stations of the East zone and one of the West, each of the test's own; at the
    first, five feedback of different answers, an hour apart (newest first in the list)."""
    url = infra["DATABASE_URL"]
    east = create_station(url, zone="East")["code"]
    east2 = create_station(url, zone="East")["code"]
    west = create_station(url, zone="West")["code"]
    shapes = [
        dict(rating=1, problem_resolved=False, staff_helped=False, complaint_type="cyber_fraud",
             officer_name="SI Ramesh Kumar", comments="कोई सुनवाई नहीं, call me 98765 43210",
             language="hi"),
        dict(rating=2, problem_resolved=False, staff_helped=True, complaint_type="theft",
             officer_name="HC Yadav", comments="FIR late", language="en"),
        dict(rating=5, problem_resolved=True, staff_helped=True, complaint_type="theft",
             comments="bahut achha vyavhar", language="en"),
        dict(rating=4, problem_resolved=True, staff_helped=False, complaint_type="traffic",
             comments="", language="hi", complaint_date=date.today() - timedelta(days=3)),
        dict(rating=3, problem_resolved=True, staff_helped=True, complaint_type="other",
             comments="ठीक", language="hi", submitted_at=NOW - timedelta(days=10)),
    ]  # fmt: skip
    events = []
    for n, shape in enumerate(shapes):
        shape.setdefault("submitted_at", NOW - timedelta(hours=n + 1))
        events.append(put_feedback(url, east, mobile=f"+91987650000{n}", **shape))
    others = {
        "east2": put_feedback(url, east2, comments="दूसरा थाना"),
        "west": put_feedback(url, west, comments="पश्चिम का थाना"),
    }
    return {"east": east, "east2": east2, "west": west, "events": events, "others": others}


def ids(answer) -> list[str]:
    return [item["event_id"] for item in answer.get_json()["items"]]


def test_an_sho_lists_only_their_station_masked_and_never_opens_another_station_s_feedback(
    infra, police_app, world
):
    sho = officer(infra["DATABASE_URL"], Role.SHO, station_code=world["east"])
    client, _ = signed_in(police_app, sho)

    listed = client.get("/api/v1/inbox")
    assert listed.status_code == 200
    assert ids(listed) == [str(e) for e in world["events"]]
    first = listed.get_json()["items"][0]
    assert PHONE_HIDDEN in first["comments"] and "98765 43210" not in first["comments"]
    assert "name" not in first and "mobile" not in first

    page = client.get("/inbox").get_data(as_text=True)
    assert page.count("data-event=") == 5
    assert str(world["others"]["west"]) not in page and VISITOR_NAME not in page
    assert "+91987650000" not in page

    other = world["others"]["east2"]
    assert client.get(f"/inbox/{other}").status_code == 404
    assert client.get(f"/api/v1/inbox/{other}").status_code == 404
    assert client.get(f"/api/v1/inbox?station={world['east2']}").status_code == 403
    assert client.get("/api/v1/inbox?zone=West").status_code == 403

    item = client.get(f"/inbox/{world['events'][0]}").get_data(as_text=True)
    for answer in ("1. रेटिंग", "2. नाम", "3. मोबाइल", "4. शिकायत की तारीख", "5. शिकायत का प्रकार",
                   "6. संबंधित अधिकारी", "7. आगंतुक के शब्द", "8. थाने की सफ़ाई", "9. स्टाफ उपलब्ध",
                   "10. स्टाफ ने मदद की", "11. समस्या हल हुई"):  # fmt: skip
        assert answer in item
    assert "SI Ramesh Kumar" in item and PHONE_HIDDEN in item
    assert VISITOR_NAME not in item and "+919876500000" not in item
    assert "reveal-form" not in item  # only the feedback cell may ask


def test_a_dcp_sees_their_zone_and_the_commissioner_every_zone_admin_and_ops_none(
    infra, police_app, world
):
    url = infra["DATABASE_URL"]
    dcp = bearer(token(url, Role.DCP, zone="East"))
    client = police_app.test_client()
    east2 = world["others"]["east2"]
    zone_items = ids(client.get(f"/api/v1/inbox?station={world['east2']}", headers=dcp))
    assert zone_items == [str(east2)]
    assert client.get(f"/api/v1/inbox/{world['others']['west']}", headers=dcp).status_code == 404
    assert client.get(f"/api/v1/inbox?station={world['west']}", headers=dcp).status_code == 403
    # the DCP's whole list of the last two days, every page walked (other tests' feedback
    # of the East zone is in it too)
    since = (NOW.astimezone(INDIA).date() - timedelta(days=1)).isoformat()
    everything, after = [], None
    while True:
        query = f"since={since}&limit=200" + (f"&after={after}" if after else "")
        answer = client.get(f"/api/v1/inbox?{query}", headers=dcp).get_json()
        everything += [i["event_id"] for i in answer["items"]]
        assert {i["zone"] for i in answer["items"]} <= {"East"}
        after = answer["next_after"]
        if after is None:
            break
    assert str(world["others"]["west"]) not in everything and str(east2) in everything

    commissioner = bearer(token(url, Role.COMMISSIONER))
    west = client.get(f"/api/v1/inbox?station={world['west']}", headers=commissioner)
    assert ids(west) == [str(world["others"]["west"])]
    for role in (Role.ADMIN, Role.OPS):
        refused = client.get("/api/v1/inbox", headers=bearer(token(url, role)))
        assert refused.status_code == 403
        assert client.get("/inbox.csv", headers=bearer(token(url, role))).status_code == 403


def test_the_filters_narrow_the_list_and_keyset_pages_walk_it_once_each(infra, police_app, world):
    client = police_app.test_client()
    reader = bearer(token(infra["DATABASE_URL"], Role.COMMISSIONER))
    ev = [str(e) for e in world["events"]]

    def found(query: str) -> list[str]:
        answer = client.get(f"/api/v1/inbox?station={world['east']}&{query}", headers=reader)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return ids(answer)

    assert found("stars=1,2") == ev[:2]
    assert found("stars=5") == [ev[2]]
    assert found("resolved=no") == ev[:2]
    assert found("helped=no") == [ev[0], ev[3]]
    assert found("type=theft") == [ev[1], ev[2]]
    assert found("officer=ramesh") == [ev[0]]
    # the officer's name in any script, order, rank or spacing: its key, not its letters
    assert found("officer=रमेश") == [ev[0]]
    assert found("officer=Ramesh  Kumar SI") == [ev[0]]
    assert found("officer=श्री रमेश कुमार जी") == [ev[0]]
    assert found("officer=यादव") == [ev[1]]
    assert found("officer=Suresh") == []
    assert found("language=en") == [ev[1], ev[2]]
    # Hindi, English and Hinglish meet: सुनवाई / sunwai, FIR / fir, achha / अच्छा
    assert found("text=sunwai") == [ev[0]]
    assert found("text=सुनवाई नहीं") == [ev[0]]
    assert found("text=fir") == [ev[1]]
    assert found("text=अच्छा") == [ev[2]]
    assert found("text=achha vyavhaar") == [ev[2]]
    assert found("text=achha sunwai") == []  # every word must be there
    assert found("text=98765") == []  # numbers are masked, so not searchable
    today = NOW.astimezone(INDIA).date()
    assert found(f"since={(today - timedelta(days=11)).isoformat()}"
                 f"&until={(today - timedelta(days=9)).isoformat()}") == [ev[4]]  # fmt: skip
    assert found("resolved=yes&helped=yes&stars=3") == [ev[4]]
    listed = client.get(f"/api/v1/inbox?station={world['east']}&type=traffic", headers=reader)
    assert (
        listed.get_json()["items"][0]["complaint_date"]
        == (date.today() - timedelta(days=3)).isoformat()
    )

    walked, after, pages = [], None, 0
    while True:
        query = f"station={world['east']}&limit=2" + (f"&after={after}" if after else "")
        answer = client.get(f"/api/v1/inbox?{query}", headers=reader).get_json()
        walked += [i["event_id"] for i in answer["items"]]
        pages += 1
        after = answer["next_after"]
        if after is None:
            break
    assert walked == ev and pages == 3


def test_the_officer_filter_follows_the_admin_s_merge(infra, police_app, world):
    client = police_app.test_client()
    url = infra["DATABASE_URL"]
    reader = bearer(token(url, Role.COMMISSIONER))
    admin = bearer(token(url, Role.ADMIN))
    ev = [str(e) for e in world["events"]]

    def found(asked: str) -> list[str]:
        answer = client.get(f"/api/v1/inbox?station={world['east']}&officer={asked}",
                            headers=reader)  # fmt: skip
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return ids(answer)

    assert found("Ramesh") == [ev[0]]
    merged = client.post(
        f"/api/v1/admin/stations/{world['east']}/officers/merge",
        json={"names": [officer_key("HC Yadav")], "into": officer_key("Ramesh Kumar")},
        headers=admin,
    )
    assert merged.status_code == 200, merged.get_data(as_text=True)
    # "HC Yadav" is now one of Ramesh Kumar's names at this station, and at no other
    assert found("Ramesh") == ev[:2]
    assert found("रमेश कुमार") == ev[:2]
    assert found("Yadav") == [ev[1]]


@pytest.mark.parametrize(
    "query",
    ["stars=6", "stars=a", "text=!!!", "resolved=maybe", "since=2026-13-01", "since=tomorrow",
     "type=burglary", "language=fr", "after=garbage", "limit=0", "limit=201", "limit=५"],
)  # fmt: skip
def test_a_bad_filter_is_a_clear_400_for_the_api_and_the_page(infra, police_app, query):
    client = police_app.test_client()
    reader = bearer(token(infra["DATABASE_URL"], Role.COMMISSIONER))
    answer = client.get(f"/api/v1/inbox?{query}", headers=reader)
    assert answer.status_code == 400
    assert query.split("=")[0] in answer.get_json()["error"]
    assert client.get(f"/inbox.csv?{query}", headers=reader).status_code == 400


def test_an_sho_records_an_action_on_a_feedback_which_the_inbox_shows_and_the_audit_log_keeps(
    infra, police_app, world
):
    url = infra["DATABASE_URL"]
    sho = officer(url, Role.SHO, station_code=world["east"])
    client, csrf = signed_in(police_app, sho)
    event = world["events"][0]
    today = datetime.now(INDIA).date().isoformat()

    refused = client.post(f"/inbox/{event}/actions",
                          data={"csrf_token": csrf, "text": "ok", "taken_on": today})  # fmt: skip
    assert refused.status_code == 422
    assert "कम से कम 5" in refused.get_data(as_text=True)
    future = (datetime.now(INDIA).date() + timedelta(days=1)).isoformat()
    refused = client.post(f"/inbox/{event}/actions", data={
        "csrf_token": csrf, "text": "FIR registered", "taken_on": future})  # fmt: skip
    assert refused.status_code == 422 and "FIR registered" in refused.get_data(as_text=True)

    done = client.post(f"/inbox/{event}/actions", data={
        "csrf_token": csrf, "taken_on": today,
        "text": "FIR दर्ज की, शिकायतकर्ता को 98765 43210 पर सूचना दी"})  # fmt: skip
    assert done.status_code == 303
    item = client.get(f"/inbox/{event}").get_data(as_text=True)
    assert "FIR दर्ज की" in item and PHONE_HIDDEN in item and "98765 43210" not in item
    listed = client.get("/api/v1/inbox?stars=1").get_json()["items"]
    assert [i["actions"] for i in listed if i["event_id"] == str(event)] == [1]
    station = client.get(f"/stations/{world['east']}").get_data(as_text=True)
    assert "FIR दर्ज की" in station
    assert [(a, who) for a, who, _ in audit_lines(url, str(event))] == [
        ("feedback.action", sho.username)
    ]

    api = client.post(f"/api/v1/inbox/{event}/actions", json={"text": "x"},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert api.status_code == 422 and "text" in api.get_json()["errors"]
    other = world["others"]["east2"]
    elsewhere = client.post(f"/inbox/{other}/actions", data={
        "csrf_token": csrf, "text": "not my station", "taken_on": today})  # fmt: skip
    assert elsewhere.status_code == 404
    dcp = bearer(token(url, Role.DCP, zone="East"))
    assert police_app.test_client().post(
        f"/api/v1/inbox/{event}/actions", json={"text": "a DCP's words", "taken_on": today},
        headers=dcp,
    ).status_code == 403  # fmt: skip


def test_an_sho_records_an_action_on_an_alert_of_their_station_only(infra, police_app, world):
    url = infra["DATABASE_URL"]
    alert = put_alert(url, world["east"])
    other_alert = put_alert(url, world["east2"])
    sho_token = bearer(token(url, Role.SHO, station_code=world["east"]))
    client = police_app.test_client()
    today = datetime.now(INDIA).date().isoformat()

    stored = client.post(f"/api/v1/alerts/{alert}/actions", headers=sho_token,
                         json={"text": "बीट स्टाफ की बैठक ली", "taken_on": today})  # fmt: skip
    assert stored.status_code == 201
    assert stored.get_json()["alert_id"] == str(alert)
    early = (datetime.now(INDIA).date() - timedelta(days=5)).isoformat()
    refused = client.post(f"/api/v1/alerts/{alert}/actions", headers=sho_token,
                          json={"text": "before the alert", "taken_on": early})  # fmt: skip
    assert refused.status_code == 422 and "taken_on" in refused.get_json()["errors"]
    assert (
        client.post(
            f"/api/v1/alerts/{other_alert}/actions",
            headers=sho_token,
            json={"text": "not mine at all", "taken_on": today},
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/alerts/not-an-id/actions",
            headers=sho_token,
            json={"text": "not an alert", "taken_on": today},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/alerts/{alert}/actions",
            headers=sho_token,
            data="[]",
            content_type="application/json",
        ).status_code
        == 400
    )

    sho = officer(url, Role.SHO, station_code=world["east"])
    browser, csrf = signed_in(police_app, sho)
    refused_form = browser.post(
        f"/alerts/{alert}/actions",
        data={"csrf_token": csrf, "text": "before the alert was raised", "taken_on": early},
    )
    assert refused_form.status_code == 422
    assert "before the alert was raised" in refused_form.get_data(as_text=True)
    done = browser.post(
        f"/alerts/{alert}/actions", data={"csrf_token": csrf, "text": "गश्त बढ़ाई", "taken_on": today}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("#alerts")
    page = browser.get(f"/stations/{world['east']}").get_data(as_text=True)
    assert "गश्त बढ़ाई" in page
    assert f'data-alert="{alert}"' in page and "बीट स्टाफ की बैठक ली" in page
    assert str(other_alert) not in page
    assert [a for a, _, _ in audit_lines(url, str(alert))] == ["alert.action", "alert.action"]


def test_the_feedback_cell_reveals_with_a_reason_and_marks_a_call_back_without_the_name(
    infra, police_app, world
):
    url = infra["DATABASE_URL"]
    cell = officer(url, Role.FEEDBACK_CELL)
    client, csrf = signed_in(police_app, cell)
    event = world["events"][1]

    item = client.get(f"/inbox/{event}").get_data(as_text=True)
    assert "reveal-form" in item and VISITOR_NAME not in item
    shown = client.post(
        f"/stations/{world['east']}/feedback/{event}/identity",
        data={"csrf_token": csrf, "purpose": "callback", "reason": "calling back about the FIR"},
    )
    assert shown.status_code == 200 and VISITOR_NAME in shown.get_data(as_text=True)

    refused = client.post(
        f"/inbox/{event}/callbacks", data={"csrf_token": csrf, "outcome": "maybe", "note": ""}
    )
    assert refused.status_code == 422
    done = client.post(
        f"/inbox/{event}/callbacks",
        data={
            "csrf_token": csrf,
            "outcome": "not_satisfied",
            "note": "Sunita ji said the FIR is still pending; her other number 91234 56789",
        },
    )
    assert done.status_code == 303
    answer = client.get(f"/api/v1/inbox/{event}", headers={"Accept": "application/json"})
    callbacks = answer.get_json()["callbacks"]
    assert [c["outcome"] for c in callbacks] == ["not_satisfied"]
    assert "Sunita" not in callbacks[0]["note"] and "91234 56789" not in callbacks[0]["note"]
    assert [a for a, _, _ in audit_lines(url, str(event))] == ["identity.view", "feedback.callback"]

    sho = officer(url, Role.SHO, station_code=world["east"])
    sho_client, sho_csrf = signed_in(police_app, sho)
    seen = sho_client.get(f"/inbox/{event}").get_data(as_text=True)
    assert "FIR is still pending" in seen and "Sunita" not in seen
    assert "वापस कॉल · called back" in sho_client.get("/inbox").get_data(as_text=True)
    assert sho_client.post(f"/inbox/{event}/callbacks", data={
        "csrf_token": sho_csrf, "outcome": "satisfied"}).status_code == 403  # fmt: skip


def test_the_inbox_csv_has_the_facts_of_the_viewer_s_scope_and_no_identity(
    infra, police_app, world
):
    url = infra["DATABASE_URL"]
    client = police_app.test_client()
    sho = bearer(token(url, Role.SHO, station_code=world["east"]))
    answer = client.get("/inbox.csv?resolved=no", headers=sho)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    body = answer.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["event_id"] for r in rows] == [str(e) for e in world["events"][:2]]
    assert rows[0]["rating"] == "1" and rows[0]["problem_resolved"] == "false"
    assert PHONE_HIDDEN in rows[0]["comments"]
    assert VISITOR_NAME not in body and "+91987650000" not in body and "name" not in rows[0]
    assert client.get(f"/inbox.csv?station={world['west']}", headers=sho).status_code == 403

    ranking = client.get("/rankings.csv?window=30d", headers=sho)
    assert ranking.status_code == 200
    ranked = list(csv.DictReader(io.StringIO(ranking.get_data(as_text=True))))
    assert [r["station_code"] for r in ranked] == [world["east"]]
    everyone = client.get("/rankings.csv", headers=bearer(token(url, Role.COMMISSIONER)))
    codes = {
        r["station_code"] for r in csv.DictReader(io.StringIO(everyone.get_data(as_text=True)))
    }
    assert {world["east"], world["east2"], world["west"]} <= codes
    assert client.get("/rankings.csv?window=1y", headers=sho).status_code == 400


def test_the_csv_of_more_than_a_page_has_every_row_once(infra, police_app):
    url = infra["DATABASE_URL"]
    code = create_station(url, zone="South")["code"]
    made = put_many(url, code, 1005, "=SUM(A1)")
    reader = bearer(token(url, Role.COMMISSIONER))
    body = police_app.test_client().get(f"/inbox.csv?station={code}", headers=reader)
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    assert [r["event_id"] for r in rows] == [str(e) for e in made]
    assert rows[0]["comments"] == "'=SUM(A1)"  # a spreadsheet shows it, does not run it
