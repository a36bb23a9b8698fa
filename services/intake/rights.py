"""The visitor's own rights (DPDP Act, 2023): see the feedback one gave, erase one's name and
number from it. The visitor has no account; a one-time code sent by SMS to the number proves
it is theirs.

The rules of the codes live here, over three ports (the code store, the records, the SMS
sender) and a clock, so the unit tests drive them on a controlled clock:

* a code is 6 digits, kept only as an HMAC (never in clear, not even in the store), and
  expires after ``code_ttl_s``;
* at most ``codes_per_mobile_per_hour`` codes per number and ``codes_per_address_per_hour``
  per address, in fixed hourly windows;
* ``max_tries`` wrong tries and the code is dead (a new one must be asked for);
* the right code gives a token, signed and short-lived, that names the number's keyed hash
  and nothing else: it opens that number's feedback only.

Why intake, which otherwise reads no PostgreSQL: this is a visitor's page, on the public
service the QR code already opens, behind the same limits and headers. The lookup and the
erasure go through the small ``RightsRecords`` port (adapters/rights_postgres.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from shared.mobile import mobile_hash

CODE_DIGITS = 6


@dataclass(frozen=True)
class RightsRules:
    code_ttl_s: int = 10 * 60
    codes_per_mobile_per_hour: int = 3
    codes_per_address_per_hour: int = 10
    max_tries: int = 5
    token_ttl_s: int = 15 * 60


@dataclass(frozen=True)
class StoredCode:
    digest: str  # HMAC of the code, never the code
    expires_at: float  # epoch seconds
    tries: int = 0


@dataclass(frozen=True)
class GivenFeedback:
    """One feedback the visitor gave, as they may see it: the facts and their own words."""

    event_id: str
    station_code: str
    station_name_hi: str
    station_name_en: str
    submitted_on: date
    rating: int
    complaint_type: str
    comments: str | None
    identity_kept: bool  # a name or number is still stored with it


class RightsUnavailable(Exception):
    """The code store, the database or the SMS gateway could not be reached."""


class CodeStore(Protocol):
    """Hashed codes and the hourly counters. Raises RightsUnavailable when unreachable."""

    def count(self, key: str, now: datetime, window_s: int) -> int:
        """Add one to ``key``'s counter for the fixed window holding ``now``; the new count."""
        ...

    def put(self, mobile_key: str, code: StoredCode, ttl_s: int) -> None: ...

    def get(self, mobile_key: str) -> StoredCode | None: ...

    def wrong_try(self, mobile_key: str) -> int:
        """Count one wrong try of the stored code; the tries so far."""
        ...

    def drop(self, mobile_key: str) -> None: ...


class RightsRecords(Protocol):
    """The feedback of one keyed mobile hash. Raises RightsUnavailable when unreachable."""

    def given(self, mobile_hash: str) -> list[GivenFeedback]: ...

    def erase(self, mobile_hash: str, now: datetime) -> int:
        """Blank name and mobile of every feedback of ``mobile_hash`` still holding them, mark
        ``purged_at``; how many were erased."""
        ...


class CodeSender(Protocol):
    def send_code(self, mobile: str, text: str) -> None:
        """Send ``text`` to ``mobile``; RightsUnavailable when the gateway refuses."""
        ...


