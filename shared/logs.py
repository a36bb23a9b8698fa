"""Structured logging: one JSON object per line, with personal data kept out.

Three guards, because no single one is enough:
1. fields whose names denote personal data (``name``, ``mobile`` ...) are replaced;
2. anything that looks like an Indian mobile number is replaced, wherever it appears;
3. values registered with :func:`sensitive` for the current request (a visitor's name, say,
   which no pattern can recognise) are replaced wherever they appear.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"
PERSONAL_FIELDS = frozenset(
    {"name", "visitor_name", "complainant_name", "mobile", "phone", "mobile_number", "msisdn"}
)
# Ten digits starting 6-9, optionally after +91 / 91 / 0, with the separators people type
# (spaces, hyphens, dots, brackets) between, and not inside a longer word or number.
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?91[\s.\-]?|0)?\(?[6-9](?:[\s.\-()]{0,2}[0-9]){9}(?![0-9A-Za-z])"
)
# Event ids are logged on purpose and may hold ten digits in a row: never scrub inside one.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_sensitive: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "sensitive_values", default=()
)
# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


@contextmanager
def sensitive(*values: str | None) -> Iterator[None]:
    """Within the block, these exact values never reach a log line."""
    extra = tuple(v for v in values if v and len(v.strip()) >= 2)
    token = _sensitive.set(_sensitive.get() + extra)
    try:
        yield
    finally:
        _sensitive.reset(token)


def scrub(text: str) -> str:
    """``text`` with mobile numbers and the current sensitive values replaced."""
    for value in sorted(_sensitive.get(), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    pieces, last = [], 0
    for match in _UUID.finditer(text):
        pieces.append(_MOBILE.sub(REDACTED, text[last : match.start()]))
        pieces.append(match.group())
        last = match.end()
    pieces.append(_MOBILE.sub(REDACTED, text[last:]))
    return "".join(pieces)


def _clean(key: str, value: Any) -> Any:
    if key.lower() in PERSONAL_FIELDS:
        return REDACTED
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _clean(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean("", v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return scrub(str(value))


class PersonalDataFilter(logging.Filter):
    """Rewrites each record in place so that no handler sees personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        for key in list(record.__dict__):
            if key not in _STANDARD:
                record.__dict__[key] = _clean(key, record.__dict__[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: time, service, level, logger, message, ``extra`` fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "service": self.service,
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records, filtered, as JSON lines to stderr. Called by entrypoints."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("kafka").setLevel(logging.WARNING)
    # kafka-python warns at every SCRAM login over SASL_PLAINTEXT. On one machine the
    # brokers listen on loopback only; a deployment across machines sets SASL_SSL
    # (README), so the warning would only bury the lines that matter.
    logging.getLogger("kafka.net.sasl.scram").setLevel(logging.ERROR)
