"""Who may read and acknowledge which alerts, on the real PostgreSQL and the real stations
topic, through HTTP: real accounts and tokens (tests/police.py), the notifier app served on
a port of its own. An SHO gets their station's alerts and a 403 or 404 for any other; a DCP
or an ACP their zone's; a revoked token stops working within seconds; the signed link in an
alert's SMS and email needs no sign-in, and a forged one does nothing."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests

from services.notifier import acklink, usecases
from services.notifier.adapters.postgres import PostgresAlerts
from services.notifier.entrypoints.http import create_app
from shared.auth import Role
from shared.auth import accounts as auth_usecases
from shared.auth.accounts import Actor
from shared.events import StationScoresUpdated
from shared.scores import WindowStats
from tests import police
from tests.integration.notifier.conftest import Served
from tests.support import unique_mobile, wait_until

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def notifier(notifier_config):
    app = create_app(notifier_config)
    with Served(app) as served:
        yield served
    app.extensions["notifier"].stations.close()


@pytest.fixture
def a_station(new_station):
    return lambda zone: new_station(zone, sho_name="SHO Access", sho_mobile="+91" + unique_mobile())


def raise_alert(conn, deps, code: str) -> str:
    """A spike of unresolved problems at ``code``: one open alert; its id."""
    recent = WindowStats(count=12, unresolved=7)
    event = StationScoresUpdated(
        station_code=code, computed_at=NOW,
        windows={"1h": WindowStats(), "24h": recent,
                 "baseline_30d": WindowStats(count=300, unresolved=30)},
    )  # fmt: skip
    [outcome] = usecases.handle_scores(PostgresAlerts.on(conn), deps, event, NOW)
    return str(outcome.alert_id)


def listed(url: str, headers: dict[str, str], query: str = "") -> requests.Response:
    return requests.get(f"{url}/api/v1/alerts{query}", headers=headers, timeout=10)


def ack(url: str, headers: dict[str, str], alert_id: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/alerts/{alert_id}/ack", headers=headers, timeout=10)


def status_of(url: str, reader: dict[str, str], code: str) -> dict:
    [alert] = listed(url, reader, f"?station={code}").json()["items"]
    return alert


def test_an_sho_reads_and_acknowledges_their_station_s_alerts_and_no_other_s(
    infra, conn, deps, notifier, commissioner_token, a_station
):
    mine, other = a_station("East"), a_station("East")
    mine_alert, other_alert = (
        raise_alert(conn, deps, mine["code"]),
        raise_alert(conn, deps, other["code"]),
    )
    sho = police.bearer(police.token(infra["DATABASE_URL"], Role.SHO, station_code=mine["code"]))
    reader = police.bearer(commissioner_token)

    own = listed(notifier.url, sho)
    theirs = listed(notifier.url, sho, f"?station={other['code']}")
    refused = ack(notifier.url, sho, other_alert)
    unknown = ack(notifier.url, sho, str(uuid.uuid4()))
    done = ack(notifier.url, sho, mine_alert)

    assert own.status_code == 200
    assert {a["station_code"] for a in own.json()["items"]} == {mine["code"]}
    assert theirs.status_code == 403 and mine["code"] in theirs.json()["error"]
    assert refused.status_code == 403 and unknown.status_code == 404
    assert status_of(notifier.url, reader, other["code"])["status"] == "open"
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    assert status_of(notifier.url, reader, mine["code"])["acknowledged_by"] == "tests"


@pytest.mark.parametrize("role", [Role.DCP, Role.ACP])
def test_a_dcp_or_an_acp_reads_and_acknowledges_only_their_zone_s_alerts(
    infra, conn, deps, notifier, commissioner_token, a_station, role
):
    east, west = a_station("East"), a_station("West")
    east_alert, west_alert = (
        raise_alert(conn, deps, east["code"]),
        raise_alert(conn, deps, west["code"]),
    )
    officer = police.bearer(police.token(infra["DATABASE_URL"], role, zone="East"))
    reader = police.bearer(commissioner_token)

    zone = listed(notifier.url, officer, "?status=open&limit=1000").json()["items"]
    elsewhere = listed(notifier.url, officer, f"?station={west['code']}")
    refused = ack(notifier.url, officer, west_alert)
    done = ack(notifier.url, officer, east_alert)

    codes = {a["station_code"] for a in zone}
    assert east["code"] in codes and west["code"] not in codes
    assert elsewhere.status_code == 403 and "East zone" in elsewhere.json()["error"]
    assert refused.status_code == 403
    assert status_of(notifier.url, reader, west["code"])["status"] == "open"
    assert done.status_code == 200
    assert status_of(notifier.url, reader, east["code"])["status"] == "acknowledged"


def test_a_signed_in_acp_s_page_shows_their_zone_s_alert_and_its_button_acknowledges_it(
    infra, conn, deps, notifier, commissioner_token, a_station
):
    east, west = a_station("East"), a_station("West")
    east_alert = raise_alert(conn, deps, east["code"])
    raise_alert(conn, deps, west["code"])
    acp = police.officer(infra["DATABASE_URL"], Role.ACP, zone="East")
    session = police.sign_in(notifier.url, acp)

    page = session.get(f"{notifier.url}/alerts", timeout=10)
    button = f"{notifier.url}/alerts/{east_alert}/acknowledge"
    forged = session.post(button, data={"csrf_token": "not-it"}, allow_redirects=False, timeout=10)
    pressed = session.post(
        button, data={"csrf_token": session.csrf}, allow_redirects=False, timeout=10
    )
    after = session.get(f"{notifier.url}/alerts", timeout=10).text

    assert page.status_code == 200 and f'data-alert="{east_alert}"' in page.text
    assert east["name_hi"] in page.text and west["code"] not in page.text
    assert acp.username in page.text  # the bar at the top
    assert forged.status_code == 403
    assert pressed.status_code == 303 and urlsplit(pressed.headers["Location"]).path == "/alerts"
    row = re.search(rf'<tr data-alert="{east_alert}".*?</tr>', after, re.S)
    assert row and 'data-state="acknowledged"' in row[0] and acp.username in row[0]
    reader = police.bearer(commissioner_token)
    assert status_of(notifier.url, reader, east["code"])["acknowledged_by"] == acp.username


def test_without_a_sign_in_the_page_sends_the_browser_to_the_login_and_the_api_answers_401(
    notifier,
):
    page = requests.get(f"{notifier.url}/alerts", allow_redirects=False, timeout=10)
    api = requests.get(f"{notifier.url}/api/v1/alerts", timeout=10)

    assert page.status_code == 303 and page.headers["Location"].startswith("/login?next=")
    assert api.status_code == 401 and "error" in api.json()


def test_a_revoked_token_stops_working_within_seconds(infra, notifier):
    auth = police.store(infra["DATABASE_URL"])
    try:
        record, secret = auth_usecases.add_token(auth, Actor.cli(), Role.COMMISSIONER,
                                                 label="to be revoked")  # fmt: skip
        assert listed(notifier.url, police.bearer(secret), "?limit=1").status_code == 200
        auth_usecases.revoke_token(auth, Actor.cli(), record.id)
    finally:
        auth.pool.close()

    refused = wait_until(
        lambda: listed(notifier.url, police.bearer(secret), "?limit=1").status_code == 401,
        timeout_s=15, interval_s=0.2,
    )  # fmt: skip

    assert refused


def test_the_signed_link_acknowledges_without_a_sign_in_and_a_forged_one_does_nothing(
    conn, deps, notifier, notifier_config, commissioner_token, a_station
):
    station = a_station("South")
    alert_id = raise_alert(conn, deps, station["code"])
    link = acklink.link(notifier.url, notifier_config.ack_key, alert_id, NOW + timedelta(days=1))
    exp, sig = re.search(r"exp=(\d+)&sig=([^&]+)", link).groups()  # type: ignore[union-attr]
    reader = police.bearer(commissioner_token)

    opened = requests.get(link, timeout=10)
    forged = requests.post(
        link.split("?")[0],
        data={"exp": exp, "sig": ("A" if sig[0] != "A" else "B") + sig[1:]},
        timeout=10,
    )
    still_open = status_of(notifier.url, reader, station["code"])["status"]
    pressed = requests.post(link.split("?")[0], data={"exp": exp, "sig": sig}, timeout=10)

    assert opened.status_code == 200 and "Acknowledge" in opened.text
    assert forged.status_code == 403 and still_open == "open"
    assert pressed.status_code == 200
    alert = status_of(notifier.url, reader, station["code"])
    assert alert["status"] == "acknowledged" and alert["acknowledged_by"] == "signed link"
