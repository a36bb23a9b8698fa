"""Indian mobile numbers: normalising what visitors type, and the keyed hash used instead."""

import hashlib
import hmac
import re

_SEPARATORS = re.compile(r"[\s\-().]")
# ASCII digits only: \d would also take Devanagari digits, which no SMS gateway dials.
_NATIONAL = re.compile(r"[6-9][0-9]{9}")


class InvalidMobile(ValueError):
    """Not a 10-digit Indian mobile number starting with 6, 7, 8 or 9."""


def normalise_mobile(raw: str) -> str:
    """``raw`` as ``+91XXXXXXXXXX``.

    Accepts the ten digits alone or after ``+91``, ``91``, ``0091`` or a trunk ``0``, with
    spaces, hyphens, dots or brackets between. Indian mobile numbers are ten digits starting
    with 6-9; that rule is the contract, so it is checked directly rather than against a
    carrier allocation table that would reject newly opened number series.
    """
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+91"):
        digits = digits[3:]
    elif digits.startswith("0091"):
        digits = digits[4:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if not _NATIONAL.fullmatch(digits):
        raise InvalidMobile("not an Indian mobile number")
    return "+91" + digits


def mobile_hash(key: bytes, mobile: str) -> str:
    """A keyed hash of a normalised number: the same number always gives the same value, and
    the number cannot be recovered from it without the key."""
    return hmac.new(key, mobile.encode(), hashlib.sha256).hexdigest()
