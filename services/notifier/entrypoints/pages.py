"""The acknowledge link's pages: Hindi and English, no script, a button to press."""

from __future__ import annotations

from html import escape

from flask import Response

NOT_VALID = (
    "Link not valid / लिंक मान्य नहीं",
    "This acknowledge link is not valid or has expired. "
    "यह लिंक मान्य नहीं है या उसकी अवधि समाप्त हो गई है।",
)
ASK = (
    "Acknowledge alert / चेतावनी स्वीकार करें",
    "Press the button to tell Pratikriya you are dealing with this alert; "
    "it stops the escalation. बटन दबाएं।",
)
UNKNOWN = ("Unknown alert", "No such alert.")
RESOLVED = ("Already resolved / पहले ही सामान्य", "This alert has already resolved itself.")
DONE = ("Acknowledged / स्वीकार किया", "Thank you. The alert is acknowledged. धन्यवाद।")


def page(words: tuple[str, str], status: int = 200, extra: str = "") -> Response:
    title, text = words
    html = (
        '<!doctype html><html lang="hi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p>{extra}</body></html>"
    )
    return Response(html, status=status, mimetype="text/html")


def ask_page(exp: str, sig: str) -> Response:
    """The page a link opens: a button that posts the link's values back. A mail scanner
    that opens links does not press it, so it acknowledges nothing."""
    form = (
        f'<form method="post"><input type="hidden" name="exp" value="{escape(exp)}">'
        f'<input type="hidden" name="sig" value="{escape(sig)}">'
        '<button type="submit">स्वीकार करें / Acknowledge</button></form>'
    )
    return page(ASK, 200, form)
