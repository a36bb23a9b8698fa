"""Sealing a visitor's name and mobile number for the analytics consumer alone.

Intake holds only a Curve25519 public key: it can seal (libsodium's sealed box, through
PyNaCl) but never open, so neither intake, a reader of ``feedback.submitted`` or
``feedback.dlq``, nor a broker backup can read what it sealed. The analytics consumer holds
the private keys. Every key has an id, written beside the box, so keys can be rotated: the
consumer keeps the old private keys (``ANALYTICS_SEAL_KEYS="k2:<b64>,k1:<b64>"``, the first
current) until the topics' retention has passed, while intake seals with the current public
key (``INTAKE_SEAL_PUBLIC_KEY="k2:<b64>"``). See docs/sealing.md.

``python -m shared.sealing <key id>`` prints a new key pair as the two settings.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from shared.events.feedback import Personal, Sealed

KID_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
_KID = re.compile(KID_PATTERN)


class SealKeyError(ValueError):
    """A key setting that cannot be used (says which part, never the key)."""


class Unopenable(ValueError):
    """A box the consumer cannot open: unknown key id, tampered or not a box at all."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def _parse_entry(entry: str) -> tuple[str, bytes]:
    kid, sep, encoded = entry.strip().partition(":")
    if not sep or not _KID.fullmatch(kid):
        raise SealKeyError("a seal key is written as <id>:<base64>, the id of [A-Za-z0-9_-]")
    try:
        raw = _unb64(encoded.strip())
    except (binascii.Error, ValueError):
        raise SealKeyError(f"seal key {kid} is not base64") from None
    if len(raw) != 32:
        raise SealKeyError(f"seal key {kid} is not 32 bytes")
    return kid, raw


class Sealer:
    """Seals with one public key; cannot open anything."""

    def __init__(self, kid: str, public_key: bytes) -> None:
        self.kid = kid
        self._box = SealedBox(PublicKey(public_key))

    @classmethod
    def from_setting(cls, setting: str) -> Sealer:
        """From ``INTAKE_SEAL_PUBLIC_KEY`` (``<id>:<base64 public key>``)."""
        return cls(*_parse_entry(setting))

    def seal(self, personal: Personal, event_id: UUID) -> Sealed:
        """A box for ``event_id`` alone: the id is sealed with the name and number, so a box
        copied onto another event does not open there."""
        plain = {"event": str(event_id), "name": personal.name, "mobile": personal.mobile}
        box = self._box.encrypt(json.dumps(plain, ensure_ascii=False).encode())
        return Sealed(kid=self.kid, box=_b64(box))


class Opener:
    """Opens boxes sealed for any of its private keys, by key id."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise SealKeyError("no private seal key")
        self._boxes = {kid: SealedBox(PrivateKey(raw)) for kid, raw in keys.items()}
        self.current = next(iter(keys))

    @classmethod
    def from_setting(cls, setting: str) -> Opener:
        """From ``ANALYTICS_SEAL_KEYS`` (``<id>:<base64 private key>,...``, current first)."""
        keys: dict[str, bytes] = {}
        for entry in setting.split(","):
            if entry.strip():
                kid, raw = _parse_entry(entry)
                if kid in keys:
                    raise SealKeyError(f"seal key {kid} is given twice")
                keys[kid] = raw
        return cls(keys)

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(self._boxes)

    def open(self, sealed: Sealed, event_id: UUID) -> Personal:
        """The name and number that ``sealed`` holds for ``event_id``; Unopenable says why
        not (never what)."""
        box = self._boxes.get(sealed.kid)
        if box is None:
            raise Unopenable(f"unknown key {sealed.kid}")
        try:
            plain = json.loads(box.decrypt(_unb64(sealed.box)))
        except (binascii.Error, ValueError, CryptoError):
            raise Unopenable(f"the box of key {sealed.kid} does not open") from None
        if not isinstance(plain, dict):
            raise Unopenable(f"the box of key {sealed.kid} holds no name and number")
        if plain.get("event") != str(event_id):
            raise Unopenable(f"the box of key {sealed.kid} was sealed for another event")
        name, mobile = plain.get("name"), plain.get("mobile")
        if not isinstance(mobile, str) or not (name is None or isinstance(name, str)):
            raise Unopenable(f"the box of key {sealed.kid} holds no name and number")
        return Personal(name=name, mobile=mobile)


@dataclass(frozen=True)
class KeyPair:
    """A new key pair as the two settings: ``public`` for intake, ``private`` for analytics."""

    public: str
    private: str


def generate(kid: str) -> KeyPair:
    if not _KID.fullmatch(kid):
        raise SealKeyError("a key id is of [A-Za-z0-9_-], at most 32 characters")
    key = PrivateKey.generate()
    return KeyPair(f"{kid}:{_b64(bytes(key.public_key))}", f"{kid}:{_b64(bytes(key))}")


def public_setting(private_setting: str) -> str:
    """The intake setting for the current (first) key of an analytics setting."""
    kid, raw = _parse_entry(private_setting.split(",")[0])
    return f"{kid}:{_b64(bytes(PrivateKey(raw).public_key))}"


def main(argv: list[str]) -> int:
    """Print a new key pair for ``argv[0]`` (the key id) as the two settings."""
    if len(argv) != 1:
        print("usage: python -m shared.sealing <key id>", file=sys.stderr)
        return 2
    pair = generate(argv[0])
    print(f"INTAKE_SEAL_PUBLIC_KEY={pair.public}")
    print(f"ANALYTICS_SEAL_KEYS={pair.private}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
