"""Who may open analytics' pages and API, and what each role sees there: the app over
fakes and the in-memory gate (tests/unit/analytics/app_fakes.py)."""

from __future__ import annotations

import pytest

from shared.auth import Role
from shared.masking import PHONE_HIDDEN
from shared.scores import WindowStats
from tests.unit.analytics.app_fakes import (
    VISITOR_MOBILE,
    VISITOR_NAME,
    build_world,
    station_codes,
)

READ_URLS = (
    "/", "/?zone=East", "/stations/GGN-A", "/api/v1/rankings", "/api/v1/stations/GGN-A/scores",
    "/api/v1/stations/GGN-A/trend?days=7",
)  # fmt: skip


@pytest.fixture
def world():
    return build_world()


def test_without_a_sign_in_a_browser_is_sent_to_the_login_and_a_program_gets_401(world):
    client = world.client()

    for url in ("/", "/stations/GGN-A", "/audit"):
        answer = client.get(url, headers={"Accept": "text/html"})
        assert answer.status_code == 303 and "/login?next=" in answer.location, url
    for url in ("/api/v1/rankings", "/api/v1/stations/GGN-A/scores", "/api/v1/audit"):
        assert client.get(url).status_code == 401, url


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPS])
def test_the_it_cell_and_operations_may_not_read_feedback(world, role):
    headers = world.token(role)

    for url in (*READ_URLS, "/audit", "/api/v1/audit"):
        assert world.client().get(url, headers=headers).status_code == 403, url


def test_an_sho_s_dashboard_is_their_own_station_s_page(world):
    client, _ = world.signed_in(Role.SHO, station_code="GGN-A")

    answer = client.get("/")

    assert answer.status_code == 302 and answer.location.endswith("/stations/GGN-A")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Station GGN-A" in page and "← रैंकिंग" not in page


def test_an_sho_sees_only_their_own_station_in_pages_and_api(world):
    headers = world.token(Role.SHO, station_code="GGN-A")
    client = world.client()

    for url in ("/stations/GGN-A", "/api/v1/stations/GGN-A/scores",
                "/api/v1/stations/GGN-A/trend?days=7"):  # fmt: skip
        assert client.get(url, headers=headers).status_code == 200, url
    # Another station, of their zone or not, and a station that does not exist: all 403,
    # so that an SHO cannot even learn which codes exist.
    for code in ("GGN-B", "GGN-C", "GGN-NOWHERE"):
        for url in (f"/stations/{code}", f"/api/v1/stations/{code}/scores",
                    f"/api/v1/stations/{code}/trend"):  # fmt: skip
            assert client.get(url, headers=headers).status_code == 403, url
    ranking = client.get("/api/v1/rankings", headers=headers).json
    assert [i["station_code"] for i in ranking["items"]] == ["GGN-A"]
    of_zone = client.get("/api/v1/rankings?zone=east", headers=headers).json
    assert [i["station_code"] for i in of_zone["items"]] == ["GGN-A"]
    assert client.get("/api/v1/rankings?zone=West", headers=headers).status_code == 403


def test_an_sho_refused_another_station_s_page_in_a_browser_gets_a_page_saying_so(world):
    client, _ = world.signed_in(Role.SHO, station_code="GGN-A")

    answer = client.get("/stations/GGN-B", headers={"Accept": "text/html"})

    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "अनुमति नहीं" in page and "GGN-A, not GGN-B" in page


@pytest.mark.parametrize("role", [Role.DCP, Role.ACP])
def test_a_dcp_or_acp_sees_only_their_zone(world, role):
    headers = world.token(role, zone="East")
    client = world.client()

    dashboard = client.get("/", headers=headers).get_data(as_text=True)
    assert station_codes(dashboard) == {"GGN-A", "GGN-B"}
    assert '<option value="East"' in dashboard and '<option value="West"' not in dashboard
    assert "सभी · All" not in dashboard
    assert station_codes(client.get("/?zone=east", headers=headers).get_data(as_text=True)) == {
        "GGN-A", "GGN-B"
    }  # fmt: skip
    assert client.get("/?zone=West", headers=headers).status_code == 403
    ranking = client.get("/api/v1/rankings?window=30d", headers=headers).json
    assert ranking["zone"] == "East"
    assert {i["station_code"] for i in ranking["items"]} == {"GGN-A", "GGN-B"}
    assert client.get("/api/v1/rankings?zone=West", headers=headers).status_code == 403
    for code in ("GGN-A", "GGN-B"):
        assert client.get(f"/stations/{code}", headers=headers).status_code == 200
        assert client.get(f"/api/v1/stations/{code}/scores", headers=headers).status_code == 200
        assert client.get(f"/api/v1/stations/{code}/trend", headers=headers).status_code == 200
    for url in ("/stations/GGN-C", "/api/v1/stations/GGN-C/scores",
                "/api/v1/stations/GGN-C/trend", "/stations/GGN-NOWHERE"):  # fmt: skip
        assert client.get(url, headers=headers).status_code == 403, url


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.FEEDBACK_CELL])
def test_the_commissioner_s_office_and_the_feedback_cell_see_every_station(world, role):
    headers = world.token(role)
    client = world.client()

    assert station_codes(client.get("/", headers=headers).get_data(as_text=True)) == {
        "GGN-A", "GGN-B", "GGN-C"
    }  # fmt: skip
    assert station_codes(client.get("/?zone=West", headers=headers).get_data(as_text=True)) == {
        "GGN-C"
    }  # fmt: skip
    ranking = client.get("/api/v1/rankings", headers=headers).json
    assert [i["station_code"] for i in ranking["items"]] == ["GGN-C", "GGN-B", "GGN-A"]
    for code in ("GGN-A", "GGN-C"):
        assert client.get(f"/stations/{code}", headers=headers).status_code == 200
        assert client.get(f"/api/v1/stations/{code}/scores", headers=headers).status_code == 200
    missing = client.get("/api/v1/stations/GGN-NOWHERE/scores", headers=headers)
    assert (missing.status_code, missing.json) == (404, {"error": "no station GGN-NOWHERE"})


