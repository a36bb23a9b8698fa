"""The analysts' read-only PostgreSQL login: its name, its connection string, the check that
it works (so setup can skip the superuser step when nothing is missing), and making it."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2

from ops import stack

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
            row = cur.fetchone()
            return bool(row and row[0])
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def app_database_url(cfg: stack.StackConfig) -> str:
    """The application's connection string, without its password (for the login check)."""
    return (
        f"postgresql://{cfg.postgres_user}@{cfg.postgres_host}:{cfg.postgres_port}/"
        f"{cfg.postgres_db}"
    )


def ensure_analyst_role(cfg: stack.StackConfig, password: str) -> None:
    """The analysts' read-only login (a LOGIN role needs the superuser), allowed the views of
    the analyst schema and nothing else; ``password`` is ANALYST_PASSWORD (secrets.env).
    Its fence (limits, no temporary tables, no large objects) is ops/db_roles.py's."""
    if analyst_login_works(app_database_url(cfg), password, timeout_s=3):
        return

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    role, app = f'"{ANALYST_ROLE}"', '"' + cfg.postgres_user.replace('"', '""') + '"'
    database = '"' + cfg.postgres_db.replace('"', '""') + '"'
    # On stdin (psql_superuser), so the password never shows in `ps`.
    script = f"""
SELECT format('CREATE ROLE %I', {literal(ANALYST_ROLE)}) WHERE NOT EXISTS
  (SELECT 1 FROM pg_roles WHERE rolname = {literal(ANALYST_ROLE)}) \\gexec
ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
  PASSWORD {literal(password)};
ALTER ROLE {role} SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE {database} TO {role};
GRANT USAGE ON SCHEMA analyst TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO {role};
ALTER DEFAULT PRIVILEGES FOR ROLE {app} IN SCHEMA analyst GRANT SELECT ON TABLES TO {role};
"""  # noqa: S608 (values quoted above)
    stack.psql_superuser(cfg, script, database=cfg.postgres_db)
