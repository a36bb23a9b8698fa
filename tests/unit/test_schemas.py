"""What intake accepts from a visitor: every rule of the feedback contract, as error codes."""

import random
import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.intake import schemas
from services.intake.schemas import FORM_FIELDS, FeedbackInputSchema, form_to_payload
from shared.complaint_types import COMPLAINT_TYPES

REQUIRED = (
    "station_code",
    "qr_version",
    "sig",
    "rating",
    "mobile",
    "complaint_type",
    "staff_available",
    "staff_helped",
    "problem_resolved",
)
HINDI_COMMENT = "थाने में कर्मचारियों ने बहुत मदद की। धन्यवाद!"


def a_station_code() -> str:
    return f"GGN-TEST-{random.randrange(10**6):06d}"


def a_mobile() -> str:
    return f"9{random.randrange(10**9):09d}"


def a_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "station_code": a_station_code(),
        "qr_version": random.randint(1, 50),
        "sig": "AbCdEfGh-_123456",
        "rating": 4,
        "mobile": a_mobile(),
        "complaint_type": "theft",
        "staff_available": True,
        "staff_helped": True,
        "problem_resolved": False,
    }
    payload.update(changes)
    return payload


def load(**changes: Any) -> dict[str, Any]:
    return FeedbackInputSchema().load(a_payload(**changes))


def errors_of(**changes: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        load(**changes)
    return caught.value.messages


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """India's date, read once and held for the test so midnight cannot pass mid-test."""
    fixed = schemas.today_in_india()
    monkeypatch.setattr(schemas, "today_in_india", lambda: fixed)
    return fixed


def test_a_complete_submission_is_accepted_with_optional_fields_empty() -> None:
    payload = a_payload()

    feedback = FeedbackInputSchema().load(payload)

    assert feedback["station_code"] == payload["station_code"]
    assert feedback["rating"] == 4
    assert feedback["mobile"] == "+91" + payload["mobile"]
    assert feedback["language"] == "hi"
    for optional in ("name", "complaint_date", "officer_name", "comments", "cleanliness"):
        assert feedback[optional] is None


# --- rating and cleanliness --------------------------------------------------------------


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_every_star_rating_from_one_to_five_is_accepted(stars: int) -> None:
    assert load(rating=stars)["rating"] == stars


@pytest.mark.parametrize("stars", [0, 6, -1, 100])
def test_a_rating_outside_one_to_five_is_refused(stars: int) -> None:
    assert errors_of(rating=stars) == {"rating": ["rating_range"]}


@pytest.mark.parametrize("not_an_integer", ["5", 3.5, 5.0, True, [5], {"stars": 5}])
def test_a_rating_that_is_not_a_json_integer_is_refused(not_an_integer: Any) -> None:
    assert errors_of(rating=not_an_integer) == {"rating": ["invalid_integer"]}


def test_a_cleanliness_score_follows_the_same_one_to_five_rule() -> None:
    assert load(cleanliness=1)["cleanliness"] == 1
    assert load(cleanliness=5)["cleanliness"] == 5
    assert errors_of(cleanliness=0) == {"cleanliness": ["rating_range"]}
    assert errors_of(cleanliness=6) == {"cleanliness": ["rating_range"]}
    assert errors_of(cleanliness="3") == {"cleanliness": ["invalid_integer"]}


def test_an_empty_cleanliness_score_counts_as_not_given() -> None:
    assert load(cleanliness="")["cleanliness"] is None
    assert load(cleanliness=None)["cleanliness"] is None


def test_a_qr_version_must_be_a_positive_integer() -> None:
    assert errors_of(qr_version=0) == {"qr_version": ["invalid_integer"]}
    assert errors_of(qr_version="1") == {"qr_version": ["invalid_integer"]}


# --- mobile -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "9812345678",
        "+91 98123 45678",
        "+919812345678",
        "098123-45678",
        "0091 9812345678",
        "919812345678",
        "(+91) 98123-45678",
        " 98123 45678 ",
    ],
)
def test_a_mobile_in_any_usual_indian_form_is_stored_as_plus91_and_ten_digits(
    typed: str,
) -> None:
    assert load(mobile=typed)["mobile"] == "+919812345678"


