"""The analysts' read-only PostgreSQL login: its name, its connection string, and the check
that it works (so setup can skip the superuser step when nothing is missing)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2

ANALYST_ROLE = "pratikriya_analyst"


def analyst_url(database_url: str, password: str | None = None) -> str:
    """``database_url`` with the analysts' role instead of the application's; without a
    password unless one is given (for printing)."""
    parts = urlsplit(database_url)
    secret = f":{quote(password, safe='')}" if password else ""
    netloc = f"{ANALYST_ROLE}{secret}@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def analyst_login_works(database_url: str, password: str, timeout_s: int = 5) -> bool:
    """True when the role logs in with ``password`` and may read every view of the analyst
    schema (and there is at least one)."""
    try:
        conn = psycopg2.connect(analyst_url(database_url, password), connect_timeout=timeout_s)
    except psycopg2.Error:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) > 0 AND bool_and(has_table_privilege(c.oid, 'SELECT'))"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'analyst' AND c.relkind = 'v'"
            )
            return bool(cur.fetchone()[0])
    except psycopg2.Error:
        return False
    finally:
        conn.close()
