"""A4 posters, Hindi first and English, with the station's QR code: one page per station.

Devanagari needs shaping (conjuncts, vowel signs placed before or above the consonant), so
the PDF is set with fpdf2's HarfBuzz shaping (``uharfbuzz``) and embeds Noto Sans
Devanagari; Latin letters, which that font lacks, come from Noto Sans as a fallback font.
The QR code is drawn as vector rectangles, sharp at any print size: 110 mm wide, large
enough to scan from well over a metre away (a phone needs roughly a tenth of the distance).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from services.qr.rendering import qrcodes

QR_SIDE_MM = 110.0
NAVY = (16, 42, 92)
RED = (190, 30, 45)
KIND_HI = {"police": "पुलिस थाना", "cyber": "साइबर पुलिस थाना", "women": "महिला पुलिस थाना"}
KIND_EN = {
    "police": "Police Station",
    "cyber": "Cyber Police Station",
    "women": "Women Police Station",
}
HEADLINE_HI = "इस थाने की सेवा को रेटिंग दें"
HEADLINE_EN = "Rate the service at this police station"
STEPS = (
    ("फ़ोन के कैमरे से यह QR कोड स्कैन करें।", "Scan this QR code with your phone's camera."),
    ("स्टार चुनें और बताएँ कि क्या हुआ।", "Choose the stars and tell us what happened."),
    (
        "भेजें दबाएँ। आपकी राय सीधे पुलिस आयुक्त कार्यालय पहुँचती है।",
        "Press Submit. Your feedback goes straight to the Commissioner's office.",
    ),
)
EMERGENCY = "आपात स्थिति में 112 डायल करें  |  Emergency? Dial 112"


@dataclass(frozen=True)
class PosterStation:
    """What a poster shows of a station."""

    code: str
    name_en: str
    name_hi: str
    kind: str
    qr_version: int
    url: str  # the signed URL the QR code holds


@dataclass(frozen=True)
class Fonts:
    latin: Path
    latin_bold: Path
    devanagari: Path
    devanagari_bold: Path

    @classmethod
    def in_folder(cls, folder: Path) -> Fonts:
        return cls(
            folder / "NotoSans-Regular.ttf",
            folder / "NotoSans-Bold.ttf",
            folder / "NotoSansDevanagari-Regular.ttf",
            folder / "NotoSansDevanagari-Bold.ttf",
        )


def title_hi(station: PosterStation) -> str:
    """ "पुलिस थाना सदर गुरुग्राम", unless the name says "थाना" already."""
    if "थाना" in station.name_hi:
        return station.name_hi
    return f"{KIND_HI.get(station.kind, KIND_HI['police'])} {station.name_hi}"


def title_en(station: PosterStation) -> str:
    """ "Sadar Gurugram Police Station", unless the name says "police station" already."""
    if "police station" in station.name_en.lower():
        return station.name_en
    return f"{station.name_en} {KIND_EN.get(station.kind, KIND_EN['police'])}"


def _document(fonts: Fonts) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.add_font("deva", "", str(fonts.devanagari))
    pdf.add_font("deva", "B", str(fonts.devanagari_bold))
    pdf.add_font("latin", "", str(fonts.latin))
    pdf.add_font("latin", "B", str(fonts.latin_bold))
    pdf.set_text_shaping(True)
    # Hindi lines are set in Noto Sans Devanagari; "QR", "112" and English come from Noto Sans.
    pdf.set_fallback_fonts(["latin"], exact_match=False)
    pdf.set_creator("Pratikriya")
    return pdf


def _line(pdf: FPDF, text: str, *, font: str, style: str, size: float, height: float) -> None:
    """One centred line, its font made smaller until it fits the width (long names)."""
    pdf.set_font(font, style, size)
    while size > 8 and pdf.get_string_width(text) > pdf.epw:
        size -= 1
        pdf.set_font(font, style, size)
    pdf.set_x(pdf.l_margin)
    pdf.cell(w=pdf.epw, h=height, text=text, align="C", new_x="LMARGIN", new_y="NEXT")


def _qr(pdf: FPDF, url: str, x: float, y: float, side: float) -> None:
    size, runs = qrcodes.dark_runs(url)
    module = side / size
    pdf.set_fill_color(0, 0, 0)
    for row, col, length in runs:
        pdf.rect(x + col * module, y + row * module, length * module, module, style="F")


def _page(pdf: FPDF, station: PosterStation) -> None:
    pdf.add_page()
    pdf.set_text_color(255, 255, 255)
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, 210, 42, style="F")
    pdf.set_y(8)
    _line(pdf, HEADLINE_HI, font="deva", style="B", size=26, height=15)
    _line(pdf, HEADLINE_EN, font="latin", style="", size=15, height=9)

    pdf.set_text_color(*NAVY)
    pdf.set_y(47)
    _line(pdf, title_hi(station), font="deva", style="B", size=28, height=15)
    _line(pdf, title_en(station), font="latin", style="B", size=18, height=10)

    top = 76.0
    _qr(pdf, station.url, (210 - QR_SIDE_MM) / 2, top, QR_SIDE_MM)

    pdf.set_text_color(20, 20, 20)
    pdf.set_y(top + QR_SIDE_MM + 6)
    for number, (hindi, english) in enumerate(STEPS, start=1):
        _line(pdf, f"{number}. {hindi}", font="deva", style="", size=15, height=8)
        _line(pdf, english, font="latin", style="", size=11, height=6.5)
        pdf.ln(1.5)

    pdf.set_fill_color(*RED)
    pdf.rect(0, 262, 210, 18, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_y(264.5)
    _line(pdf, EMERGENCY, font="deva", style="B", size=19, height=13)

    pdf.set_text_color(90, 90, 90)
    pdf.set_y(284)
    small = f"कोड संस्करण / code version {station.qr_version}  ·  {station.code}"
    _line(pdf, small, font="deva", style="", size=8, height=5)


def render(stations: Iterable[PosterStation], fonts: Fonts) -> bytes:
    """One A4 page per station, in the order given."""
    pdf = _document(fonts)
    for station in stations:
        _page(pdf, station)
    if pdf.page == 0:
        raise ValueError("no stations to print")
    return bytes(pdf.output())
