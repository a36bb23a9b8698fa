"""What every event on a topic shares: UTF-8 JSON holding one object with a
``schema_version``, checked by a marshmallow schema; and the one error a consumer needs to
tell a message that can never be processed from a fault worth retrying."""

from __future__ import annotations

import json
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

STATION_CODE_PATTERN = r"^[A-Z0-9-]{1,32}$"


class InvalidEvent(ValueError):
    """A message that can never be processed: not JSON, wrong schema or unknown version."""


def decode_object(raw: bytes, schema_version: int) -> dict[str, Any]:
    """A message value as the JSON object of an event at ``schema_version``; InvalidEvent
    when it is not JSON, not an object, or of another version."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidEvent("not a JSON object")
    version = data.get("schema_version")
    if version != schema_version:
        raise InvalidEvent(f"unknown schema_version {version!r}")
    return data


def load_event(schema: Schema, raw: bytes, schema_version: int) -> Any:
    """The event ``schema`` makes of a message value; InvalidEvent says why there is none."""
    data = decode_object(raw, schema_version)
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidEvent(f"schema: {exc.messages}") from None


class StrictBoolean(fields.Boolean):
    """JSON true or false only: 1 and 0 are numbers, not answers to a yes/no question."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class FullMatch(validate.Regexp):
    """marshmallow's Regexp over the whole value. Regexp uses ``re.match``, where ``$`` also
    matches before a final newline: ``"GGN-X\\n"`` passed ``^[A-Z0-9-]{1,32}$`` and reached
    the database's check (a 500). The pattern stays as OpenAPI writes it (``^...$``)."""

    def __init__(self, regex: str, *, error: str | None = None) -> None:
        super().__init__(regex, error=error)
        self._whole = re.compile(regex)

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self._whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value
