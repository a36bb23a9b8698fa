"""The station registry API on the real PostgreSQL and Kafka: every route, reads included,
needs the admin role; every change is on the stations topic and in the audit log, which
never holds a contact's number."""

from __future__ import annotations

import json

import pytest

from shared.auth import Role
from tests.integration.qr.support import (
    admin_token,
    audit_lines,
    new_station,
    revoke_token,
    token_id_of,
)
from tests.police import bearer, token

pytestmark = pytest.mark.integration
CONTACTS = ("address", "sho_name", "sho_mobile", "sho_email")


def records(tail) -> list[dict]:
    return [event for _, event in tail.events()]


def test_a_created_station_is_readable_and_announced_with_its_zone_contacts(
    qr_client, auth, zone, stations_tail
):
    body = new_station(zone, sho_mobile="98123 45678")

    created = qr_client.post("/api/v1/stations", json=body, headers=auth)

    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/stations/{body['code']}"
    assert created.json["sho_mobile"] == "+919812345678"
    assert (created.json["qr_version"], created.json["active"]) == (1, True)
    anonymous = qr_client.get(f"/api/v1/stations/{body['code']}")
    assert anonymous.status_code == 401 and "sho_email" not in anonymous.get_data(as_text=True)
    admin = qr_client.get(f"/api/v1/stations/{body['code']}", headers=auth).json
    assert admin["sho_email"] == body["sho_email"] and admin["name_hi"] == body["name_hi"]
    [(key, event)] = stations_tail.events()
    assert key == body["code"].encode()
    assert event["change"] == "created"
    assert (event["name_en"], event["zone"], event["qr_version"]) == (body["name_en"], zone, 1)
    assert event["revision"] == created.json["revision"]
    assert event["sho"]["mobile"] == "+919812345678"
    assert event["acp"]["name"] == "ACP Test" and event["dcp"]["email"] == "dcp@example.invalid"


def test_changes_without_a_valid_token_are_refused_and_change_nothing(
    qr_client, infra, zone, stations_tail
):
    token_id, revoked = admin_token(infra["DATABASE_URL"], "to be revoked")
    revoke_token(infra["DATABASE_URL"], token_id)
    body = new_station(zone)

    answers = [
        qr_client.post("/api/v1/stations", json=body),
        qr_client.post("/api/v1/stations", json=body, headers={"Authorization": "Bearer nope"}),
        qr_client.post(
            "/api/v1/stations", json=body, headers={"Authorization": f"Bearer {revoked}"}
        ),
        qr_client.post("/api/v1/stations", json=body, headers={"Authorization": revoked}),
        qr_client.post("/api/v1/stations/GGN-SADAR/qr/rotate", json={"reason": "x"}),
        qr_client.delete("/api/v1/stations/GGN-SADAR"),
    ]

    assert [a.status_code for a in answers] == [401] * 6
    assert answers[0].headers["WWW-Authenticate"].startswith("Bearer")
    assert "error" in answers[2].json
    assert records(stations_tail) == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_no_other_role_reads_or_changes_the_registry(qr_client, infra, zone, role):
    scope = {"station_code": "GGN-SADAR"} if role is Role.SHO else {}
    scope = {"zone": "East"} if role in (Role.DCP, Role.ACP) else scope
    other = bearer(token(infra["DATABASE_URL"], role, **scope))

    answers = [
        qr_client.get("/api/v1/stations", headers=other),
        qr_client.get("/api/v1/stations/GGN-SADAR", headers=other),
        qr_client.get("/api/v1/stations/GGN-SADAR/rotations", headers=other),
        qr_client.get("/api/v1/zones", headers=other),
        qr_client.post("/api/v1/stations", json=new_station(zone), headers=other),
        qr_client.patch("/api/v1/stations/GGN-SADAR", json={"sho_name": "X"}, headers=other),
        qr_client.post("/api/v1/stations/GGN-SADAR/qr/rotate", json={"reason": "x"},
                       headers=other),
        qr_client.patch(f"/api/v1/zones/{zone}", json={"acp_name": "X"}, headers=other),
    ]  # fmt: skip

    assert [a.status_code for a in answers] == [403] * len(answers)
    assert "+91" not in "".join(a.get_data(as_text=True) for a in answers)


