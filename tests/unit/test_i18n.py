"""The intake pages' words in both languages, and the templates that show them."""

import re
import string
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import Environment, FileSystemLoader

from services.intake import i18n
from shared.complaint_types import complaint_type_choices

INTAKE = Path(__file__).resolve().parents[2] / "services" / "intake"
DEVANAGARI = re.compile("[\u0900-\u097f]")

REQUIRED_FIELDS = (
    "rating",
    "mobile",
    "complaint_type",
    "staff_available",
    "staff_helped",
    "problem_resolved",
)
OPTIONAL_FIELDS = ("name", "complaint_date", "officer_name", "comments", "cleanliness")
HIDDEN_FIELDS = ("station_code", "qr_version", "sig", "form_token", "language")
PAGE_BUDGET_BYTES = 30 * 1024


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id") and tag not in ("input", "br"):
            self._open_ids.append((tag, attributes["id"] or ""))
            self.text_by_id.setdefault(attributes["id"] or "", "")

    def handle_endtag(self, tag: str) -> None:
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open_ids:
            self.text_by_id[element_id] += data

    def named(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(tag, attrs) for tag, attrs in self.tags if attrs.get("name") == name]


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(INTAKE / "templates"), autoescape=True)


def base_context(lang: str) -> dict[str, object]:
    return {
        "lang": lang,
        "t": i18n.bind(lang),
        "other_lang_url": "/s/GGN-SADAR?v=3&sig=abc&lang=" + ("en" if lang == "hi" else "hi"),
        "css_url": "/static/form.css",
    }


STATION = SimpleNamespace(code="GGN-SADAR", name_en="Sadar Gurugram", name_hi="सदर गुरुग्राम")


def render_form(lang: str = "hi", **overrides: object) -> str:
    context = base_context(lang) | {
        "station": STATION,
        "action_url": "/s/GGN-SADAR",
        "qr_version": 3,
        "sig": "c2lnbmF0dXJl",
        "form_token": "token-123",
        "values": {},
        "errors": {},
        "banner": None,
        "complaint_types": complaint_type_choices(lang),
        "today": "2026-11-29",
        "min_date": "2025-11-29",
        "retention_days": 180,
        "rights_url": f"/rights?lang={lang}",
    }
    context.update(overrides)
    return environment().get_template("form.html").render(context)


def render_problem(kind: str, status: int, lang: str = "hi") -> str:
    context = base_context(lang) | {"other_lang_url": None, "kind": kind, "status": status}
    return environment().get_template("problem.html").render(context)


# --- the words ---------------------------------------------------------------------------


def test_every_text_has_hindi_in_devanagari_and_plain_english():
    for key, texts in i18n.TEXT.items():
        assert set(texts) == {"hi", "en"}, key
        assert texts["hi"].strip() and texts["en"].strip(), key
        assert DEVANAGARI.search(texts["hi"]), f"{key}: Hindi has no Devanagari"
        assert not DEVANAGARI.search(texts["en"]), f"{key}: English has Devanagari"


def test_both_languages_of_a_text_take_the_same_format_parameters():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    for key, texts in i18n.TEXT.items():
        assert fields(texts["hi"]) == fields(texts["en"]), key


def test_t_finds_text_and_fails_loudly_on_an_unknown_key_or_language():
    assert i18n.t("problem_resolved.legend", "hi") == "क्या आपकी समस्या का समाधान हुआ?"
    assert i18n.t("yes", "en") == "Yes"
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "hi")
    with pytest.raises(KeyError):
        i18n.t("yes", "fr")
    with pytest.raises(KeyError):
        i18n.bind("fr")


def test_a_bound_t_can_still_ask_for_the_other_language():
    t = i18n.bind("hi")
    assert t("yes") == "हाँ"
    assert t("yes", language="en") == "Yes"


def test_the_privacy_notice_names_the_retention_period_in_both_languages():
    for language in i18n.LANGUAGES:
        notice = i18n.t("privacy.notice", language).format(retention_days=180)
        assert "180" in notice
        assert "{" not in notice


