"""Per officer and per complaint type over the real Kafka, PostgreSQL and Redis: the consumer
stores each feedback's officer and comment keys (and gives them to rows stored before), a
station's officers gather from the ways visitors typed their names, an admin merges and
splits them (audited) and the figures follow; complaint types per station and per zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.analytics.entrypoints.http import create_app
from shared import db
from shared.auth import Role
from shared.textkeys import KEY_VERSION, officer_key, query_key
from tests.integration.analytics.conftest import drain, make_event, signed_in
from tests.police import bearer, officer, token
from tests.support import create_station

pytestmark = pytest.mark.integration
RAMESH_KUMAR = officer_key("Ramesh Kumar")
SURESH = officer_key("Suresh")
# (officer typed, rating, complaint type, resolved)
TYPED = [
    ("SI Ramesh", 5, "theft", True),
    ("Ramesh Kumar SI", 4, "theft", False),
    ("रमेश", 3, "cyber_fraud", False),
    ("ramesh  kumar", 4, "cyber_fraud", False),
    ("Sh. Suresh ji", 2, "theft", True),
    ("सुरेश", 1, "theft", True),
    ("HC Mahesh 98123 98123", 1, "assault", False),
    ("", 5, "assault", True),
]


@pytest.fixture
def app(analytics_config):
    return create_app(replace(analytics_config, officer_min_count=2))


@pytest.fixture
def station(infra, make_consumer, publish, clock):
    made = create_station(infra["DATABASE_URL"], zone="Manesar")
    events = [
        make_event(made["code"], officer_name=name or None, rating=rating,
                   complaint_type=kind, problem_resolved=resolved,
                   submitted_at=clock.now - timedelta(hours=2 + n),
                   comments=f"SI ne rishwat maangi {n}" if n == 0 else f"थाने में देर हुई {n}")
        for n, (name, rating, kind, resolved) in enumerate(TYPED)
    ]  # fmt: skip
    publish(*events)
    drain(make_consumer(), len(events))
    return made, events


def rows(database_url: str, code: str) -> list[tuple]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT officer_name, officer_key, comment_key, text_key_version FROM feedback"
            " WHERE station_code = %s ORDER BY submitted_at DESC",
            (code,),
        )
        return cur.fetchall()


def found_by_search(database_url: str, code: str, query: str) -> int:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT count(*) FROM feedback WHERE station_code = %s"
            " AND to_tsvector('simple', coalesce(comment_key, ''))"
            " @@ plainto_tsquery('simple', %s)",
            (code, query_key(query)),
        )
        return int(cur.fetchone()[0])


def test_the_consumer_stores_each_feedbacks_officer_and_comment_keys(infra, station):
    made, _ = station
    stored = rows(infra["DATABASE_URL"], made["code"])
    assert [r[1] for r in stored] == [officer_key(t[0]) for t in TYPED]
    assert all(r[3] == KEY_VERSION for r in stored)
    assert "98123" not in " ".join(r[2] for r in stored)
    assert found_by_search(infra["DATABASE_URL"], made["code"], "रिश्वत") == 1
    assert found_by_search(infra["DATABASE_URL"], made["code"], "thane der hui") == len(TYPED) - 1
    assert found_by_search(infra["DATABASE_URL"], made["code"], "chori") == 0


def test_rows_stored_without_keys_get_them_from_the_worker(infra, station, make_consumer):
    made, _ = station
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute(
            "UPDATE feedback SET officer_key = NULL, comment_key = NULL, text_key_version = NULL"
            " WHERE station_code = %s",
            (made["code"],),
        )
    before = rows(infra["DATABASE_URL"], made["code"])
    assert {r[3] for r in before} == {None}

    make_consumer().rekey()

    after = rows(infra["DATABASE_URL"], made["code"])
    assert [r[1] for r in after] == [officer_key(t[0]) for t in TYPED]
    assert all(r[2] is not None and r[3] == KEY_VERSION for r in after)


def test_the_station_page_shows_officers_gathered_with_no_figure_below_the_minimum(
    infra, app, station
):
    made, _ = station
    sho = officer(infra["DATABASE_URL"], Role.SHO, station_code=made["code"])
    client, _ = signed_in(app, sho)

    answer = client.get(f"/api/v1/stations/{made['code']}/officers").json
    figures = {i["officer_key"]: (i["count"], i["avg_rating"]) for i in answer["items"]}
    assert figures == {RAMESH_KUMAR: (4, 4.0), SURESH: (2, 1.5)}
    assert answer["min_count"] == 2 and answer["not_shown"] == 1  # Mahesh, named once
    html = client.get(f"/stations/{made['code']}").get_data(as_text=True)
    assert f'data-officer="{RAMESH_KUMAR}"' in html and f'data-officer="{SURESH}"' in html
    table = html[html.index('<table class="scores officers">') :]
    table = table[: table.index("</table>")]
    assert "Mahesh" not in table and "98123" not in html
    assert "1 more officers with fewer than 2 responses" in html


def test_figures_per_complaint_type_for_the_station_and_its_zone(infra, app, station):
    made, _ = station
    dcp = officer(infra["DATABASE_URL"], Role.DCP, zone="Manesar")
    client, _ = signed_in(app, dcp)

    types = client.get(f"/api/v1/stations/{made['code']}/complaint-types").json["items"]
    by_type = {t["complaint_type"]: (t["count"], t["avg_rating"], t["unresolved_share"])
               for t in types}  # fmt: skip
    assert by_type == {"cyber_fraud": (2, 3.5, 1.0), "assault": (2, 3.0, 0.5),
                       "theft": (4, 3.0, 0.25)}  # fmt: skip
    assert [t["complaint_type"] for t in types] == ["cyber_fraud", "assault", "theft"]
    zone = client.get("/api/v1/zones/Manesar/complaint-types").json["items"]
    assert {t["complaint_type"] for t in zone} >= set(by_type)
    assert sum(t["count"] for t in zone) >= len(TYPED)
    page = client.get("/zones/manesar")
    assert page.status_code == 200 and 'data-type="cyber_fraud"' in page.get_data(as_text=True)

    east, _ = signed_in(app, officer(infra["DATABASE_URL"], Role.DCP, zone="East"))
    assert east.get("/zones/Manesar").status_code == 403
    assert east.get("/api/v1/zones/Manesar/complaint-types").status_code == 403
    sho, _ = signed_in(app, officer(infra["DATABASE_URL"], Role.SHO, station_code=made["code"]))
    assert sho.get("/zones/Manesar").status_code == 403
    assert east.get("/zones/Nowhere").status_code == 403  # no probing out of scope
    commissioner, _ = signed_in(app, officer(infra["DATABASE_URL"], Role.COMMISSIONER))
    assert commissioner.get("/zones/Nowhere").status_code == 404


def test_an_admin_merges_and_splits_names_the_figures_follow_and_the_audit_log_has_it(
    infra, app, station
):
    made, _ = station
    code = made["code"]
    admin = bearer(token(infra["DATABASE_URL"], Role.ADMIN))
    reader = bearer(token(infra["DATABASE_URL"], Role.COMMISSIONER))
    api = app.test_client()
    base = f"/api/v1/admin/stations/{code}/officers"

    gathered = api.get(base, headers=admin).json["items"]
    assert {o["officer_key"] for o in gathered} == {RAMESH_KUMAR, SURESH, officer_key("Mahesh")}
    assert all("count" not in o and "avg_rating" not in o for o in gathered)
    assert api.get(base, headers=reader).status_code == 403
    assert api.post(f"{base}/merge", json={"names": [SURESH]}, headers=reader).status_code == 403

    refused = api.post(f"{base}/merge", json={"names": ["nobody"], "into": SURESH}, headers=admin)
    assert refused.status_code == 422 and "error" in refused.json
    assert api.post(f"{base}/merge", data="names", headers=admin).status_code == 400

    merged = api.post(f"{base}/merge", json={"names": [SURESH], "into": RAMESH_KUMAR},
                      headers=admin)  # fmt: skip
    assert merged.status_code == 200
    figures = api.get(f"/api/v1/stations/{code}/officers", headers=reader).json["items"]
    assert [(o["officer_key"], o["count"], o["avg_rating"]) for o in figures] == [
        (RAMESH_KUMAR, 6, 3.17)
    ]

    split = api.post(f"{base}/split", json={"name": officer_key("रमेश")}, headers=admin)
    assert split.status_code == 200
    figures = api.get(f"/api/v1/stations/{code}/officers", headers=reader).json
    # "SI Ramesh" and "रमेश" (one name: "Ramesh") leave Ramesh Kumar, who keeps Suresh's two
    assert [(o["officer_key"], o["count"]) for o in figures["items"]] == [
        (RAMESH_KUMAR, 4),
        (officer_key("Ramesh"), 2),
    ]
    assert figures["not_shown"] == 1  # Mahesh, named once

    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT action, actor_kind, details->>'into' FROM audit_log WHERE target = %s"
            " AND action LIKE 'officer.%%' ORDER BY id",
            (code,),
        )
        assert cur.fetchall() == [("officer.merge", "token", RAMESH_KUMAR),
                                  ("officer.split", "token", None)]  # fmt: skip
