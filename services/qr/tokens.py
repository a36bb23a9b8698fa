"""Admin API tokens: made, checked, listed and revoked. Only a token's SHA-256 is stored.

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


@dataclass(frozen=True)
class TokenInfo:
    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(cur, token: str, label: str) -> int:
    """Store the hash of ``token`` under ``label``; its id. Registering the same token again
    returns the existing id (and does not bring back a revoked one)."""
    digest = token_hash(token)
    cur.execute(
        "INSERT INTO admin_tokens (label, token_hash) VALUES (%s, %s)"
        " ON CONFLICT (token_hash) DO NOTHING RETURNING id",
        (label, digest),
    )
    row = cur.fetchone()
    if row is None:
        cur.execute("SELECT id FROM admin_tokens WHERE token_hash = %s", (digest,))
        row = cur.fetchone()
    return row[0]


def create(cur, label: str) -> tuple[int, str]:
    """A new token for ``label``: (id, token). The token is shown once and never stored."""
    token = new_token()
    return register(cur, token, label), token


def authenticate(cur, presented: str) -> TokenInfo | None:
    """The live token ``presented`` stands for, or None (unknown, revoked, malformed)."""
    if not presented or len(presented) > 200:
        return None
    digest = token_hash(presented)
    cur.execute(
        "SELECT id, label, created_at, last_used_at, revoked_at, token_hash FROM admin_tokens"
        " WHERE token_hash = %s",
        (digest,),
    )
    row = cur.fetchone()
    if row is None or not hmac.compare_digest(row[5], digest) or row[4] is not None:
        return None
    cur.execute("UPDATE admin_tokens SET last_used_at = now() WHERE id = %s", (row[0],))
    return TokenInfo(*row[:5])


def list_tokens(cur) -> list[TokenInfo]:
    cur.execute(
        "SELECT id, label, created_at, last_used_at, revoked_at FROM admin_tokens ORDER BY id"
    )
    return [TokenInfo(*row) for row in cur.fetchall()]


def revoke(cur, token_id: int) -> bool:
    """True when a live token was revoked now."""
    cur.execute(
        "UPDATE admin_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
        (token_id,),
    )
    return cur.rowcount == 1


def is_registered(cur, token: str) -> bool:
    cur.execute("SELECT 1 FROM admin_tokens WHERE token_hash = %s", (token_hash(token),))
    return cur.fetchone() is not None
