"""From the print shop to a visitor's phone: a poster downloaded from the running QR
service is printed (rendered to an image), its QR code scanned (zbar), and the URL opens
the station's form at the running intake; after a rotation the old poster is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.qr.support import admin_token as new_admin_token
from tests.integration.qr.support import http, new_station, start_services, zbar
from tests.support import wait_until

pytestmark = pytest.mark.e2e


# The same services and token as the QR integration tests (tests/integration/qr/support.py).
@pytest.fixture(scope="session")
def running(stack_config, infra) -> dict[str, str]:
    return start_services(stack_config, infra)


@pytest.fixture(scope="session")
def admin_token(infra) -> str:
    return new_admin_token(infra["DATABASE_URL"], "e2e tests")[1]


def scan_poster(pdf: bytes, folder: Path) -> list[str]:
    (folder / "poster.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(folder / "poster.pdf"), str(folder / "page")],
        check=True,
        timeout=60,
    )
    return zbar(next(folder.glob("page*.png")))


def test_a_scanned_poster_opens_the_form_and_a_replaced_poster_is_refused(
    running, admin_token, tmp_path
):
    qr, intake = running["qr"], running["intake"]
    body = new_station(name_en="Poster Test", name_hi="पोस्टर परीक्षण")
    assert http("POST", f"{qr}/api/v1/stations", body, admin_token)[0] == 201

    status, headers, pdf = http("GET", f"{qr}/api/v1/stations/{body['code']}/poster.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    [scanned] = scan_poster(pdf, tmp_path)
    assert scanned.startswith(f"{intake}/s/{body['code']}?v=1&sig=")

    form = wait_until(lambda: (a := http("GET", scanned))[0] == 200 and a, timeout_s=60)
    assert "पोस्टर परीक्षण" in form[2].decode()

    rotate = f"{qr}/api/v1/stations/{body['code']}/qr/rotate"
    assert http("POST", rotate, {"reason": "poster torn"}, admin_token)[0] == 200
    refused = wait_until(lambda: (a := http("GET", scanned))[0] == 410 and a, timeout_s=60)
    assert "112" in refused[2].decode()
    new_poster = http("GET", f"{qr}/api/v1/stations/{body['code']}/poster.pdf")[2]
    (tmp_path / "new").mkdir()
    [rescanned] = scan_poster(new_poster, tmp_path / "new")
    assert "?v=2&sig=" in rescanned
    assert http("GET", rescanned)[0] == 200
