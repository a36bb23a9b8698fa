"""What the registry API accepts, as marshmallow schemas. Errors are English sentences per
field (the admin API is for the police's own staff and tools)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from services.qr.domain import ZONE_PATTERN
from shared.events import STATION_CODE_PATTERN, FullMatch, StrictBoolean
from shared.mobile import InvalidMobile, normalise_mobile
from shared.web.args import AsciiInteger

KINDS = ("police", "cyber", "women")
_DEVANAGARI = re.compile("[\u0900-\u097f]")
_ZONE = ZONE_PATTERN


def _clean(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc").strip()


class Text(fields.String):
    """Single-line text, NFC-normalised, control characters removed, length checked after."""

    def __init__(self, max_length: int, *, min_length: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_length = min_length
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _clean(super()._deserialize(value, attr, data, **kwargs))
        if len(text) < self.min_length:
            raise ValidationError("Must not be empty.")
        if len(text) > self.max_length:
            raise ValidationError(f"At most {self.max_length} characters.")
        return text


class Mobile(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        if not raw.strip():
            return ""
        try:
            return normalise_mobile(raw)
        except InvalidMobile:
            raise ValidationError("Not a 10-digit Indian mobile number.") from None


def _email_or_empty(value: str) -> None:
    if value:
        validate.Email(error="Not a valid e-mail address.")(value)


def _hindi(value: str) -> None:
    if not _DEVANAGARI.search(value):
        raise ValidationError("Write the Hindi name in Devanagari.")


class StationSchema(Schema):
    """A new station (``POST``); with ``partial=True`` the changes of ``PATCH``."""

    class Meta:
        unknown = RAISE

    code = fields.String(
        required=True,
        validate=FullMatch(
            STATION_CODE_PATTERN,
            error="Upper-case letters, digits and hyphens only, at most 32.",
        ),
    )
    name_en = Text(200, min_length=1, required=True)
    name_hi = Text(200, min_length=1, required=True, validate=_hindi)
    zone = fields.String(required=True, validate=FullMatch(_ZONE, error="Not a zone code."))
    kind = fields.String(load_default="police", validate=validate.OneOf(KINDS))
    address = Text(300, load_default="")
    sho_name = Text(100, load_default="")
    sho_mobile = Mobile(load_default="")
    sho_email = Text(200, load_default="", validate=_email_or_empty)
    active = StrictBoolean(load_default=True)


class StationChangesSchema(StationSchema):
    """``PATCH``: any subset of the fields; the code and QR version cannot be changed here
    (the version changes only by rotation, which leaves an audit record)."""

    def load(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        errors: dict[str, list[str]] = {}
        if isinstance(data, dict):
            for locked in ("code", "qr_version"):
                if locked in data:
                    errors[locked] = ["Cannot be changed; rotate the QR code instead."]
        try:
            result = super().load(data, *args, partial=True, **kwargs)
        except ValidationError as exc:
            raise ValidationError({**exc.messages, **errors}) from None  # type: ignore[dict-item]
        if errors:
            raise ValidationError(errors)
        return result


class RotationSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = Text(500, min_length=1, required=True)


class ListQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    zone = fields.String(validate=FullMatch(_ZONE, error="Not a zone code."))
    active = fields.Boolean()


class ImageQuerySchema(Schema):
    """``qr.png`` / ``qr.svg``: module size in pixels (``scale``) and quiet zone (``border``,
    in modules; the QR standard asks for 4)."""

    class Meta:
        unknown = RAISE

    scale = AsciiInteger(load_default=10, validate=validate.Range(1, 50))
    border = AsciiInteger(load_default=4, validate=validate.Range(0, 20))