def test_a_bad_token_on_a_read_is_refused(qr_client):
    answer = qr_client.get("/api/v1/stations/GGN-SADAR", headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401


def test_invalid_input_gets_422_with_an_error_per_field(qr_client, auth, stations_tail):
    answer = qr_client.post(
        "/api/v1/stations",
        json={"code": "bad code", "name_en": "", "name_hi": "Latin only", "zone": "East",
              "sho_mobile": "123", "sho_email": "x@", "nickname": "extra"},
        headers=auth,
    )  # fmt: skip

    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {
        "code", "name_en", "name_hi", "sho_mobile", "sho_email", "nickname",
    }  # fmt: skip
    not_json = qr_client.post("/api/v1/stations", data="code=X", headers=auth)
    assert not_json.status_code == 400
    assert records(stations_tail) == []


@pytest.mark.parametrize("code", ["GGN-NEWLINE\n", "GGN-NEWLINE\r\n"])
def test_a_code_the_table_refuses_is_a_field_error_rather_than_a_server_error(
    qr_client, auth, zone, stations_tail, code
):
    answer = qr_client.post("/api/v1/stations", json=new_station(zone, code=code), headers=auth)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["code"]
    assert records(stations_tail) == []


def test_an_unknown_zone_is_a_field_error(qr_client, auth):
    answer = qr_client.post("/api/v1/stations", json=new_station("Atlantis"), headers=auth)
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["zone"]


def test_a_duplicate_code_gets_409_and_an_unknown_one_404(qr_client, auth, zone):
    body = new_station(zone)
    assert qr_client.post("/api/v1/stations", json=body, headers=auth).status_code == 201

    again = qr_client.post("/api/v1/stations", json={**body, "name_en": "Other"}, headers=auth)

    assert again.status_code == 409
    assert "error" in again.json
    kept = qr_client.get(f"/api/v1/stations/{body['code']}", headers=auth)
    assert kept.json["name_en"] == body["name_en"]
    missing = "GGN-NO-SUCH-" + body["code"][-6:]
    assert qr_client.get(f"/api/v1/stations/{missing}", headers=auth).status_code == 404
    assert qr_client.patch(f"/api/v1/stations/{missing}", json={}, headers=auth).status_code == 404
    assert qr_client.get("/api/v1/stations/not%20a%20code", headers=auth).status_code == 404


def test_the_list_filters_by_zone_and_active_and_shows_the_sho_s_contacts(qr_client, auth, zone):
    codes = []
    for _ in range(3):
        body = new_station(zone)
        qr_client.post("/api/v1/stations", json=body, headers=auth)
        codes.append(body["code"])
    qr_client.delete(f"/api/v1/stations/{codes[0]}", headers=auth)

    def listed(query: str) -> list[dict]:
        return qr_client.get(f"/api/v1/stations?{query}", headers=auth).json["items"]

    everyone, active = listed(f"zone={zone}"), listed(f"zone={zone}&active=true")
    inactive = listed(f"zone={zone}&active=false")

    assert sorted(s["code"] for s in everyone) == sorted(codes)
    assert sorted(s["code"] for s in active) == sorted(codes[1:])
    assert [s["code"] for s in inactive] == [codes[0]]
    assert all(set(CONTACTS) <= set(s) for s in everyone)
    assert all(s["sho_mobile"] == "+919000000301" for s in active)
    assert qr_client.get("/api/v1/stations?active=maybe", headers=auth).status_code == 422
    assert qr_client.get(f"/api/v1/stations?zone={zone}").status_code == 401


def test_an_update_and_a_deactivation_are_each_published_with_a_new_revision(
    qr_client, auth, admin_token, infra, zone, stations_tail
):
    body = new_station(zone)
    created = qr_client.post("/api/v1/stations", json=body, headers=auth).json
    code = body["code"]

    updated = qr_client.patch(
        f"/api/v1/stations/{code}",
        json={"sho_name": "Insp. Kavita", "name_en": "New"},
        headers=auth,
    )
    locked = qr_client.patch(f"/api/v1/stations/{code}", json={"qr_version": 5}, headers=auth)
    gone = qr_client.delete(f"/api/v1/stations/{code}", headers=auth)

    assert updated.status_code == 200 and updated.json["sho_name"] == "Insp. Kavita"
    assert locked.status_code == 422 and list(locked.json["errors"]) == ["qr_version"]
    assert gone.status_code == 200 and gone.json["active"] is False
    events = records(stations_tail)
    assert [e["change"] for e in events] == ["created", "updated", "deactivated"]
    assert [e["active"] for e in events] == [True, True, False]
    assert events[1]["name_en"] == "New" and events[1]["sho"]["name"] == "Insp. Kavita"
    revisions = [e["revision"] for e in events]
    assert revisions[0] == created["revision"] and revisions == sorted(set(revisions))
    assert qr_client.get(f"/api/v1/stations/{code}/qr-url").status_code == 410
    assert qr_client.get(f"/api/v1/stations/{code}/poster.pdf").status_code == 410
    lines = audit_lines(infra["DATABASE_URL"], code)
    assert [(line["action"], line["actor_kind"]) for line in lines] == [
        ("station.create", "token"), ("station.update", "token"), ("station.update", "token"),
    ]  # fmt: skip
    assert {line["actor_id"] for line in lines} == {token_id_of(infra["DATABASE_URL"], admin_token)}
    assert json.loads(lines[1]["details"]) == {"fields": ["name_en", "sho_name"]}
    assert json.loads(lines[2]["details"]) == {"fields": ["active"]}
    assert "+91" not in json.dumps(lines) and "Kavita" not in json.dumps(lines)


def test_a_rotation_makes_a_new_version_with_an_audit_record_and_an_event(
    qr_client, auth, admin_token, infra, zone, stations_tail
):
    body = new_station(zone)
    qr_client.post("/api/v1/stations", json=body, headers=auth)
    code = body["code"]
    old_url = qr_client.get(f"/api/v1/stations/{code}/qr-url").json["url"]

    no_reason = qr_client.post(f"/api/v1/stations/{code}/qr/rotate", json={}, headers=auth)
    rotated = qr_client.post(
        f"/api/v1/stations/{code}/qr/rotate", json={"reason": "poster defaced"}, headers=auth
    )

    assert no_reason.status_code == 422 and list(no_reason.json["errors"]) == ["reason"]
    assert rotated.status_code == 200
    assert rotated.json["station"]["qr_version"] == 2
    new_url = qr_client.get(f"/api/v1/stations/{code}/qr-url").json
    assert new_url["qr_version"] == 2 and new_url["url"] == rotated.json["qr_url"]
    assert "v=2&sig=" in new_url["url"] and new_url["url"] != old_url
    [audit] = qr_client.get(f"/api/v1/stations/{code}/rotations", headers=auth).json["items"]
    assert (audit["from_version"], audit["to_version"], audit["reason"]) == (1, 2, "poster defaced")
    assert audit["rotated_by"].startswith("tests ") and audit["rotated_at"]
    assert qr_client.get(f"/api/v1/stations/{code}/rotations").status_code == 401
    token_id = token_id_of(infra["DATABASE_URL"], admin_token)
    assert rotation_token(infra["DATABASE_URL"], code) == token_id
    [line] = [
        x for x in audit_lines(infra["DATABASE_URL"], code) if x["action"] == "station.rotate"
    ]
    assert line["reason"] == "poster defaced"
    assert json.loads(line["details"]) == {"from_version": 1, "to_version": 2}
    events = records(stations_tail)
    assert [(e["change"], e["qr_version"]) for e in events] == [("created", 1), ("rotated", 2)]


def test_with_kafka_unreachable_a_change_is_refused_with_503_and_not_made(qr_config, auth, zone):
    from dataclasses import replace

    from services.qr.entrypoints.http import create_app
    from shared.config import Connections

    broken = replace(
        qr_config,
        connections=Connections("127.0.0.1:1", qr_config.connections.database_url),
        publish_timeout_s=1.0,
    )
    app = create_app(broken)
    client = app.test_client()
    body = new_station(zone)

    answer = client.post("/api/v1/stations", json=body, headers=auth)

    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert client.get(f"/api/v1/stations/{body['code']}", headers=auth).status_code == 404
    assert client.get("/readyz").json["failing"] == ["kafka"]


def test_zones_show_their_escalation_contacts_to_admins_alone(qr_client, auth, zone):
    admin = {z["code"]: z for z in qr_client.get("/api/v1/zones", headers=auth).json["items"]}
    anonymous = qr_client.get("/api/v1/zones")

    assert admin[zone]["acp"]["mobile"] == "+919000000201"
    assert admin[zone]["dcp"]["name"] == "DCP Test"
    assert admin[zone]["name_hi"] == "परीक्षण क्षेत्र" and "East" in admin
    assert anonymous.status_code == 401 and "+91" not in anonymous.get_data(as_text=True)


def test_a_zone_s_new_contacts_are_published_on_each_of_its_stations(
    qr_client, auth, infra, zone, stations_tail
):
    codes = sorted(new_station(zone)["code"] for _ in range(2))
    for code in codes:
        qr_client.post("/api/v1/stations", json=new_station(zone, code=code), headers=auth)

    changed = qr_client.patch(
        f"/api/v1/zones/{zone}", json={"dcp_name": "DCP Rao", "dcp_mobile": "98123 45670"},
        headers=auth,
    )  # fmt: skip
    refused = qr_client.patch(f"/api/v1/zones/{zone}", json={"acp_mobile": "1"}, headers=auth)
    missing = qr_client.patch("/api/v1/zones/Nowhere", json={"acp_name": "X"}, headers=auth)

    assert changed.status_code == 200 and changed.json["dcp"]["mobile"] == "+919812345670"
    assert changed.json["acp"]["name"] == "ACP Test"
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["acp_mobile"]
    assert missing.status_code == 404
    # Each station's records in order (one partition per key; none across stations).
    published = records(stations_tail)
    events = {c: [e for e in published if e["code"] == c] for c in codes}
    assert {c: [e["change"] for e in found] for c, found in events.items()} == {
        c: ["created", "updated"] for c in codes
    }
    assert {found[1]["dcp"]["name"] for found in events.values()} == {"DCP Rao"}
    assert all(found[1]["revision"] > found[0]["revision"] for found in events.values())
    [line] = audit_lines(infra["DATABASE_URL"], zone)
    assert (line["action"], json.loads(line["details"])) == (
        "zone.update", {"fields": ["dcp_mobile", "dcp_name"]},
    )  # fmt: skip


def rotation_token(database_url: str, code: str) -> int | None:
    from shared import db

    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT token_id FROM qr_rotations WHERE station_code = %s", (code,))
        return cur.fetchone()[0]
