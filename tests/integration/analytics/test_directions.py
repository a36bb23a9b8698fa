"""Directions on analytics' pages and API over the real PostgreSQL: the Commissioner's office
or a DCP (their zone only) directs, resting on feedback and alerts of the target; the SHO
acknowledges and reports compliance; bad input gets a clear 4xx; every write is audited;
an overdue direction is flagged; the before-and-after counts the real rows."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared import db
from shared.auth import Role
from shared.india import today_in_india
from tests.integration.analytics.conftest import signed_in
from tests.police import bearer, officer, token
from tests.support import create_station

pytestmark = pytest.mark.integration


def execute(database_url: str, sql: str, args: tuple = ()) -> list[tuple]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else []


def add_feedback(database_url: str, code: str, at: datetime, rating: int,
                 resolved: bool = True) -> str:  # fmt: skip
    event_id = str(uuid.uuid4())
    execute(
        database_url,
        "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
        " complaint_type, staff_available, staff_helped, problem_resolved, language)"
        " VALUES (%s, %s, 1, %s, %s, 'theft', true, true, %s, 'hi')",
        (event_id, code, at, rating, resolved),
    )
    return event_id


def add_alert(database_url: str, code: str) -> str:
    alert_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    execute(
        database_url,
        'INSERT INTO alerts (id, station_code, rule, "window", observed, baseline,'
        " notified_parts, raised_at, level_since, last_notified_at)"
        " VALUES (%s, %s, 'low_rating', '24h', '{}', '{}', '{}', %s, %s, %s)",
        (alert_id, code, now, now, now),
    )
    return alert_id


@pytest.fixture
def place(infra):
    """A zone of the test's own with two stations, and a station elsewhere."""
    url = infra["DATABASE_URL"]
    zone = "Z" + uuid.uuid4().hex[:8]
    execute(url, "INSERT INTO zones (code, name_en, name_hi) VALUES (%s, %s, %s)",
            (zone, f"Zone {zone}", f"ज़ोन {zone}"))  # fmt: skip
    return {
        "zone": zone,
        "a": create_station(url, zone=zone)["code"],
        "b": create_station(url, zone=zone)["code"],
        "other": create_station(url, zone="South")["code"],
    }


def due(days: int = 7) -> str:
    return (today_in_india() + timedelta(days=days)).isoformat()


def test_the_commissioner_directs_a_station_and_its_sho_acknowledges_and_complies(
    infra, police_app, place
):
    url = infra["DATABASE_URL"]
    low = add_feedback(url, place["a"], datetime.now(UTC) - timedelta(days=2), 1, False)
    alert = add_alert(url, place["a"])
    boss = bearer(token(url, Role.COMMISSIONER))
    api = police_app.test_client()

    made = api.post("/api/v1/directions", headers=boss, json={
        "station_code": place["a"], "what": "Hold a daily desk review of theft complaints",
        "why": "Low ratings on theft, call 98765 43210 for details", "due_on": due(),
        "feedback": [low], "alerts": [alert],
    })  # fmt: skip

    assert made.status_code == 201, made.get_json()
    direction = made.get_json()
    number = direction["id"]
    assert made.headers["Location"].endswith(f"/api/v1/directions/{number}")
    assert direction["stations"] == [place["a"]] and direction["pending"] == [place["a"]]
    assert "98765" not in direction["why"]  # contact details masked before they are stored
    assert [f["event_id"] for f in direction["feedback"]] == [low]
    assert [a["id"] for a in direction["alerts"]] == [alert]
    assert direction["overdue"] is False

    sho = officer(url, Role.SHO, station_code=place["a"])
    client, csrf = signed_in(police_app, sho)
    page = client.get(f"/directions/{number}").get_data(as_text=True)
    assert "Hold a daily desk review" in page and "पावती भेजें" in page
    answered = client.post(f"/directions/{number}/acknowledgement", data={
        "csrf_token": csrf, "text": "Received; review starts Monday",
        "reported_on": today_in_india().isoformat()})  # fmt: skip
    assert answered.status_code == 303
    again = client.post(f"/directions/{number}/acknowledgement", data={
        "csrf_token": csrf, "text": "Received again"})  # fmt: skip
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)

    sho_api = bearer(token(url, Role.SHO, station_code=place["a"]))
    complied = api.post(f"/api/v1/directions/{number}/compliance", headers=sho_api,
                        json={"text": "Daily review held; 12 complaints called back"})  # fmt: skip
    assert complied.status_code == 201, complied.get_json()
    assert complied.get_json()["complied"] == [place["a"]]
    assert complied.get_json()["pending"] == []

    shown = api.get(f"/api/v1/directions/{number}", headers=boss).get_json()
    assert [r["kind"] for r in shown["reports"]] == ["acknowledgement", "compliance"]
    assert shown["before_after"]["enough_data"] is False
    assert shown["before_after"]["words"]["stars"]["en"].startswith("Not enough data")

    actions = execute(url, "SELECT action, actor_name FROM audit_log WHERE target = %s"
                      " ORDER BY id", (f"direction:{number}",))  # fmt: skip
    assert [a for a, _ in actions] == [
        "direction.issue",
        "direction.acknowledgement",
        "direction.compliance",
    ]
    assert actions[1][1] == sho.username


