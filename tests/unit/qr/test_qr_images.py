"""QR codes of a station's signed URL, decoded by a real decoder (zbar)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from services.intake.domain import check_code
from services.qr.domain import qr_url
from services.qr.rendering import qrcodes
from shared.events import Station

KEY = b"unit-test-signing-key-0123456789"


def zbar(path: Path) -> list[str]:
    done = subprocess.run(
        ["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, timeout=30
    )
    return done.stdout.splitlines()


def a_url(code: str = "GGN-SUSHANT-LOK", version: int = 12) -> str:
    return qr_url("https://feedback.gurugrampolice.example/", KEY, code, version)


def test_the_url_is_intakes_form_signed_for_the_code_version_and_intake_accepts_it() -> None:
    url = a_url("GGN-SADAR", 3)
    code = url.split("/s/")[1].split("?")[0]
    version = int(url.split("v=")[1].split("&")[0])
    sig = url.split("sig=")[1]

    assert url.startswith("https://feedback.gurugrampolice.example/s/GGN-SADAR?v=3&sig=")
    station = Station("GGN-SADAR", "Sadar", "सदर", "East", True, 3)
    assert check_code(station, version, sig, KEY) is None
    assert code == "GGN-SADAR"


@pytest.mark.parametrize(("scale", "border"), [(10, 4), (3, 4), (6, 1)])
def test_the_png_decodes_back_to_exactly_the_url(tmp_path: Path, scale: int, border: int) -> None:
    url = a_url()
    image = tmp_path / "qr.png"
    image.write_bytes(qrcodes.png(url, scale=scale, border=border))

    assert zbar(image) == [url]


def test_the_svg_is_an_svg_of_the_same_symbol(tmp_path: Path) -> None:
    url = a_url()
    svg = qrcodes.svg(url, scale=4).decode()

    assert svg.startswith("<?xml") and "<svg" in svg
    size = qrcodes.make(url).symbol_size(scale=4, border=4)[0]
    assert f'width="{size}"' in svg


def test_error_correction_is_high_and_the_version_is_the_smallest_that_fits() -> None:
    url = a_url()
    code = qrcodes.make(url)

    assert code.error == "H"
    assert not code.is_micro
    smaller = int(code.version) - 1
    with pytest.raises(ValueError):
        import segno

        segno.make(url, error="h", version=smaller, boost_error=False)


def test_the_pdf_drawing_covers_exactly_the_dark_modules() -> None:
    url = a_url()
    size, runs = qrcodes.dark_runs(url)
    matrix = qrcodes.make(url).matrix

    drawn = {(row, col + i) for row, col, length in runs for i in range(length)}
    dark = {(y, x) for y, line in enumerate(matrix) for x, bit in enumerate(line) if bit}
    assert size == len(matrix)
    assert drawn == dark
