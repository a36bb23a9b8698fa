"""A4 posters: both scripts, the QR code scannable from the printed page, one page each."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from services.qr.config import NOTO
from services.qr.domain import qr_url
from services.qr.rendering import posters

KEY = b"unit-test-signing-key-0123456789"
FONTS = posters.Fonts.in_folder(NOTO)


def a_poster(code: str, name_en: str, name_hi: str, version: int = 2) -> posters.PosterStation:
    url = qr_url("http://127.0.0.1:8001", KEY, code, version)
    return posters.PosterStation(code, name_en, name_hi, "police", version, url)


def text_of(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return done.stdout


def loose(text: str) -> str:
    # pdftotext may split a syllable ("रेटि ंग"): compare without spaces.
    return re.sub(r"\s+", "", text)


def test_a_poster_names_the_station_in_hindi_and_english_with_112_and_the_version(
    tmp_path: Path,
) -> None:
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(
        posters.render([a_poster("GGN-SADAR", "Sadar Gurugram", "सदर गुरुग्राम", 3)], FONTS)
    )

    text = text_of(pdf)
    assert "Sadar Gurugram Police Station" in text
    assert loose("पुलिस थाना सदर गुरुग्राम") in loose(text)
    assert loose(posters.HEADLINE_HI) in loose(text)
    assert "Rate the service" in text
    assert "112" in text
    assert "code version 3" in text
    assert all(loose(hindi) in loose(text) for hindi, _ in posters.STEPS)


def test_the_qr_code_on_the_printed_page_decodes_to_the_stations_url(tmp_path: Path) -> None:
    poster = a_poster("GGN-SEC-56", "Sector 56", "सेक्टर 56", 4)
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(posters.render([poster], FONTS))

    # 100 dpi is a coarse "photo" of the page; the code is 110 mm wide on paper.
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    done = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True)
    assert done.stdout.splitlines() == [poster.url]


def test_several_stations_make_one_page_each(tmp_path: Path) -> None:
    stations = [a_poster(f"GGN-T{i}", f"Test {i}", f"परीक्षण {i}") for i in range(3)]
    pdf = tmp_path / "zone.pdf"
    pdf.write_bytes(posters.render(stations, FONTS))

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.MULTILINE)
    pages = text_of(pdf).split("\f")
    assert ["Test 0" in p for p in pages[:3]] == [True, False, False]
    assert "Test 2 Police Station" in pages[2]


def test_a_name_that_already_says_police_station_is_not_repeated() -> None:
    poster = a_poster("GGN-W", "Women Police Station Sector 51", "महिला थाना सेक्टर 51")
    assert posters.title_en(poster) == "Women Police Station Sector 51"
    assert posters.title_hi(poster) == "महिला थाना सेक्टर 51"