def test_bad_directions_get_a_clear_4xx_and_store_nothing(infra, police_app, place):
    url = infra["DATABASE_URL"]
    boss = bearer(token(url, Role.COMMISSIONER))
    api = police_app.test_client()
    elsewhere = add_feedback(url, place["other"], datetime.now(UTC) - timedelta(days=1), 1)
    good = {"station_code": place["a"], "what": "Do the thing well", "why": "Because of it",
            "due_on": due()}  # fmt: skip
    before = execute(url, "SELECT count(*) FROM directions")[0][0]

    for change, words in (
        ({"what": "no"}, "what must be 5 to 2000"),
        ({"due_on": "2020-01-01"}, "due_on must be from today"),
        ({"due_on": "tomorrow"}, "due_on must be a date"),
        ({"station_code": "NO-SUCH"}, "there is no station"),
        ({"zone": place["zone"]}, "either a station or a zone"),
        ({"feedback": [elsewhere]}, "the target's own"),
        ({"alerts": ["not-an-id"]}, "ids"),
    ):
        answer = api.post("/api/v1/directions", headers=boss, json={**good, **change})
        assert answer.status_code == 400, change
        assert words in answer.get_json()["error"], (change, answer.get_json())
    assert api.post("/api/v1/directions", headers=boss, data="[1",
                    content_type="application/json").status_code == 400  # fmt: skip
    assert execute(url, "SELECT count(*) FROM directions")[0][0] == before


def test_a_dcp_directs_only_their_zone_and_each_station_reports(infra, police_app, place):
    url = infra["DATABASE_URL"]
    dcp = bearer(token(url, Role.DCP, zone=place["zone"]))
    api = police_app.test_client()
    body = {"what": "Put up the helpline board", "why": "Visitors could not find help",
            "due_on": due(3)}  # fmt: skip

    assert (
        api.post(
            "/api/v1/directions", headers=dcp, json={**body, "station_code": place["other"]}
        ).status_code
        == 403
    )
    made = api.post("/api/v1/directions", headers=dcp, json={**body, "zone": place["zone"]})
    assert made.status_code == 201
    number = made.get_json()["id"]
    assert made.get_json()["stations"] == sorted([place["a"], place["b"]])
    assert made.get_json()["issuer_zone"] == place["zone"]

    other_sho = bearer(token(url, Role.SHO, station_code=place["other"]))
    assert api.get(f"/api/v1/directions/{number}", headers=other_sho).status_code == 403
    assert api.post(f"/api/v1/directions/{number}/acknowledgement", headers=other_sho,
                    json={"text": "ok"}).status_code == 403  # fmt: skip
    sho_b = bearer(token(url, Role.SHO, station_code=place["b"]))
    early = api.post(f"/api/v1/directions/{number}/compliance", headers=sho_b,
                     json={"text": "done"})  # fmt: skip
    assert early.status_code == 400 and "acknowledge" in early.get_json()["error"]
    assert api.post(f"/api/v1/directions/{number}/acknowledgement", headers=sho_b,
                    json={"text": "seen"}).status_code == 201  # fmt: skip
    listed = api.get("/api/v1/directions", headers=sho_b).get_json()["items"]
    mine = [d for d in listed if d["id"] == number]
    assert mine and mine[0]["acknowledged"] == [place["b"]]
    assert mine[0]["pending"] == sorted([place["a"], place["b"]])
    assert api.get("/api/v1/directions/999999999", headers=dcp).status_code == 404
    # an ACP of the zone reads it; an admin sees no directions at all
    acp = bearer(token(url, Role.ACP, zone=place["zone"]))
    assert api.get(f"/api/v1/directions/{number}", headers=acp).status_code == 200
    assert api.get("/api/v1/directions", headers=bearer(token(url, Role.ADMIN))).status_code == 403


