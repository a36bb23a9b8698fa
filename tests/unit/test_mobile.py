"""Indian mobile numbers as visitors type them, and the keyed hash kept instead of them."""

import random
import re
import secrets

import pytest

from shared.mobile import InvalidMobile, mobile_hash, normalise_mobile


def a_national_number() -> str:
    return f"{random.choice('6789')}{random.randrange(10**9):09d}"


@pytest.mark.parametrize(
    "typed",
    [
        "9812345678",
        "+919812345678",
        "+91 98123 45678",
        "+91-98123-45678",
        "098123-45678",
        "0091 9812345678",
        "919812345678",
        "(+91) 98123.45678",
        "  9812345678  ",
    ],
)
def test_a_mobile_in_any_usual_form_is_stored_in_e164(typed: str) -> None:
    assert normalise_mobile(typed) == "+919812345678"


@pytest.mark.parametrize("first_digit", "6789")
def test_numbers_starting_with_6_7_8_or_9_are_mobiles(first_digit: str) -> None:
    number = first_digit + "123456789"

    assert normalise_mobile(number) == "+91" + number


@pytest.mark.parametrize(
    "typed",
    [
        "5812345678",  # Indian mobiles start with 6-9
        "0123456789",
        "981234567",  # nine digits
        "98123456789",  # eleven digits
        "+92 9812345678",  # another country
        "+1 9812345678",
        "98123abcde",
        "९८१२३४५६७८",  # Devanagari digits throughout
        "",
        "   ",
        "+91",
        "0091",
    ],
)
def test_anything_but_an_indian_mobile_number_is_refused(typed: str) -> None:
    with pytest.raises(InvalidMobile):
        normalise_mobile(typed)


def test_no_number_at_all_is_refused_as_an_invalid_mobile() -> None:
    with pytest.raises(InvalidMobile):
        normalise_mobile(None)  # type: ignore[arg-type]


def test_an_invalid_mobile_is_a_value_error_for_callers_that_catch_those() -> None:
    assert issubclass(InvalidMobile, ValueError)


@pytest.mark.parametrize(
    "typed", ["98123456७८", "9८१२३४५६७८", "98123456٧٨", "９８１２３４５６７８"]
)
def test_a_number_with_non_ascii_digits_is_refused_or_stored_in_ascii_digits(typed: str) -> None:
    # The same phone typed with another script's digits must not become a different
    # "number" (it would dodge the per-mobile limit and could not be texted).
    try:
        stored = normalise_mobile(typed)
    except InvalidMobile:
        return
    assert re.fullmatch(r"\+91[6-9][0-9]{9}", stored), stored


def test_the_hash_of_a_number_is_the_same_every_time_for_one_key() -> None:
    key, number = secrets.token_bytes(32), "+91" + a_national_number()

    assert mobile_hash(key, number) == mobile_hash(key, number)


def test_the_hash_is_64_hex_characters_and_does_not_contain_the_number() -> None:
    number = "+91" + a_national_number()

    hashed = mobile_hash(secrets.token_bytes(32), number)

    assert re.fullmatch(r"[0-9a-f]{64}", hashed)
    assert number[3:] not in hashed


def test_different_numbers_have_different_hashes() -> None:
    key = secrets.token_bytes(32)

    assert mobile_hash(key, "+919812345678") != mobile_hash(key, "+919812345679")


def test_the_same_number_hashed_with_another_key_gives_another_value() -> None:
    number = "+91" + a_national_number()

    assert mobile_hash(secrets.token_bytes(32), number) != mobile_hash(
        secrets.token_bytes(32), number
    )


def test_every_typed_form_of_a_number_gives_the_same_hash_once_normalised() -> None:
    key = secrets.token_bytes(32)
    forms = ["9812345678", "+91 98123 45678", "098123-45678", "0091 9812345678"]

    assert len({mobile_hash(key, normalise_mobile(form)) for form in forms}) == 1