class Refusal(Exception):
    """Why a step was refused: ``reason`` is an i18n key suffix, ``status`` the HTTP one."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class Rights:
    codes: CodeStore
    records: RightsRecords
    sender: CodeSender
    clock: Callable[[], datetime]
    mobile_hash_key: bytes
    rules: RightsRules = RightsRules()
    new_code: Callable[[], str] = lambda: f"{secrets.randbelow(10**CODE_DIGITS):06d}"

    # keys ---------------------------------------------------------------------------------

    def _key(self, purpose: str) -> bytes:
        # Separate keys for separate uses, all derived from the one the mobile hash uses.
        return hmac.new(self.mobile_hash_key, f"rights:{purpose}".encode(), "sha256").digest()

    def _digest(self, hashed_mobile: str, code: str) -> str:
        message = f"{hashed_mobile}:{code}".encode()
        return hmac.new(self._key("code"), message, hashlib.sha256).hexdigest()

    def _address_key(self, address: str) -> str:
        return hmac.new(self._key("address"), address.encode(), hashlib.sha256).hexdigest()

    # steps --------------------------------------------------------------------------------

    def send_code(self, mobile: str, address: str, lang: str) -> None:
        """Send a new code to ``mobile`` (normalised) unless a limit is reached (429)."""
        now = self.clock()
        hashed = mobile_hash(self.mobile_hash_key, mobile)
        if self.codes.count(f"a:{self._address_key(address)}", now, 3600) > (
            self.rules.codes_per_address_per_hour
        ):
            raise Refusal("too_many_codes", 429)
        if self.codes.count(f"m:{hashed}", now, 3600) > self.rules.codes_per_mobile_per_hour:
            raise Refusal("too_many_codes", 429)
        code = self.new_code()
        stored = StoredCode(self._digest(hashed, code), now.timestamp() + self.rules.code_ttl_s)
        self.codes.put(hashed, stored, self.rules.code_ttl_s)
        minutes = self.rules.code_ttl_s // 60
        text = (
            f"प्रतिक्रिया: आपका कोड {code} है, {minutes} मिनट तक। "
            f"Pratikriya: your code is {code}, valid {minutes} minutes. Do not share it."
        )
        if lang == "en":
            text = f"Pratikriya: your code is {code}, valid {minutes} minutes. Do not share it."
        self.sender.send_code(mobile, text)

    def verify(self, mobile: str, code: str) -> str:
        """The token for ``mobile`` when ``code`` is its live code; Refusal otherwise."""
        now = self.clock()
        hashed = mobile_hash(self.mobile_hash_key, mobile)
        stored = self.codes.get(hashed)
        if stored is None or stored.expires_at <= now.timestamp():
            raise Refusal("code_expired", 403)
        if stored.tries >= self.rules.max_tries:
            self.codes.drop(hashed)
            raise Refusal("code_dead", 403)
        if not (code.isascii() and code.isdigit() and len(code) == CODE_DIGITS) or (
            not hmac.compare_digest(stored.digest, self._digest(hashed, code))
        ):
            if self.codes.wrong_try(hashed) >= self.rules.max_tries:
                self.codes.drop(hashed)
                raise Refusal("code_dead", 403)
            raise Refusal("code_wrong", 403)
        self.codes.drop(hashed)  # one use
        return self._token(hashed, int(now.timestamp()) + self.rules.token_ttl_s)

    def _token(self, hashed: str, until: int) -> str:
        body = f"{hashed}.{until}"
        mac = hmac.new(self._key("token"), body.encode(), hashlib.sha256).digest()
        return body + "." + base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def holder(self, token: str | None) -> str | None:
        """The mobile hash ``token`` opens, None when it is forged, altered or expired."""
        if not token or not token.isascii() or len(token) > 200 or token.count(".") != 2:
            return None
        hashed, until, _ = token.split(".")
        if not until.isdigit() or not hmac.compare_digest(self._token(hashed, int(until)), token):
            return None
        return hashed if int(until) > self.clock().timestamp() else None

    def given(self, token: str | None) -> list[GivenFeedback]:
        hashed = self.holder(token)
        if hashed is None:
            raise Refusal("token_expired", 403)
        return self.records.given(hashed)

    def erase(self, token: str | None) -> int:
        hashed = self.holder(token)
        if hashed is None:
            raise Refusal("token_expired", 403)
        return self.records.erase(hashed, self.clock())


def masked(mobile: str) -> str:
    """``+91XXXXXX1234``: how the rights page shows the visitor their own number (never logged)."""
    return "+91XXXXXX" + mobile[-4:]
