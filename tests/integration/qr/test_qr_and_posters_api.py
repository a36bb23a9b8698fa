"""QR images and posters from the API: the code decodes (zbar) to exactly the URL intake
accepts, posters carry both names, a zone's file has one page per active station."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.qr.support import new_station, pdf_pages, pdf_text, zbar

pytestmark = pytest.mark.integration


def loose(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_png_decodes_to_the_qr_url_and_intake_opens_the_form_from_it(
    qr_client, auth, client, tmp_path: Path
):
    body = new_station()
    qr_client.post("/api/v1/stations", json=body, headers=auth)
    code = body["code"]
    url = qr_client.get(f"/api/v1/stations/{code}/qr-url").json["url"]
    png = qr_client.get(f"/api/v1/stations/{code}/qr.png")
    image = tmp_path / "qr.png"
    image.write_bytes(png.data)

    assert png.mimetype == "image/png" and png.headers["Cache-Control"] == "no-store"
    assert zbar(image) == [url]
    parts = urlsplit(url)
    form = client.get(f"{parts.path}?{parts.query}")
    assert form.status_code == 200
    assert body["name_hi"] in form.get_data(as_text=True)


def test_the_image_size_and_border_are_parameters_and_are_checked(qr_client, auth, tmp_path):
    body = new_station()
    qr_client.post("/api/v1/stations", json=body, headers=auth)
    code = body["code"]

    small = qr_client.get(f"/api/v1/stations/{code}/qr.png?scale=4&border=2")
    large = qr_client.get(f"/api/v1/stations/{code}/qr.png")
    svg = qr_client.get(f"/api/v1/stations/{code}/qr.svg?scale=5")
    bad = qr_client.get(f"/api/v1/stations/{code}/qr.png?scale=0&border=99")

    assert len(small.data) < len(large.data)
    (tmp_path / "small.png").write_bytes(small.data)
    assert zbar(tmp_path / "small.png") == [
        qr_client.get(f"/api/v1/stations/{code}/qr-url").json["url"]
    ]
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"scale", "border"}
    assert qr_client.get("/api/v1/stations/GGN-NONE-X1/qr.png").status_code == 404


def test_the_poster_has_the_stations_hindi_and_english_names(qr_client, auth, tmp_path):
    body = new_station(name_en="Bhondsi Test", name_hi="भोंडसी परीक्षण")
    qr_client.post("/api/v1/stations", json=body, headers=auth)

    poster = qr_client.get(f"/api/v1/stations/{body['code']}/poster.pdf")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(poster.data)

    assert poster.mimetype == "application/pdf"
    text = pdf_text(pdf)
    assert "Bhondsi Test Police Station" in text
    assert loose("भोंडसी परीक्षण") in loose(text)
    assert "112" in text and "code version 1" in text
    assert pdf_pages(pdf) == 1


def test_a_zones_posters_have_one_page_per_active_station(qr_client, auth, zone, tmp_path):
    codes = []
    for i in range(3):
        body = new_station(zone, name_en=f"Zone test {i}")
        qr_client.post("/api/v1/stations", json=body, headers=auth)
        codes.append(body["code"])
    qr_client.delete(f"/api/v1/stations/{codes[1]}", headers=auth)

    answer = qr_client.get(f"/api/v1/zones/{zone}/posters.pdf")
    pdf = tmp_path / "zone.pdf"
    pdf.write_bytes(answer.data)

    assert answer.status_code == 200
    assert pdf_pages(pdf) == 2
    pages = pdf_text(pdf).split("\f")
    # Posters come in code order (how the print shop sorts them); the codes are random here.
    first, second = sorted([codes[0], codes[2]])
    assert first in pages[0] and second in pages[1]
    assert "Zone test 0" in pdf_text(pdf) and "Zone test 2" in pdf_text(pdf)
    assert "Zone test 1" not in pdf_text(pdf)
    assert qr_client.get("/api/v1/zones/Nowhere/posters.pdf").status_code == 404


def test_the_command_line_tool_writes_the_same_zone_posters_offline(
    qr_client, auth, zone, infra, tmp_path
):
    from services.qr.cli import main

    for i in range(2):
        qr_client.post("/api/v1/stations", json=new_station(zone, name_en=f"CLI {i}"), headers=auth)
    out = tmp_path / "zone.pdf"

    assert main(["posters", "--zone", zone, "--out", str(out)], env=infra) == 0
    assert pdf_pages(out) == 2
    assert "CLI 0 Police Station" in pdf_text(out)
    assert main(["posters", "--zone", "Nowhere", "--out", str(out)], env=infra) == 1