@pytest.mark.parametrize(
    "typed",
    ["5812345678", "981234567", "98123456789", "98123abcde", "ninety-eight", "", "+1 9812345678"],
)
def test_a_mobile_that_is_not_an_indian_mobile_number_is_refused(typed: str) -> None:
    assert errors_of(mobile=typed) == {"mobile": ["invalid_mobile"]}


def test_a_mobile_sent_as_a_json_number_is_refused() -> None:
    assert errors_of(mobile=9812345678) == {"mobile": ["invalid_mobile"]}


# --- complaint date -----------------------------------------------------------------------


def test_a_complaint_made_today_in_india_is_accepted(today: date) -> None:
    assert load(complaint_date=today.isoformat())["complaint_date"] == today


def test_a_complaint_made_exactly_365_days_ago_is_accepted(today: date) -> None:
    year_ago = today - timedelta(days=365)

    assert load(complaint_date=year_ago.isoformat())["complaint_date"] == year_ago


def test_a_complaint_older_than_365_days_is_refused(today: date) -> None:
    too_old = today - timedelta(days=366)

    assert errors_of(complaint_date=too_old.isoformat()) == {"complaint_date": ["date_too_old"]}


def test_a_complaint_date_tomorrow_in_india_is_refused(today: date) -> None:
    tomorrow = today + timedelta(days=1)

    assert errors_of(complaint_date=tomorrow.isoformat()) == {"complaint_date": ["future_date"]}


@pytest.mark.parametrize(
    "not_a_date",
    ["31/01/2025", "2025-02-30", "2025-13-01", "yesterday", 20250101, "2025-01-01T10:00"],
)
def test_a_complaint_date_that_is_not_yyyy_mm_dd_is_refused(not_a_date: Any) -> None:
    assert errors_of(complaint_date=not_a_date) == {"complaint_date": ["invalid_date"]}


def test_an_empty_complaint_date_counts_as_not_given() -> None:
    assert load(complaint_date="")["complaint_date"] is None
    assert load(complaint_date=None)["complaint_date"] is None


# --- complaint type, language, station code -----------------------------------------------


@pytest.mark.parametrize("code", list(COMPLAINT_TYPES))
def test_every_complaint_type_on_the_fixed_list_is_accepted(code: str) -> None:
    assert load(complaint_type=code)["complaint_type"] == code


@pytest.mark.parametrize("code", ["Theft", "robbery", "चोरी", "", " theft"])
def test_a_complaint_type_not_on_the_fixed_list_is_refused(code: str) -> None:
    assert errors_of(complaint_type=code) == {"complaint_type": ["invalid_choice"]}


def test_the_language_is_hindi_unless_english_is_asked_for() -> None:
    assert load()["language"] == "hi"
    assert load(language="en")["language"] == "en"
    assert errors_of(language="fr") == {"language": ["invalid_choice"]}


def test_a_station_code_with_lower_case_letters_or_spaces_is_refused() -> None:
    assert errors_of(station_code="ggn-sadar") == {"station_code": ["invalid_station_code"]}
    assert errors_of(station_code="GGN SADAR") == {"station_code": ["invalid_station_code"]}


def test_a_signature_longer_than_64_characters_is_refused() -> None:
    assert errors_of(sig="x" * 65) == {"sig": ["too_long:64"]}


# --- yes/no answers -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["staff_available", "staff_helped", "problem_resolved"])
def test_yes_no_answers_take_json_true_and_false(field: str) -> None:
    assert load(**{field: True})[field] is True
    assert load(**{field: False})[field] is False


@pytest.mark.parametrize("field", ["staff_available", "staff_helped", "problem_resolved"])
@pytest.mark.parametrize("not_a_boolean", ["yes", "no", "true", "false", "", [True]])
def test_yes_no_answers_as_strings_are_refused_by_the_json_api(
    field: str, not_a_boolean: Any
) -> None:
    assert errors_of(**{field: not_a_boolean}) == {field: ["invalid_boolean"]}


@pytest.mark.parametrize("number", [1, 0])
def test_yes_no_answers_as_json_numbers_are_refused_by_the_json_api(number: int) -> None:
    # The contract asks for JSON booleans; 1 and 0 are JSON numbers.
    assert errors_of(staff_available=number, staff_helped=number, problem_resolved=number) == {
        "staff_available": ["invalid_boolean"],
        "staff_helped": ["invalid_boolean"],
        "problem_resolved": ["invalid_boolean"],
    }


