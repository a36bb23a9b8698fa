"""Signing and verifying the ``sig`` printed in every station's QR URL.

``sig`` is an HMAC-SHA256 over the station code and the code version, cut to 16 URL-safe
base64 characters (96 bits): short enough to keep the QR symbol small, far too long to guess.
Rotating a station's code bumps its version, so an old poster's ``sig`` no longer matches.
"""

import base64
import hashlib
import hmac

SIG_LENGTH = 16


def sign(key: bytes, station_code: str, qr_version: int) -> str:
    """The signature for ``station_code`` at ``qr_version``."""
    message = f"{station_code}:{int(qr_version)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:SIG_LENGTH]


def verify(key: bytes, station_code: str, qr_version: int, sig: str) -> bool:
    """True when ``sig`` is the signature of code and version; compared in constant time
    (``compare_digest`` refuses non-ASCII text with TypeError, so that is no signature)."""
    if not isinstance(sig, str) or len(sig) != SIG_LENGTH or not sig.isascii():
        return False
    return hmac.compare_digest(sign(key, station_code, qr_version), sig)
