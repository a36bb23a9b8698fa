"""What intake accepts from a visitor, as a marshmallow schema.

Errors are *codes* (``required``, ``too_long:100`` ...), not sentences: the API turns them
into English, the form into the visitor's language (see ``i18n.field_error``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from shared.complaint_types import COMPLAINT_TYPES
from shared.events import STATION_CODE_PATTERN, FullMatch, StrictBoolean
from shared.india import today_in_india
from shared.mobile import InvalidMobile, normalise_mobile

# Bidirectional-text overrides can disguise what a comment says; ZWJ/ZWNJ stay (Devanagari
# needs them).
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_REQUIRED = {"required": "required", "null": "required"}


def clean_text(value: str, *, multiline: bool) -> str:
    """NFC-normalised text without control characters; newlines kept only if ``multiline``."""
    value = unicodedata.normalize("NFC", value)
    value = _BIDI_CONTROLS.sub("", value.replace("\r\n", "\n").replace("\t", " "))
    kept = "".join(
        ch for ch in value if unicodedata.category(ch) != "Cc" or (multiline and ch == "\n")
    )
    return kept.strip()


class Text(fields.String):
    """Optional free text: cleaned, length-checked after cleaning, empty becomes None."""

    def __init__(self, max_length: int, *, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(
            load_default=None,
            allow_none=True,
            error_messages={"invalid": "invalid_text"},
            metadata={"maxLength": max_length},
            **kwargs,
        )
        self.max_length = max_length
        self.multiline = multiline

    # Empty text becomes None (the field allows none), which marshmallow's String does not say.
    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> str | None:
        text = clean_text(
            super()._deserialize(value, attr, data, **kwargs), multiline=self.multiline
        )
        if len(text) > self.max_length:
            raise ValidationError(f"too_long:{self.max_length}")
        return text or None


class Mobile(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return normalise_mobile(super()._deserialize(value, attr, data, **kwargs))
        except InvalidMobile:
            raise ValidationError("invalid_mobile") from None


def _within_last_year(value: date) -> None:
    today = today_in_india()
    if value > today:
        raise ValidationError("future_date")
    if value < today - timedelta(days=365):
        raise ValidationError("date_too_old")


def _integer(low: int, high: int, code: str, **kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(low, high, error=code),
        error_messages={**_REQUIRED, "invalid": "invalid_integer"},
        **kwargs,
    )


def _yes_no() -> fields.Boolean:
    return StrictBoolean(
        required=True,
        error_messages={**_REQUIRED, "invalid": "invalid_boolean"},
    )


class FeedbackInputSchema(Schema):
    """The body of ``POST /api/v1/feedback``; unknown fields are refused."""

    class Meta:
        unknown = RAISE

    error_messages: dict[str, str] = {"unknown": "unknown_field", "type": "invalid_body"}  # noqa: RUF012

    station_code = fields.String(
        required=True,
        validate=FullMatch(STATION_CODE_PATTERN, error="invalid_station_code"),
        error_messages={**_REQUIRED, "invalid": "invalid_station_code"},
    )
    qr_version = _integer(1, 1_000_000, "invalid_integer", required=True)
    sig = fields.String(
        required=True,
        validate=validate.Length(max=64, error="too_long:64"),
        error_messages={**_REQUIRED, "invalid": "invalid_text"},
    )
    rating = _integer(1, 5, "rating_range", required=True)
    name = Text(100)
    mobile = Mobile(required=True, error_messages={**_REQUIRED, "invalid": "invalid_mobile"})
    complaint_date = fields.Date(
        load_default=None,
        allow_none=True,
        validate=_within_last_year,
        error_messages={"invalid": "invalid_date"},
    )
    complaint_type = fields.String(
        required=True,
        validate=validate.OneOf(list(COMPLAINT_TYPES), error="invalid_choice"),
        error_messages={**_REQUIRED, "invalid": "invalid_choice"},
    )
    officer_name = Text(100)
    comments = Text(2000, multiline=True)
    cleanliness = _integer(1, 5, "rating_range", load_default=None, allow_none=True)
    staff_available = _yes_no()
    staff_helped = _yes_no()
    problem_resolved = _yes_no()
    language = fields.String(
        load_default="hi",
        validate=validate.OneOf(["hi", "en"], error="invalid_choice"),
        error_messages={"invalid": "invalid_choice"},
    )

    @pre_load
    def empty_means_absent(self, data: Any, **_: Any) -> Any:
        """An empty optional date or score is the same as leaving it out."""
        if isinstance(data, dict):
            for key in ("complaint_date", "cleanliness"):
                if data.get(key) == "":
                    data = {**data, key: None}
        return data


FORM_FIELDS = (
    "station_code", "qr_version", "sig", "rating", "name", "mobile", "complaint_date",
    "complaint_type", "officer_name", "comments", "cleanliness", "staff_available",
    "staff_helped", "problem_resolved", "language",
)  # fmt: skip
_FORM_BOOLEANS = {"yes": True, "no": False}


def form_to_payload(form: dict[str, str]) -> dict[str, Any]:
    """An HTML form's strings as the JSON the schema takes: numbers as numbers, yes/no as
    booleans, blanks left out. Anything that does not convert is passed on unchanged so the
    schema reports it."""
    payload: dict[str, Any] = {}
    for key in FORM_FIELDS:
        raw = (form.get(key) or "").strip()
        if not raw:
            continue
        if key in ("qr_version", "rating", "cleanliness"):
            payload[key] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 8 else raw
        elif key in ("staff_available", "staff_helped", "problem_resolved"):
            payload[key] = _FORM_BOOLEANS.get(raw, raw)
        else:
            payload[key] = form.get(key)
    return payload