# --- free text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 100), ("officer_name", 100), ("comments", 2000)]
)
def test_text_up_to_its_limit_is_accepted_and_one_more_character_is_refused(
    field: str, limit: int
) -> None:
    assert load(**{field: "a" * limit})[field] == "a" * limit
    assert errors_of(**{field: "a" * (limit + 1)}) == {field: [f"too_long:{limit}"]}


def test_a_name_of_100_hindi_letters_is_accepted() -> None:
    name = "क" * 100

    assert load(name=name)["name"] == name


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 100), ("officer_name", 100), ("comments", 2000)]
)
def test_text_length_is_counted_after_control_characters_and_edge_spaces_are_removed(
    field: str, limit: int
) -> None:
    padded = "  \x00" + "a" * limit + "\x07\u202e  "

    assert load(**{field: padded})[field] == "a" * limit


def test_control_characters_are_stripped_from_a_name() -> None:
    assert load(name="Ra\x00m\x07 Ku\x1bmar")["name"] == "Ram Kumar"


def test_a_right_to_left_override_is_removed_from_comments() -> None:
    assert load(comments="paid \u202e001 rupees")["comments"] == "paid 001 rupees"


def test_every_bidirectional_override_and_isolate_is_removed() -> None:
    controls = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

    assert load(officer_name=f"S{controls}I Verma")["officer_name"] == "SI Verma"


def test_hindi_comments_are_kept_exactly_as_written() -> None:
    assert unicodedata.is_normalized("NFC", HINDI_COMMENT)

    assert load(comments=HINDI_COMMENT)["comments"] == HINDI_COMMENT


def test_zero_width_joiners_that_devanagari_needs_are_kept() -> None:
    with_joiners = "क्\u200dष और क्\u200cष"

    assert load(name=with_joiners)["name"] == with_joiners


def test_decomposed_text_is_stored_in_composed_form() -> None:
    assert load(name="Jose\u0301")["name"] == "Jos\u00e9"


def test_new_lines_are_kept_in_comments() -> None:
    comments = "पहली पंक्ति\nदूसरी पंक्ति\n\nतीसरी"

    assert load(comments=comments)["comments"] == comments


def test_windows_line_ends_in_comments_become_plain_new_lines() -> None:
    assert load(comments="one\r\ntwo")["comments"] == "one\ntwo"


def test_new_lines_and_tabs_are_not_kept_in_a_name_or_officer_name() -> None:
    feedback = load(name="Ram\nKumar", officer_name="SI\tVerma\r\n")

    assert "\n" not in feedback["name"]
    assert "\r" not in feedback["name"]
    assert feedback["officer_name"] == "SI Verma"


@pytest.mark.parametrize("blank", ["", "   ", "\x00\x07", "\u202e", None])
def test_a_blank_name_is_stored_as_no_name(blank: str | None) -> None:
    assert load(name=blank)["name"] is None


def test_text_that_is_not_a_string_is_refused() -> None:
    assert errors_of(comments=42) == {"comments": ["invalid_text"]}


# --- shape of the body --------------------------------------------------------------------


def test_an_unknown_field_is_refused() -> None:
    assert errors_of(email="someone@example.invalid") == {"email": ["unknown_field"]}


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field_left_out_is_reported_as_required(field: str) -> None:
    payload = a_payload()
    del payload[field]

    with pytest.raises(ValidationError) as caught:
        FeedbackInputSchema().load(payload)

    assert caught.value.messages == {field: ["required"]}


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field_sent_as_null_is_reported_as_required(field: str) -> None:
    assert errors_of(**{field: None}) == {field: ["required"]}


def test_an_empty_body_reports_every_required_field() -> None:
    with pytest.raises(ValidationError) as caught:
        FeedbackInputSchema().load({})

    assert caught.value.messages == {field: ["required"] for field in REQUIRED}


