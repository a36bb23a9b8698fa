"""A change the database refuses (a check, a foreign key, a unique key, a value too long
or malformed) is the caller's mistake: 422, or 409 for a duplicate, never a 500.

The use cases check what they can first and answer with their own messages; this is the
net under them, for every service. The answer names the broken rule (a constraint or
column name), never the values: psycopg2's message carries the failing row, which may hold
a visitor's or an officer's name and number, so it is neither shown nor logged.
"""

from __future__ import annotations

import logging

import psycopg2
import psycopg2.errors
from werkzeug.exceptions import Conflict, HTTPException, UnprocessableEntity

logger = logging.getLogger(__name__)


def refusal(error: psycopg2.Error) -> HTTPException:
    """The HTTP answer to a change that ``error`` says the database refused."""
    diag = error.diag
    rule = diag.constraint_name or diag.column_name or ""
    logger.warning(
        "the database refused a change",
        extra={"sqlstate": error.pgcode, "rule": rule, "table": diag.table_name or ""},
    )
    if isinstance(error, psycopg2.errors.UniqueViolation):
        return Conflict(f"this already exists (the rule {rule} allows one)")
    if isinstance(error, psycopg2.errors.NotNullViolation):
        return UnprocessableEntity(f"a value is missing: {rule} is required")
    if isinstance(error, psycopg2.IntegrityError):
        named = f" {rule}" if rule else ""
        return UnprocessableEntity(f"a value breaks the data's rule{named}")
    return UnprocessableEntity(
        "a value does not fit: too long, out of range or not of the expected kind"
    )