def test_the_503_banner_says_the_answers_are_kept():
    assert i18n.t("banner.unavailable", "en") == (
        "We could not save your feedback just now. Your answers are kept below — "
        "please press Submit again in a minute."
    )


@pytest.mark.parametrize("code", i18n.ERROR_CODES)
@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_error_code_has_a_message_in_both_languages(code, language):
    message = i18n.field_error(code, language, max=100)
    assert message.strip()
    assert "{" not in message
    assert bool(DEVANAGARI.search(message)) == (language == "hi")


def test_too_long_names_the_limit():
    assert "2000" in i18n.field_error("too_long", "hi", max=2000)
    assert "2000" in i18n.field_error("too_long", "en", max=2000)


def test_an_unknown_error_code_or_a_missing_parameter_fails_loudly():
    with pytest.raises(KeyError):
        i18n.field_error("no_such_code", "en")
    with pytest.raises(KeyError):
        i18n.field_error("too_long", "en")


# --- the form ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_form_has_every_field_and_marks_the_required_ones(lang):
    page = parse(render_form(lang))
    for name in REQUIRED_FIELDS + OPTIONAL_FIELDS + HIDDEN_FIELDS:
        assert page.named(name), f"no input named {name}"
    for name in REQUIRED_FIELDS:
        assert all("required" in attrs for _, attrs in page.named(name)), name
    for name in OPTIONAL_FIELDS:
        assert not any("required" in attrs for _, attrs in page.named(name)), name
    assert ("html", {"lang": lang}) in page.tags


def test_the_star_questions_are_five_radios_with_spoken_labels():
    html = render_form("en")
    page = parse(html)
    for name in ("rating", "cleanliness"):
        radios = page.named(name)
        assert [attrs["type"] for _, attrs in radios] == ["radio"] * 5
        assert [attrs["value"] for _, attrs in radios] == ["1", "2", "3", "4", "5"]
    assert "3 of 5" in html
    assert "5 में से 3" in render_form("hi")


def test_the_yes_no_questions_are_radio_pairs():
    page = parse(render_form("hi"))
    for name in ("staff_available", "staff_helped", "problem_resolved"):
        radios = page.named(name)
        assert [(attrs["type"], attrs["value"]) for _, attrs in radios] == [
            ("radio", "yes"),
            ("radio", "no"),
        ]


def test_the_input_types_suit_a_phone():
    page = parse(render_form("hi"))
    [(_, mobile)] = page.named("mobile")
    [(_, date)] = page.named("complaint_date")
    assert mobile["type"] == "tel"
    assert mobile["inputmode"] == "numeric"
    assert mobile["autocomplete"] == "tel"
    assert "mobile-hint" in (mobile["aria-describedby"] or "")
    assert (date["type"], date["min"], date["max"]) == ("date", "2025-11-29", "2026-11-29")
    assert page.named("name")[0][1]["maxlength"] == "100"
    assert page.named("officer_name")[0][1]["maxlength"] == "100"
    assert page.named("comments")[0][0] == "textarea"
    assert page.named("comments")[0][1]["maxlength"] == "2000"


def test_the_complaint_type_list_starts_with_an_empty_choice():
    html = render_form("hi")
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options[0] == ""
    assert options[1:] == [code for code, _ in complaint_type_choices("hi")]
    assert "साइबर धोखाधड़ी" in html


