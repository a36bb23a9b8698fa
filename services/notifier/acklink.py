"""The acknowledge link in an alert email: signed, for one alert, for acknowledging only, and
only until it expires. Opening it shows a page with a button; the acknowledgement is the POST
of that button, so a mail scanner that follows links does not acknowledge anything."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from urllib.parse import urlencode

_PURPOSE = "ack-alert"


def signature(key: bytes, alert_id: str, expires: int) -> str:
    message = f"{_PURPOSE}:{alert_id}:{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:32]


def link(base_url: str, key: bytes, alert_id: str, expires: datetime) -> str:
    exp = int(expires.timestamp())
    query = urlencode({"exp": exp, "sig": signature(key, alert_id, exp)})
    return f"{base_url}/alerts/{alert_id}/ack?{query}"


def valid(key: bytes, alert_id: str, exp: str, sig: str, now: datetime) -> bool:
    """True when ``sig`` was made by us for this alert and ``exp`` has not passed."""
    # isdigit() alone takes "²", which int() refuses; compare_digest refuses non-ASCII text.
    if not (exp.isascii() and exp.isdigit()) or len(exp) > 12:
        return False
    if not isinstance(sig, str) or not sig.isascii():
        return False
    if int(exp) < now.timestamp():
        return False
    return hmac.compare_digest(signature(key, alert_id, int(exp)), sig)