@pytest.mark.parametrize(
    ("role", "scope", "url"),
    [
        (Role.COMMISSIONER, {}, "/"),
        (Role.FEEDBACK_CELL, {}, "/stations/GGN-C"),
        (Role.DCP, {"zone": "East"}, "/"),
        (Role.ACP, {"zone": "West"}, "/stations/GGN-C"),
        (Role.SHO, {"station_code": "GGN-B"}, "/stations/GGN-B"),
    ],
)
def test_every_page_has_the_police_bar_with_the_reader_s_role_and_scope(world, role, scope, url):
    client, _ = world.signed_in(role, **scope)

    page = client.get(url).get_data(as_text=True)

    assert 'class="police-bar"' in page and "auth/static/auth.css" in page
    assert "साइन आउट · Sign out" in page
    bar = page.split('class="police-bar"', 1)[1].split("</nav>", 1)[0]
    expected_scope = scope.get("station_code") or (
        f"{scope['zone']} zone" if "zone" in scope else "all stations"
    )
    assert expected_scope in bar
    assert "<title>" in page and "Pratikriya</title>" in page


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.COMMISSIONER, {}), (Role.FEEDBACK_CELL, {}), (Role.DCP, {"zone": "East"}),
     (Role.SHO, {"station_code": "GGN-A"})],
)  # fmt: skip
def test_the_station_page_masks_numbers_in_visitors_words_and_never_shows_their_identity(
    role, scope
):
    world = build_world(
        comments="SHO ne madad nahi ki, mujhe 98765 43210 par call karein ya a.b@gmail.com",
        officer_name="SI Verma 9812398123",
    )
    client, _ = world.signed_in(role, **scope)

    page = client.get("/stations/GGN-A").get_data(as_text=True)

    assert "SHO ne madad nahi ki, mujhe " + PHONE_HIDDEN + " par call karein ya" in page
    assert "98765 43210" not in page and "a.b@gmail.com" not in page
    assert f"SI Verma {PHONE_HIDDEN}" in page and "9812398123" not in page
    assert VISITOR_NAME not in page and VISITOR_MOBILE[3:] not in page
    dashboard = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert VISITOR_NAME not in dashboard and VISITOR_MOBILE[3:] not in dashboard


def test_only_the_feedback_cell_s_station_page_offers_to_show_a_name_and_number(world):
    cell, _ = world.signed_in(Role.FEEDBACK_CELL)
    commissioner, _ = world.signed_in(Role.COMMISSIONER)

    offered = cell.get("/stations/GGN-A").get_data(as_text=True)
    not_offered = commissioner.get("/stations/GGN-A").get_data(as_text=True)

    action = f"/stations/GGN-A/feedback/{world.events['GGN-A']}/identity"
    assert "नाम और नंबर देखें · Show name and number" in offered
    assert f'action="{action}"' in offered and 'name="reason"' in offered
    assert "Show name and number" not in not_offered and "/identity" not in not_offered


@pytest.mark.parametrize(
    "url", ["/?window=1y", "/api/v1/rankings?window=1y", "/api/v1/stations/GGN-A/trend?days=0"]
)
def test_a_bad_window_or_day_count_is_400_for_a_reader(world, url):
    assert world.client().get(url, headers=world.token(Role.COMMISSIONER)).status_code == 400


def test_a_ranking_kept_for_the_city_is_never_what_an_sho_or_a_dcp_is_shown(world):
    # The commissioner's city-wide answer is kept for the next reader; an SHO and a DCP
    # asking next still get only their station and their zone.
    city = world.client().get("/api/v1/rankings", headers=world.token(Role.COMMISSIONER)).json
    assert {i["station_code"] for i in city["items"]} == {"GGN-A", "GGN-B", "GGN-C"}

    sho = world.client().get(
        "/api/v1/rankings", headers=world.token(Role.SHO, station_code="GGN-C")
    )
    dcp = world.client().get("/api/v1/rankings", headers=world.token(Role.DCP, zone="East"))
    assert [i["station_code"] for i in sho.json["items"]] == ["GGN-C"]
    assert {i["station_code"] for i in dcp.json["items"]} == {"GGN-A", "GGN-B"}


def test_the_city_wide_ranking_follows_new_scores_and_new_stations_at_once(world):
    headers = world.token(Role.COMMISSIONER)
    before = world.client().get("/api/v1/rankings", headers=headers).json
    assert before["items"][0]["station_code"] == "GGN-C"  # 4.0 stars on 7

    world.scores.put("GGN-A", "30d", WindowStats(count=50, rating_sum=250))  # 5.0 on 50
    world.reads.add_station("GGN-NEW", "West")
    after = world.client().get("/api/v1/rankings", headers=headers).json

    assert after["items"][0]["station_code"] == "GGN-A"
    assert after["items"][0]["count"] == 50
    assert "GGN-NEW" in {i["station_code"] for i in after["items"]}