@pytest.mark.parametrize("body", [[], "feedback", 5, None])
def test_a_body_that_is_not_a_json_object_is_refused(body: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        FeedbackInputSchema().load(body)

    assert caught.value.messages == {"_schema": ["invalid_body"]}


# --- the HTML form ------------------------------------------------------------------------


def a_form(**changes: str) -> dict[str, str]:
    form = {
        "station_code": a_station_code(),
        "qr_version": "3",
        "sig": "AbCdEfGh-_123456",
        "rating": "5",
        "name": "आशा",
        "mobile": "98123 45678",
        "complaint_date": "",
        "complaint_type": "lost_article",
        "officer_name": "",
        "comments": "ठीक",
        "cleanliness": "",
        "staff_available": "yes",
        "staff_helped": "no",
        "problem_resolved": "yes",
        "language": "en",
    }
    form.update(changes)
    return form


def test_a_filled_in_form_becomes_a_payload_the_schema_accepts() -> None:
    form = a_form()

    feedback = FeedbackInputSchema().load(form_to_payload(form))

    assert feedback["station_code"] == form["station_code"]
    assert feedback["qr_version"] == 3
    assert feedback["rating"] == 5
    assert feedback["mobile"] == "+919812345678"
    assert feedback["staff_available"] is True
    assert feedback["staff_helped"] is False
    assert feedback["problem_resolved"] is True
    assert feedback["cleanliness"] is None
    assert feedback["complaint_date"] is None
    assert feedback["language"] == "en"


def test_form_yes_and_no_become_booleans_and_blanks_are_left_out() -> None:
    payload = form_to_payload(a_form(cleanliness="2"))

    assert payload["staff_available"] is True
    assert payload["staff_helped"] is False
    assert payload["cleanliness"] == 2
    assert "complaint_date" not in payload
    assert "officer_name" not in payload


def test_form_values_that_do_not_convert_reach_the_schema_and_are_reported() -> None:
    payload = form_to_payload(a_form(rating="five", staff_helped="maybe", qr_version="99999999"))

    with pytest.raises(ValidationError) as caught:
        FeedbackInputSchema().load(payload)

    assert caught.value.messages == {
        "rating": ["invalid_integer"],
        "staff_helped": ["invalid_boolean"],
        "qr_version": ["invalid_integer"],
    }


def test_form_fields_outside_the_form_are_ignored() -> None:
    payload = form_to_payload({**a_form(), "form_token": "abc", "admin": "1"})

    assert set(payload) <= set(FORM_FIELDS)


@pytest.mark.parametrize("odd_digits", ["²", "①"])
def test_a_form_rating_in_unusual_digit_characters_is_reported_not_crashed_on(
    odd_digits: str,
) -> None:
    # str.isdigit() is true for superscripts and circled digits, but int() refuses them.
    payload = form_to_payload(a_form(rating=odd_digits))

    with pytest.raises(ValidationError) as caught:
        FeedbackInputSchema().load(payload)

    assert caught.value.messages == {"rating": ["invalid_integer"]}


# --- anything at all ----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=300)
    | st.dates().map(date.isoformat),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
field_names = st.sampled_from(FORM_FIELDS) | st.text(max_size=12)
# Reproducible runs that write no example database into the working tree.
PROPERTY_SETTINGS: dict[str, Any] = {
    "max_examples": 300,
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow],
}


@settings(**PROPERTY_SETTINGS)
@given(body=st.dictionaries(field_names, json_values, max_size=18))
def test_any_json_object_is_either_accepted_or_refused_with_field_errors(
    body: dict[str, Any],
) -> None:
    try:
        FeedbackInputSchema().load(body)
    except ValidationError as refused:
        assert isinstance(refused.messages, dict)


@settings(**PROPERTY_SETTINGS)
@given(changes=st.dictionaries(field_names, json_values, max_size=4))
def test_a_valid_submission_with_any_fields_changed_is_accepted_or_refused_cleanly(
    changes: dict[str, Any],
) -> None:
    try:
        feedback = FeedbackInputSchema().load({**a_payload(), **changes})
    except ValidationError as refused:
        assert set(refused.messages) <= set(changes) | set(REQUIRED)
    else:
        assert 1 <= feedback["rating"] <= 5
        assert feedback["mobile"].startswith("+91")


@settings(**PROPERTY_SETTINGS)
@given(form=st.dictionaries(st.sampled_from(FORM_FIELDS), st.text(max_size=40), max_size=15))
def test_any_form_is_either_accepted_or_refused_with_field_errors(form: dict[str, str]) -> None:
    try:
        FeedbackInputSchema().load(form_to_payload(form))
    except ValidationError as refused:
        assert isinstance(refused.messages, dict)