def test_the_form_keeps_previous_answers_and_shows_errors_beside_their_fields():
    values = {
        "rating": "4",
        "name": "Ram <Kumar>",
        "mobile": "98765",
        "complaint_date": "2026-11-01",
        "complaint_type": "cyber_fraud",
        "officer_name": "SI Verma",
        "comments": "दो घंटे इंतज़ार",
        "cleanliness": "2",
        "staff_available": "yes",
        "staff_helped": "no",
        "problem_resolved": "no",
    }
    mobile_error = i18n.field_error("invalid_mobile", "hi")
    html = render_form(
        "hi",
        values=values,
        errors={"mobile": [mobile_error], "sig": ["bad signature"]},
        banner=i18n.t("banner.unavailable", "hi"),
    )
    page = parse(html)

    assert "Ram &lt;Kumar&gt;" in html
    assert "<Kumar>" not in html
    assert "दो घंटे इंतज़ार</textarea>" in html
    assert '<option value="cyber_fraud" selected>' in html
    for name, value in values.items():
        inputs = [attrs for tag, attrs in page.named(name) if tag == "input"]
        if inputs and inputs[0]["type"] == "radio":
            checked = [attrs["value"] for attrs in inputs if "checked" in attrs]
            assert checked == [value], name
        elif inputs:
            assert inputs[0]["value"] == value, name

    [(_, mobile)] = page.named("mobile")
    assert mobile["aria-invalid"] == "true"
    described_by = (mobile["aria-describedby"] or "").split()
    assert any(page.text_by_id.get(i) == mobile_error for i in described_by)
    assert not any("aria-invalid" in attrs for _, attrs in page.named("name"))
    assert i18n.t("banner.unavailable", "hi") in html
    assert "bad signature" in html


def test_the_form_page_with_its_css_is_under_the_budget():
    crowded = render_form(
        "hi",
        values={"comments": "क" * 500, "name": "राम कुमार", "mobile": "98765"},
        errors={name: [i18n.field_error("required", "hi")] for name in REQUIRED_FIELDS},
        banner=i18n.t("banner.unavailable", "hi"),
    )
    css = (INTAKE / "static" / "form.css").read_bytes()
    assert len(crowded.encode()) + len(css) < PAGE_BUDGET_BYTES


def test_the_form_shows_the_station_in_both_scripts_current_language_first():
    hindi, english = render_form("hi"), render_form("en")
    assert hindi.index("सदर गुरुग्राम") < hindi.index("Sadar Gurugram")
    assert english.index("Sadar Gurugram") < english.index("सदर गुरुग्राम")
    assert ">English</a>" in hindi
    assert ">हिन्दी</a>" in english


def test_the_form_needs_no_javascript_and_nothing_from_elsewhere():
    html = render_form("hi")
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html


# --- thanks and problem pages ------------------------------------------------------------


def test_the_thank_you_page_shows_a_short_reference():
    context = base_context("en") | {
        "station": STATION,
        "feedback_id": "3f2a9c1e-7b4d-4e2a-9f00-123456789abc",
    }
    html = environment().get_template("thanks.html").render(context)
    assert "3f2a9c1e" in html
    assert "7b4d" not in html
    assert i18n.t("thanks.title", "en") in html
    assert "Sadar Gurugram" in html


@pytest.mark.parametrize(("kind", "status"), sorted(i18n.PROBLEM_KINDS.items()))
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_problem_page_speaks_hindi_then_english_and_gives_112(kind, status, lang):
    html = render_problem(kind, status, lang)
    hindi = i18n.t(f"problem.{kind}.title", "hi")
    english = i18n.t(f"problem.{kind}.title", "en")
    assert hindi in html
    assert english in html
    assert html.index(hindi) < html.index(english)
    assert i18n.t(f"problem.{kind}.body", "en") in html
    assert 'href="tel:112"' in html
    assert str(status) in html
    assert f'<html lang="{lang}">' in html


def test_an_unexpected_problem_kind_still_gets_a_page():
    html = render_problem("something_new", 400)
    assert i18n.t("problem.bad_request.title", "hi") in html
    assert "112" in html


def test_schema_error_codes_become_messages_with_their_parameter_and_unknown_codes_a_fallback():
    messages = i18n.field_errors({"name": ["too_long:100"], "x": ["no_such_code"]}, "en")

    assert messages["name"] == [i18n.field_error("too_long", "en", max="100")]
    assert "100" in messages["name"][0]
    assert messages["x"] == [i18n.field_error("invalid_value", "en")]
    assert DEVANAGARI.search(i18n.field_errors({"name": ["too_long:100"]}, "hi")["name"][0])
