"""Intake's rules and data, free of I/O: is this QR code genuine and current, are two
submissions the same one, and what the abuse limits answered."""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.events import Station
from shared.india import day_in_india
from shared.signing import verify

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


@dataclass(frozen=True)
class IdempotencyRecord:
    """What an idempotency key was used for: the event id, the submission's fingerprint and
    whether Kafka acknowledged it."""

    event_id: str
    fingerprint: str
    accepted: bool


class Verdict(enum.Enum):
    ADMITTED = "admitted"
    ADDRESS_LIMIT = "address_limit"
    MOBILE_LIMIT = "mobile_limit"


@dataclass(frozen=True)
class Admission:
    verdict: Verdict
    # The record already held under the idempotency key, if another submission made it.
    prior: IdempotencyRecord | None = None


class CodeProblem(enum.Enum):
    """Why a scanned code does not open the form; the value is the HTTP status."""

    FORGED = 403
    UNKNOWN_STATION = 404
    REVOKED = 410


def check_code(
    station: Station | None, qr_version: int, sig: str, key: bytes
) -> CodeProblem | None:
    """None when ``sig`` is genuine for the station's current code version.

    An unknown station is 404; a signature that does not match is 403 (also for a version
    never issued); a genuine signature for an earlier version, or any code of a deactivated
    station, is 410: that poster was real but has been replaced.
    """
    if station is None:
        return CodeProblem.UNKNOWN_STATION
    if not verify(key, station.code, qr_version, sig) or qr_version > station.qr_version:
        return CodeProblem.FORGED
    if qr_version < station.qr_version or not station.active:
        return CodeProblem.REVOKED
    return None


def fingerprint(payload: dict[str, Any]) -> str:
    """A digest of a validated submission, to tell a retry from a different submission made
    under the same idempotency key."""
    canonical = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def india_day(now: datetime) -> date:
    """The calendar day in India at ``now`` (an aware datetime): daily limits reset at
    midnight where the visitors are."""
    return day_in_india(now)


def is_idempotency_key(text: str) -> bool:
    """An idempotency key (the API's header, the form's token) is 1 to 128 visible ASCII
    characters."""
    return bool(_IDEMPOTENCY_KEY.fullmatch(text))