def test_an_overdue_direction_is_flagged_and_the_before_and_after_counts_real_rows(
    infra, police_app, place
):
    url = infra["DATABASE_URL"]
    boss = bearer(token(url, Role.COMMISSIONER))
    api = police_app.test_client()
    made = api.post("/api/v1/directions", headers=boss, json={
        "station_code": place["a"], "what": "Answer every theft complaint within a day",
        "why": "Visitors said nobody answered", "due_on": due(1)})  # fmt: skip
    number = made.get_json()["id"]
    # The direction was given 40 days ago and was due 20 days ago.
    issued = datetime.now(UTC) - timedelta(days=40)
    execute(url, "UPDATE directions SET issued_at = %s, issued_on = %s, due_on = %s WHERE id = %s",
            (issued, issued.date(), issued.date() + timedelta(days=20), number))  # fmt: skip
    # 20 ratings in the 28 days before (mean 2.5, 9 resolved), 22 in the 28 days after
    # (mean 3.5, 18 resolved): the figures of tests/unit/analytics/test_before_after.py
    before = [1] * 6 + [2] * 5 + [3] * 4 + [4] * 3 + [5] * 2
    after = [1] * 2 + [2] * 3 + [3] * 5 + [4] * 6 + [5] * 6
    for i, stars in enumerate(before):
        add_feedback(url, place["a"], issued - timedelta(days=1, hours=i), stars, i < 9)
    for i, stars in enumerate(after):
        add_feedback(url, place["a"], issued + timedelta(days=1, hours=i), stars, i < 18)
    add_feedback(url, place["a"], issued - timedelta(days=29), 5)  # outside both windows
    add_feedback(url, place["a"], issued + timedelta(days=29), 1)
    add_feedback(url, place["b"], issued + timedelta(days=2), 1)  # another station

    shown = api.get(f"/api/v1/directions/{number}", headers=boss).get_json()

    assert shown["overdue"] is True
    figures = shown["before_after"]
    assert figures["complete"] is True and figures["window_days"] == 28
    assert (figures["before"]["count"], figures["after"]["count"]) == (20, 22)
    assert figures["stars"]["low"] == pytest.approx(0.16876741828832642, rel=1e-8)
    assert figures["stars"]["high"] == pytest.approx(1.8312325817116735, rel=1e-8)
    assert figures["resolved"]["verdict"] == "up"

    commissioner = officer(url, Role.COMMISSIONER)
    client, _ = signed_in(police_app, commissioner)
    page = client.get(f"/directions/{number}").get_data(as_text=True)
    assert 'data-overdue="yes"' in page
    assert re.search(r'data-n="before">20<', page) and re.search(r'data-n="after">22<', page)
    assert "more than noise" in page and "शोर से अधिक" in page
    listing = client.get("/directions").get_data(as_text=True)
    row = re.search(rf'<tr data-direction="{number}"[^>]*>', listing)
    assert row and "overdue" in row[0]
