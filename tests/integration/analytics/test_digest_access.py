"""The digest's page and PDF for each police role over the real database, signed in through
/login: a DCP gets their zone's PDF and 403 for another zone's; the Commissioner's office the
city's or any zone's; an SHO, an admin and a visitor none; a bad or unfinished week 422."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest

from services.analytics.digest.week import last_complete
from shared.auth import Role
from tests.integration.analytics.conftest import signed_in
from tests.police import officer
from tests.support import create_station

pytestmark = pytest.mark.integration


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "d.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode().split())


def test_a_dcp_downloads_their_zone_s_digest_and_not_another_zone_s(infra, police_app, tmp_path):
    url = infra["DATABASE_URL"]
    mine = create_station(url, zone="South")["code"]
    week = str(last_complete(datetime.now(UTC)))
    client, _ = signed_in(police_app, officer(url, Role.DCP, zone="South"))

    page = client.get("/digest")
    assert page.status_code == 200
    assert f"/digest/{week}.pdf?zone=South" in page.get_data(as_text=True)
    answer = client.get(f"/digest/{week}.pdf?zone=South")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    text = text_of(answer.data, tmp_path)
    assert "South zone" in text and f"Test station {mine}" in text
    assert client.get(f"/digest/{week}.pdf").status_code == 200  # their own zone by default
    assert client.get(f"/digest/{week}.pdf?zone=East").status_code == 403
    assert client.get("/digest?zone=East").status_code == 403
    assert client.get("/digest/not-a-week.pdf").status_code == 422
    assert client.get("/digest/2999-01-04.pdf").status_code == 422


def test_the_commissioner_gets_the_city_s_digest_and_others_get_none(infra, police_app):
    url = infra["DATABASE_URL"]
    week = str(last_complete(datetime.now(UTC)))
    commissioner, _ = signed_in(police_app, officer(url, Role.COMMISSIONER))
    assert commissioner.get(f"/digest/{week}.pdf").status_code == 200
    assert commissioner.get(f"/digest/{week}.pdf?zone=East").status_code == 200
    assert commissioner.get(f"/digest/{week}.pdf?zone=Nowhere").status_code == 404
    station = create_station(url, zone="East")["code"]
    sho, _ = signed_in(police_app, officer(url, Role.SHO, station_code=station))
    assert sho.get(f"/digest/{week}.pdf").status_code == 403
    assert police_app.test_client().get(f"/digest/{week}.pdf").status_code in (302, 303, 401)
