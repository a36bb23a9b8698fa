"""Phone numbers, email addresses and ID numbers hidden inside visitors' words
(shared.masking), and the dates, ratings and ordinary numbers around them left alone."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.masking import (
    EMAIL_HIDDEN,
    ID_HIDDEN,
    NUMBER_HIDDEN,
    PHONE_HIDDEN,
    mask_contact_details,
)

PLACEHOLDERS = (PHONE_HIDDEN, EMAIL_HIDDEN, ID_HIDDEN, NUMBER_HIDDEN)
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")


@pytest.mark.parametrize(
    "typed",
    [
        "9876543210", "98765 43210", "98765-43210", "987 654 3210", "9876 543 210",
        "98-765-43210", "987.654.3210", "(987) 654-3210", "9 8 7 6 5 4 3 2 1 0",
        "+919876543210", "+91 98765 43210", "+91-98765-43210", "(+91) 98765 43210",
        "+91 (987) 654 3210", "91 9876543210", "919876543210", "0091 98765 43210",
        "09876543210", "0 98765 43210", "091-98765-43210", "९८७६५ ४३२१०",
    ],
)  # fmt: skip
def test_an_indian_mobile_is_hidden_in_every_form_people_type_it(typed):
    masked = mask_contact_details(f"मेरा नंबर {typed} है, call me")

    assert masked == f"मेरा नंबर {PHONE_HIDDEN} है, call me"


@pytest.mark.parametrize(
    "typed",
    [
        "0124-2345678", "0124 234 5678", "(0124) 2345678", "011-23456789", "011 2345 6789",
        "+91 124 2345678", "+91-11-23456789", "0091 124 2345678",
    ],
)  # fmt: skip
def test_a_landline_with_its_std_code_is_hidden(typed):
    assert mask_contact_details(f"थाने का फ़ोन {typed} लगता नहीं") == (
        f"थाने का फ़ोन {PHONE_HIDDEN} लगता नहीं"
    )


@pytest.mark.parametrize(
    "typed",
    ["+1 415 555 2671", "+44 20 7946 0958", "0044 20 7946 0958", "+971 50 123 4567",
     "+9771234567890"],
)  # fmt: skip
def test_a_number_with_another_country_s_code_is_hidden(typed):
    assert mask_contact_details(f"my son abroad: {typed}.") == f"my son abroad: {PHONE_HIDDEN}."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on 2345678", f"call me on {PHONE_HIDDEN}"),
        ("Ph: 234567 after 6", f"Ph: {PHONE_HIDDEN} after 6"),
        ("mob no. 23 45 678", f"mob no. {PHONE_HIDDEN}"),
        ("फ़ोन नंबर: 2345678", f"फ़ोन नंबर: {PHONE_HIDDEN}"),
        ("फ\u093cोन 2345678", f"फ\u093cोन {PHONE_HIDDEN}"),  # फ़ typed as फ and a nukta
        ("whatsapp 2345678", f"whatsapp {PHONE_HIDDEN}"),
    ],
)
def test_a_short_number_right_after_a_phone_word_is_hidden(text, expected):
    assert mask_contact_details(text) == expected


@pytest.mark.parametrize(
    "typed",
    ["ramesh.kumar@gmail.com", "R.K+police@example.co.in", "ramesh @ gmail.com", "a_b-c@x-y.org"],
)
def test_an_email_address_is_hidden(typed):
    assert mask_contact_details(f"mail {typed} please") == f"mail {EMAIL_HIDDEN} please"


@pytest.mark.parametrize(
    "typed",
    ["2345 6789 0123", "2345-6789-0123", "234567890123", "2345.6789.0123",
     "४५६७ ८९०१ २३४५", "4111 1111 1111 1111", "ABCDE1234F"],
)  # fmt: skip
def test_aadhaar_like_numbers_cards_and_pan_are_hidden(typed):
    assert mask_contact_details(f"आधार {typed} जमा किया") == f"आधार {ID_HIDDEN} जमा किया"


def test_any_other_run_of_ten_or_more_digits_is_hidden():
    assert mask_contact_details("account 1234567890123 blocked") == (
        f"account {NUMBER_HIDDEN} blocked"
    )


def test_several_details_in_one_comment_are_each_hidden_and_the_words_kept():
    text = ("SHO sahab, call 98765 43210 or 0124-2345678, mail me at x@y.in; "
            "Aadhaar 2345 6789 0123 was taken on 12-05-2024 at 10:30, sector 56.")  # fmt: skip

    assert mask_contact_details(text) == (
        f"SHO sahab, call {PHONE_HIDDEN} or {PHONE_HIDDEN}, mail me at {EMAIL_HIDDEN}; "
        f"Aadhaar {ID_HIDDEN} was taken on 12-05-2024 at 10:30, sector 56."
    )


@pytest.mark.parametrize(
    "text",
    [
        "sector 56", "2 hours", "waited 3 hours", "12-05-2024", "2024-05-12", "12/05/2024",
        "12.05.2024 10:30", "12-05-2024 10:30", "06-05-2024 at 9:30 am", "10:30 to 14:45",
        "4/5 stars", "5 out of 5", "1 star", "rating 4.5", "FIR 123/2024", "FIR no. 0456",
        "HR26AB1234", "HR-26-AB-1234", "Rs 1,00,000", "₹ 50000", "PIN 122001",
        "sector 56 gurgaon 122001", "2023-2024", "from 2023 to 2024", "call 100", "dial 112",
        "room no 12", "३ घंटे इंतज़ार", "सेक्टर ५६", "2 din baad, 15 log the",
    ],
)  # fmt: skip
def test_dates_ratings_and_ordinary_numbers_are_left_as_they_are(text):
    assert mask_contact_details(text) == text


# -- properties ------------------------------------------------------------------------

# Words around a number: letters of both scripts, spaces and punctuation, no digits.
words = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABC,;!?'\"थानापुलिसमदद ")),
    max_size=40,
)
separators = st.sampled_from(["", " ", "-", ".", "  ", " - ", "(", ")"])


@st.composite
def typed_mobiles(draw) -> tuple[str, str]:
    """(ten digits, the way someone typed them)."""
    digits = draw(st.sampled_from("6789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9))
    )
    typed = "".join(d + draw(separators) for d in digits[:-1]) + digits[-1]
    # Two separators in a row at most: "( " between digits reads as a mobile, "(((" not.
    typed = re.sub(r"[\s.\-()]{3,}", " ", typed)
    prefix = draw(st.sampled_from(["", "+91", "+91 ", "+91-", "91", "0", "0091 ", "(+91) "]))
    typed = prefix + typed
    if draw(st.booleans()):
        typed = typed.translate(DEVANAGARI_DIGITS)
    return digits, typed


def digits_only(text: str) -> str:
    return re.sub(r"[^0-9]", "", text.translate(str.maketrans("०१२३४५६७८९", "0123456789")))


@given(before=words, mobile=typed_mobiles(), after=words)
@example(before="call me ", mobile=("9876543210", "98765 43210"), after="")
def test_a_mobile_in_any_form_between_any_words_is_gone_after_masking(before, mobile, after):
    digits, typed = mobile

    masked = mask_contact_details(f"{before} {typed} {after}")

    assert digits not in digits_only(masked)
    assert PHONE_HIDDEN in masked
    assert masked.startswith(before) and masked.endswith(after)


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_no_masked_text_holds_ten_digits_in_a_row(text):
    assert re.search(r"\d{10}", mask_contact_details(text)) is None


@given(
    st.lists(
        st.one_of(words, st.from_regex(r"[0-9]{1,9}", fullmatch=True), st.sampled_from(
            ["98765 43210", "+91 9876543210", "a@b.in", "2345 6789 0123", " ", "-", "@", "("]
        )),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_masking_masked_text_changes_nothing(text):
    once = mask_contact_details(text)

    assert mask_contact_details(once) == once


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=200))
def test_text_without_digits_or_an_at_sign_is_unchanged(text):
    if "@" in text:
        text = text.replace("@", " ")
    assert mask_contact_details(text) == text


@given(
    day=st.integers(1, 28), month=st.integers(1, 12), year=st.integers(2000, 2030),
    hour=st.integers(0, 23), minute=st.integers(0, 59), stars=st.integers(1, 5),
    sector=st.integers(1, 115), hours=st.integers(1, 72),
)  # fmt: skip
def test_dates_times_ratings_sectors_and_durations_survive(
    day, month, year, hour, minute, stars, sector, hours
):
    text = (
        f"on {day:02d}-{month:02d}-{year} {hour:02d}:{minute:02d} and {year}-{month:02d}-"
        f"{day:02d}, {day}/{month}/{year}: {stars}/5 stars, sector {sector}, {hours} hours"
    )

    assert mask_contact_details(text) == text


def test_no_placeholder_holds_a_digit_or_an_at_sign():
    for placeholder in PLACEHOLDERS:
        assert not any(c.isdecimal() for c in placeholder) and "@" not in placeholder
