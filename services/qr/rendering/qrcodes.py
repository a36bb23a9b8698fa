"""QR symbols of a station's signed URL, as PNG, SVG or a list of dark squares for a PDF.

Error correction is H (about 30 % of the symbol can be lost): posters hang for years on
station walls, where they get scuffed, taped over at a corner and faded by the sun. segno
picks the smallest symbol version that holds the URL at that level (version 8, 49 modules,
for a 60-character URL); at poster size each module is still about 2 mm wide.
"""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "h"


def make(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_CORRECTION, micro=False, boost_error=False)


def png(url: str, *, scale: int = 10, border: int = 4) -> bytes:
    """A PNG of the symbol: ``scale`` pixels per module, ``border`` modules of quiet zone
    (4 is what the standard asks for). The defaults give about 650 px for a typical URL,
    5.5 cm at 300 dpi."""
    out = io.BytesIO()
    make(url).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def svg(url: str, *, scale: int = 10, border: int = 4) -> bytes:
    out = io.BytesIO()
    make(url).save(out, kind="svg", scale=scale, border=border, xmldecl=True, svgns=True, title=url)
    return out.getvalue()


def dark_runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules per side without border, [(row, first column, length)]) of the dark
    modules, merged into horizontal runs so a PDF draws few rectangles and no seams."""
    code = make(url)
    size = int(code.symbol_size(border=0)[0])
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(code.matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return size, runs
