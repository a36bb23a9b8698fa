"""Admin API tokens, the part free of I/O: what a token looks like and what is kept of it
(only its SHA-256; the use cases store, check and revoke them through the registry port).

A token is 32 random bytes (256 bits, URL-safe base64), so nobody can guess one or find it
from its hash by trying candidates: a slow password hash (bcrypt, argon2) protects
low-entropy human passwords and would only add latency here. The lookup is by hash, and the
stored hash is compared again with ``hmac.compare_digest``: whatever timing the index lookup
leaks concerns the hash, which tells an attacker nothing about a token they do not have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "prk_"  # makes a leaked token recognisable to secret scanners and people
MAX_LENGTH = 200  # longer is not one of ours: refused before hashing


@dataclass(frozen=True)
class TokenInfo:
    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class StoredToken:
    """A token's row: what it says, and the hash it was found by."""

    info: TokenInfo
    token_hash: str


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_match(stored: StoredToken | None, digest: str) -> TokenInfo | None:
    """The token ``stored`` stands for when it is the one hashed to ``digest`` and not
    revoked; None otherwise."""
    if stored is None or not hmac.compare_digest(stored.token_hash, digest):
        return None
    return stored.info if stored.info.revoked_at is None else None
