"""Sealing names and numbers for the analytics consumer: intake's public key seals, only the
private keys open, by key id, across a rotation; a tampered or foreign box is refused."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from nacl.public import PublicKey, SealedBox

from shared.events import Personal, Sealed
from shared.sealing import (
    Opener,
    Sealer,
    SealKeyError,
    Unopenable,
    generate,
    public_setting,
)

VISITOR = Personal("+919812345678", "कमला देवी")
EVENT = uuid.UUID("7d0c1a52-3f5e-4c2b-9a57-0c8f3e6d1b24")


def test_a_box_sealed_with_the_public_key_opens_with_its_private_key() -> None:
    keys = generate("k1")

    sealed = Sealer.from_setting(keys.public).seal(VISITOR, EVENT)

    assert sealed.kid == "k1"
    assert Opener.from_setting(keys.private).open(sealed, EVENT) == VISITOR


def test_the_box_shows_neither_the_name_nor_the_number() -> None:
    sealed = Sealer.from_setting(generate("k1").public).seal(VISITOR, EVENT)

    raw = base64.b64decode(sealed.box)
    assert "कमला".encode() not in raw and b"9812345678" not in raw
    assert "9812345678" not in sealed.box


def test_sealing_the_same_visitor_twice_gives_two_different_boxes() -> None:
    """Equal boxes would let a topic reader tell that two feedbacks came from one person."""
    sealer = Sealer.from_setting(generate("k1").public)

    assert sealer.seal(VISITOR, EVENT).box != sealer.seal(VISITOR, EVENT).box


def test_a_visitor_without_a_name_opens_to_none() -> None:
    keys = generate("k1")
    sealed = Sealer.from_setting(keys.public).seal(Personal("+919812345678"), EVENT)

    assert Opener.from_setting(keys.private).open(sealed, EVENT) == Personal("+919812345678", None)


def test_after_a_rotation_boxes_of_the_old_key_and_of_the_new_both_open() -> None:
    old, new = generate("k1"), generate("k2")
    before = Sealer.from_setting(old.public).seal(VISITOR, EVENT)
    after = Sealer.from_setting(new.public).seal(Personal("+919000000001", "Asha"), EVENT)

    opener = Opener.from_setting(f"{new.private},{old.private}")

    assert opener.current == "k2"
    assert opener.open(before, EVENT) == VISITOR
    assert opener.open(after, EVENT) == Personal("+919000000001", "Asha")


def test_once_the_old_key_is_dropped_its_boxes_are_refused_by_key_id() -> None:
    old, new = generate("k1"), generate("k2")
    before = Sealer.from_setting(old.public).seal(VISITOR, EVENT)

    with pytest.raises(Unopenable, match="unknown key k1"):
        Opener.from_setting(new.private).open(before, EVENT)


def test_the_public_setting_of_the_current_key_seals_for_it() -> None:
    old, new = generate("k1"), generate("k2")
    settings = f"{new.private},{old.private}"

    assert public_setting(settings) == new.public


def test_a_tampered_box_is_refused_without_saying_what_it_held() -> None:
    keys = generate("k1")
    sealed = Sealer.from_setting(keys.public).seal(VISITOR, EVENT)
    raw = bytearray(base64.b64decode(sealed.box))
    raw[-1] ^= 1
    tampered = Sealed("k1", base64.b64encode(bytes(raw)).decode())

    with pytest.raises(Unopenable, match="does not open") as refused:
        Opener.from_setting(keys.private).open(tampered, EVENT)
    assert "9812345678" not in str(refused.value)


def test_a_box_sealed_for_another_key_under_the_same_id_is_refused() -> None:
    """A forged event sealed with a key of the forger's own, labelled with our id."""
    ours, theirs = generate("k1"), generate("k1")
    forged = Sealer.from_setting(theirs.public).seal(VISITOR, EVENT)

    with pytest.raises(Unopenable, match="does not open"):
        Opener.from_setting(ours.private).open(forged, EVENT)


def test_a_box_copied_onto_another_event_is_refused() -> None:
    """A topic writer who copies a visitor's box into an event of its own making cannot
    attach that visitor's name and number to it."""
    keys = generate("k1")
    sealed = Sealer.from_setting(keys.public).seal(VISITOR, EVENT)

    with pytest.raises(Unopenable, match="sealed for another event") as refused:
        Opener.from_setting(keys.private).open(sealed, uuid.uuid4())
    assert "9812345678" not in str(refused.value)


