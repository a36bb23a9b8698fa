"""The ``sig`` printed in each station's QR URL: genuine for one code and version only."""

import random
import re
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.signing import SIG_LENGTH, sign, verify

URL_SAFE_SIG = re.compile(r"^[A-Za-z0-9_-]{16}$")


def a_key() -> bytes:
    return secrets.token_bytes(32)


def a_station_code() -> str:
    return f"GGN-TEST-{random.randrange(10**6):06d}"


def test_a_signature_made_for_a_code_and_version_verifies() -> None:
    key, code = a_key(), a_station_code()

    assert verify(key, code, 3, sign(key, code, 3))


def test_the_same_code_and_version_always_get_the_same_signature() -> None:
    key, code = a_key(), a_station_code()

    assert sign(key, code, 7) == sign(key, code, 7)


def test_a_signature_made_with_another_key_does_not_verify() -> None:
    code = a_station_code()

    assert not verify(a_key(), code, 1, sign(a_key(), code, 1))


def test_a_signature_for_another_station_does_not_verify() -> None:
    key = a_key()

    assert not verify(key, a_station_code() + "-A", 1, sign(key, a_station_code() + "-B", 1))


def test_a_signature_for_another_version_does_not_verify() -> None:
    key, code = a_key(), a_station_code()
    old_poster = sign(key, code, 1)

    assert not verify(key, code, 2, old_poster)
    assert not verify(key, code, 0, old_poster)


def test_a_signature_with_one_character_changed_does_not_verify() -> None:
    key, code = a_key(), a_station_code()
    genuine = sign(key, code, 4)

    for position in range(SIG_LENGTH):
        replacement = "A" if genuine[position] != "A" else "B"
        tampered = genuine[:position] + replacement + genuine[position + 1 :]
        assert not verify(key, code, 4, tampered), position


def test_a_signature_cut_short_or_extended_does_not_verify() -> None:
    key, code = a_key(), a_station_code()
    genuine = sign(key, code, 2)

    assert not verify(key, code, 2, genuine[:-1])
    assert not verify(key, code, 2, genuine + "A")
    assert not verify(key, code, 2, "")


@pytest.mark.parametrize("not_text", [None, 12345, b"AbCdEfGh-_123456"])
def test_a_signature_that_is_not_text_does_not_verify(not_text: object) -> None:
    assert not verify(a_key(), a_station_code(), 1, not_text)  # type: ignore[arg-type]


def test_a_signature_matching_only_in_its_first_half_does_not_verify() -> None:
    key, code = a_key(), a_station_code()
    genuine = sign(key, code, 1)

    assert not verify(key, code, 1, genuine[:8] + "x" * 8)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    key=st.binary(min_size=16, max_size=64),
    code=st.from_regex(r"[A-Z0-9-]{1,32}", fullmatch=True),
    version=st.integers(min_value=1, max_value=1_000_000),
)
def test_every_signature_is_16_url_safe_characters_and_verifies(
    key: bytes, code: str, version: int
) -> None:
    sig = sign(key, code, version)

    assert URL_SAFE_SIG.match(sig)
    assert verify(key, code, version, sig)
