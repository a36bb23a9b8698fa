"""Passwords and tokens, the part free of I/O.

Passwords are people's, so they are hashed slowly (argon2id, argon2-cffi's defaults), and a
one-time password is what an admin hands over: it must be changed at the first sign-in.

Tokens and session cookies are 32 random bytes (256 bits), so nobody can guess one or find
it from its hash by trying candidates: a fast SHA-256 is enough there, and only the hash is
stored. The stored hash is compared again with ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "prk_"  # noqa: S105 - makes a leaked token recognisable to secret scanners and people
MAX_TOKEN_LENGTH = 200  # longer is not one of ours: refused before hashing
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so that a wrong name and a wrong password
# take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
# Letters and digits that cannot be mistaken for each other when read out or copied by hand.
_READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class WeakPassword(ValueError):
    """A new password that the policy refuses; the message says why."""


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 (hex) a token or session cookie is stored and found by."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same_digest(stored: str, presented: str) -> bool:
    return hmac.compare_digest(stored.encode(), presented.encode())


def plausible_token(text: str) -> bool:
    """Could be one of ours: the prefix, ASCII, not absurdly long."""
    return text.startswith(TOKEN_PREFIX) and len(text) <= MAX_TOKEN_LENGTH and text.isascii()


def one_time_password() -> str:
    """Four groups of four readable characters (about 92 bits), e.g. ``k7Qm-2xPd-...``."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(4))


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_new_password(password: str, *, username: str, current: str | None = None) -> None:
    """WeakPassword unless ``password`` is 12 to 200 characters, not the username, not the
    current password, and not one character repeated."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if "\x00" in password:
        raise WeakPassword("a password cannot contain a NUL character")
    if username.lower() in password.lower():
        raise WeakPassword("a password cannot contain the username")
    if current is not None and password == current:
        raise WeakPassword("the new password must differ from the current one")
    if len(set(password)) < 4:
        raise WeakPassword("a password needs more than a few different characters")


def hash_password(password: str) -> str:
    return _HASHER.hash(normalise(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash (unknown user) the same work is done."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, normalise(password)) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False