def test_a_box_that_does_not_hold_a_name_and_number_is_refused() -> None:
    keys = generate("k1")
    public = PublicKey(base64.b64decode(keys.public.partition(":")[2]))
    opener = Opener.from_setting(keys.private)

    ours = {"event": str(EVENT)}
    for plain in (b"hello", b"[1]", json.dumps({**ours, "name": "x"}).encode(),
                  json.dumps({**ours, "mobile": 9812345678}).encode()):  # fmt: skip
        box = Sealed("k1", base64.b64encode(SealedBox(public).encrypt(plain)).decode())
        with pytest.raises(Unopenable):
            opener.open(box, EVENT)


@pytest.mark.parametrize(
    "setting",
    ["", "k1", "k1:", "k1:not-base64!", "k1:" + base64.b64encode(b"short").decode(), "k 1:AAAA"],
)
def test_a_key_setting_that_cannot_be_used_is_refused_at_start(setting: str) -> None:
    with pytest.raises(SealKeyError):
        Opener.from_setting(setting)
    if setting:
        with pytest.raises(SealKeyError):
            Sealer.from_setting(setting)


def test_a_key_id_given_twice_is_refused() -> None:
    one, two = generate("k1"), generate("k1")

    with pytest.raises(SealKeyError, match="twice"):
        Opener.from_setting(f"{one.private},{two.private}")


def test_a_key_setting_error_never_shows_the_key() -> None:
    secret = base64.b64encode(b"x" * 31).decode()

    with pytest.raises(SealKeyError) as refused:
        Opener.from_setting(f"k1:{secret}")
    assert secret not in str(refused.value)


def test_the_first_up_makes_one_working_key_pair_and_keeps_it(tmp_path) -> None:
    from types import SimpleNamespace

    from ops.cli import ensure_secrets

    cfg = SimpleNamespace(data_dir=tmp_path)
    first: dict[str, str] = {}
    path = ensure_secrets(cfg, first)  # type: ignore[arg-type]
    again: dict[str, str] = {}
    ensure_secrets(cfg, again)  # type: ignore[arg-type]

    assert path.stat().st_mode & 0o777 == 0o600
    assert first["INTAKE_SEAL_PUBLIC_KEY"].startswith("k1:")
    sealed = Sealer.from_setting(first["INTAKE_SEAL_PUBLIC_KEY"]).seal(VISITOR, EVENT)
    assert Opener.from_setting(first["ANALYTICS_SEAL_KEYS"]).open(sealed, EVENT) == VISITOR
    assert again == first


def test_a_rotated_private_setting_gets_its_public_half_back_when_that_is_missing(
    tmp_path,
) -> None:
    from types import SimpleNamespace

    from ops.cli import ensure_secrets

    old, new = generate("k1"), generate("k2")
    (tmp_path / "secrets.env").write_text(f"ANALYTICS_SEAL_KEYS={new.private},{old.private}\n")
    env: dict[str, str] = {}

    ensure_secrets(SimpleNamespace(data_dir=tmp_path), env)  # type: ignore[arg-type]

    assert env["INTAKE_SEAL_PUBLIC_KEY"] == new.public
    assert env["ANALYTICS_SEAL_KEYS"] == f"{new.private},{old.private}"


def test_of_the_local_processes_only_the_analytics_consumer_gets_the_private_keys() -> None:
    from ops.services import SERVICES, WORKERS, env_for

    env = {"ANALYTICS_SEAL_KEYS": generate("k1").private, "INTAKE_SEAL_PUBLIC_KEY": "k1:x"}

    holders = {n for n in [*SERVICES, *WORKERS] if "ANALYTICS_SEAL_KEYS" in env_for(n, env)}
    assert holders == {"analytics-consumer"}
    assert env_for("intake", env) == {"INTAKE_SEAL_PUBLIC_KEY": "k1:x"}


def test_private_keys_set_in_the_environment_get_their_own_public_half(tmp_path) -> None:
    from types import SimpleNamespace

    from ops.cli import ensure_secrets

    own = generate("prod1")
    env = {"ANALYTICS_SEAL_KEYS": own.private}

    ensure_secrets(SimpleNamespace(data_dir=tmp_path), env)  # type: ignore[arg-type]

    assert env["ANALYTICS_SEAL_KEYS"] == own.private
    assert env["INTAKE_SEAL_PUBLIC_KEY"] == own.public
