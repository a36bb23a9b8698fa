"""The digest as an A4 PDF, Hindi first with English. Devanagari is shaped by HarfBuzz
(fpdf2's ``set_text_shaping``) with Noto Sans Devanagari from Debian's fonts-noto-core;
Latin letters come from Noto Sans as the fallback font. Names and figures only: the digest
holds no visitor's name, number or words."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from services.analytics.digest.figures import Digest, Move

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
RULES = {"low_rating": ("कम रेटिंग", "low ratings"), "unresolved": ("अनसुलझी", "unresolved")}


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _places(move: Move) -> str:
    p = move.places
    if p is None:
        return "-"
    return f"+{p}" if p > 0 else str(p)


class _Pdf(FPDF):
    def __init__(self, fonts: Path) -> None:
        super().__init__(format="A4")
        self.add_font("deva", "", str(fonts / "NotoSansDevanagari-Regular.ttf"))
        self.add_font("deva", "B", str(fonts / "NotoSansDevanagari-Bold.ttf"))
        self.add_font("latin", "", str(fonts / "NotoSans-Regular.ttf"))
        self.add_font("latin", "B", str(fonts / "NotoSans-Bold.ttf"))
        self.set_fallback_fonts(["latin"])
        self.set_text_shaping(True)
        self.set_auto_page_break(True, margin=15)

    def heading(self, hindi: str, english: str) -> None:
        self.ln(3)
        self.set_font("deva", "B", 12)
        self.cell(0, 7, f"{hindi} · {english}", new_x="LMARGIN", new_y="NEXT")

    def line_text(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font("deva", "B" if bold else "", size)
        self.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")

    def row(self, cells: list[str], widths: list[float], bold: bool = False) -> None:
        for text, width in zip(cells, widths, strict=True):
            size = 8.5  # smaller for a long name, so that it stays in its column
            self.set_font("deva", "B" if bold else "", size)
            while size > 5 and self.get_string_width(text) > width - 1:
                size -= 0.5
                self.set_font("deva", "B" if bold else "", size)
            self.cell(width, 5.6, text, border="B")
        self.ln()


def render(digest: Digest, fonts: Path = FONT_DIR) -> bytes:
    """The digest's PDF bytes."""
    pdf = _Pdf(fonts)
    pdf.add_page()
    week = digest.week
    scope_hi, scope_en = (
        ("पूरा शहर", "the whole city") if digest.zone is None
        else (f"{digest.zone_name[0] if digest.zone_name else digest.zone} ज़ोन",
              f"{digest.zone_name[1] if digest.zone_name else digest.zone} zone")
    )  # fmt: skip
    pdf.set_font("deva", "B", 16)
    pdf.cell(0, 9, "साप्ताहिक सारांश · Weekly digest", new_x="LMARGIN", new_y="NEXT")
    pdf.line_text(f"प्रतिक्रिया, गुरुग्राम पुलिस · Pratikriya, Gurugram Police — {scope_hi} · {scope_en}")
    pdf.line_text(
        f"सप्ताह · Week: {week.monday.isoformat()} – {week.sunday.isoformat()}"
        " (सोमवार से रविवार, भारतीय समय · Monday to Sunday, India time)"
    )
    pdf.heading("सप्ताह की प्रतिक्रियाएँ", "Feedback this week")
    pdf.line_text(
        f"इस सप्ताह: {digest.feedback_count}   ·   This week: {digest.feedback_count}"
        f"   (पिछला सप्ताह · previous week: {digest.previous_count})",
        size=11, bold=True,
    )  # fmt: skip

    pdf.heading("रैंकिंग में बदलाव", "The ranking's moves")
    pdf.line_text(
        "30 दिन की निष्पक्ष रैंकिंग, सप्ताह के आरंभ और अंत पर (शहर में स्थान) · The 30-day fair"
        " ranking at the week's start and end (place in the city)",
        size=8.5,
    )
    widths: list[float] = [54, 26, 24, 10, 26, 28, 22]
    pdf.row(["थाना · Station", "स्थान पहले · Before", "स्थान अब · Now", "±",
             "स्कोर अब · Score", "स्कोर पहले · Before", "सप्ताह · Week"], widths,
            bold=True)  # fmt: skip
    for m in digest.moves:
        pdf.row(
            [f"{m.station.name_hi} · {m.station.name_en}", _n(m.rank_before), _n(m.rank_after),
             _places(m), _score(m.score_after), _score(m.score_before), str(m.week_count)],
            widths,
        )  # fmt: skip

    pdf.heading("सबसे अधिक गिरावट", "Stations that fell most")
    if not digest.fallen:
        pdf.line_text("किसी थाने का स्कोर नहीं गिरा · No station's score fell")
    for m in digest.fallen:
        pdf.line_text(
            f"{m.station.name_hi} · {m.station.name_en}: {_score(m.score_before)} से · to "
            f"{_score(m.score_after)} ({m.score_change:+.2f}), स्थान · place "
            f"{_n(m.rank_before)} से · to {_n(m.rank_after)}"
        )

    pdf.heading("अभी खुले अलर्ट", "Alerts still open")
    pdf.line_text(f"सप्ताह के अंत पर · At the week's end: {len(digest.open_alerts)}", bold=True)
    for a in digest.open_alerts:
        hi, en = RULES.get(a.rule, (a.rule, a.rule))
        state = "स्वीकृत · acknowledged" if a.acknowledged else "खुला · open"
        pdf.line_text(
            f"{a.station.name_hi} · {a.station.name_en}: {hi} · {en}, स्तर · level {a.level},"
            f" {state}, {a.raised_at.date().isoformat()} से · since"
        )

    pdf.heading("समय-सीमा पार निर्देश", "Overdue directions")
    pdf.line_text(f"सप्ताह के अंत पर · At the week's end: {len(digest.overdue)}", bold=True)
    for d in digest.overdue:
        pdf.line_text(
            f"#{d.id} {d.target}: {d.what_text[:160]} — अंतिम तिथि · due {d.due_on.isoformat()}"
            f" ({d.days_overdue(digest.as_of)} दिन · days), अनुपालन बाकी · no compliance yet:"
            f" {', '.join(d.pending)}"
        )
    return bytes(pdf.output())
