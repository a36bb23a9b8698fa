"""One PostgreSQL login per service, each granted only what its code does (README, "Who may
read what in the database"); made idempotently by ``./pratikriya up`` after the migrations.

The application's own role (DATABASE_URL's) stays the owner: it runs the migrations, the
seed and the command line. Every service process gets a DATABASE_URL with its own role
(ops/services.py); a password per role is generated once into secrets.env (ops/cli.py).
Making a LOGIN role needs the superuser (``stack.psql_superuser``); so do the grants here,
which also revoke what PostgreSQL grants to PUBLIC by default: connecting to the database,
temporary tables, and large objects (functions of pg_catalog, owned by the superuser).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ops import stack
from ops.analysts import ANALYST_ROLE

INTAKE, QR, ANALYTICS = "pratikriya_intake", "pratikriya_qr", "pratikriya_analytics"
CONSUMER, NOTIFIER, OPS = (
    "pratikriya_analytics_consumer",
    "pratikriya_notifier",
    "pratikriya_ops",
)
SERVICE_ROLES = (INTAKE, QR, ANALYTICS, CONSUMER, NOTIFIER, OPS)

# What every HTTP service's sign-in gate needs (shared/auth/postgres.py): accounts to sign
# in (and count failures, change a password), sessions, and the audit log (written; read
# for the failed sign-ins per address). Tokens go through auth_token_principal() (0007).
Privileges = tuple[str, ...]  # "SELECT", or "SELECT (a, b)" for those columns only
_GATE: dict[str, Privileges] = {
    "accounts": ("SELECT", "UPDATE"),
    "sessions": ("SELECT", "INSERT", "UPDATE"),
    "audit_log": ("SELECT", "INSERT"),
}
_HEALTH: dict[str, Privileges] = {"worker_health": ("SELECT", "INSERT", "UPDATE")}

# role -> table -> privileges. Nothing else: no DELETE, no TRUNCATE, no other table.
GRANTS: dict[str, dict[str, Privileges]] = {
    INTAKE: {
        **_GATE,
        # the visitor's own rights page (services/intake/adapters/rights_postgres.py): their
        # feedback found by the keyed hash, their name and number erased; never read back
        "stations": ("SELECT",),
        "feedback": ("SELECT",),
        "feedback_personal": (
            "SELECT (event_id, mobile_hash, purged_at)",
            "UPDATE (name, mobile, purged_at)",
        ),
    },
    QR: {
        **_GATE,
        "accounts": ("SELECT", "INSERT", "UPDATE"),
        "api_tokens": ("SELECT", "INSERT", "UPDATE"),
        "stations": ("SELECT", "INSERT", "UPDATE"),
        "zones": ("SELECT", "UPDATE"),
        "qr_rotations": ("SELECT", "INSERT"),
    },
    ANALYTICS: {
        **_GATE,
        "stations": ("SELECT",),
        "zones": ("SELECT",),
        "feedback": ("SELECT",),
        # the feedback cell's reveal of one event (services/analytics/entrypoints/identity.py)
        "feedback_personal": ("SELECT (event_id, name, mobile, purged_at)",),
        "worker_health": ("SELECT",),
        # the inbox's actions and call backs (entrypoints/inbox.py), and the alerts an SHO
        # records an action on (read only; the notifier owns them)
        "station_actions": ("SELECT", "INSERT"),
        "feedback_callbacks": ("SELECT", "INSERT"),
        # ... and the weekly digest (services/analytics/digest): alerts still open at a week's end
        "alerts": (
            "SELECT (id, station_code, rule, status, level, raised_at, acknowledged_at,"
            " resolved_at)",
        ),
        # the admin's merges and splits of officers' names (entrypoints/officers.py)
        "officer_aliases": ("SELECT", "INSERT", "UPDATE"),
        # directions (services/analytics/adapters/directions_postgres.py): recorded, read,
        # acknowledged and reported on; the alerts a direction may rest on, without numbers
        "directions": ("SELECT", "INSERT"),
        "direction_feedback": ("SELECT", "INSERT"),
        "direction_alerts": ("SELECT", "INSERT"),
        "direction_reports": ("SELECT", "INSERT"),
        "direction_overdue_notices": ("SELECT",),
        "direction_deliveries": (
            "SELECT (direction_id, recipient_role, station_code, channel, status, sent_at)",
        ),
    },
    CONSUMER: {
        "stations": ("SELECT",),
        # INSERT ... RETURNING; the keys of rows stored before them (adapters/text_keys.py)
        "feedback": ("SELECT", "INSERT", "UPDATE (officer_key, comment_key, text_key_version)"),
        # ON CONFLICT (event_id) reads the key column; the names and numbers it cannot read
        # the purge (services/analytics/adapters/purge.py) blanks names, numbers and hashes
        "feedback_personal": (
            "SELECT (event_id, stored_at, purged_at)",
            "INSERT",
            "UPDATE (name, mobile, mobile_hash, purged_at)",
        ),
        "station_hourly_buckets": ("SELECT", "INSERT", "UPDATE"),
        **_HEALTH,
    },
    NOTIFIER: {
        **_GATE,
        "alerts": ("SELECT", "INSERT", "UPDATE"),
        "alert_deliveries": ("SELECT", "INSERT", "UPDATE"),
        "notifier_station_scores": ("SELECT", "INSERT", "UPDATE"),
        # overdue directions (services/notifier/adapters/directions_postgres.py): noticed once
        "directions": ("SELECT",),
        "direction_reports": ("SELECT (direction_id, station_code, kind, reported_at)",),
        "direction_overdue_notices": ("SELECT", "INSERT"),
        "direction_deliveries": ("SELECT", "INSERT", "UPDATE"),
        # the weekly digest's email (services/notifier/digest_mail.py): its outbox, and what
        # the digest is built from: feedback facts (no names, numbers or words), the registry
        "digest_emails": ("SELECT", "INSERT", "UPDATE"),
        "feedback": ("SELECT (station_code, submitted_at, rating)",),
        "stations": ("SELECT (code, name_en, name_hi, zone, active)",),
        "zones": ("SELECT (code, name_en, name_hi, dcp_email)",),
        **_HEALTH,
    },
    OPS: dict(_GATE),
}
SEQUENCES = {QR: ("station_revisions",)}  # stations' revision default and trigger
TOKEN_LOOKUP = {INTAKE, QR, ANALYTICS, NOTIFIER, OPS}  # EXECUTE auth_token_principal
# EXECUTE feedback_month_partitions: the consumer makes the coming months' partitions
PARTITION_MAKERS = {CONSUMER}

# The analysts' login (ops/analysts.py) is fenced by its role's settings, not a session's.
ANALYST_SETTINGS = {
    "statement_timeout": "60s",
    "idle_in_transaction_session_timeout": "60s",
    "temp_file_limit": "1GB",
}
ANALYST_CONNECTION_LIMIT = 5


def password_key(role: str) -> str:
    """The secrets.env key of ``role``'s password: PRATIKRIYA_QR_DB_PASSWORD and so on."""
    return f"{role.upper()}_DB_PASSWORD"


def role_database_url(database_url: str, role: str, password: str) -> str:
    """``database_url`` with ``role`` and its password instead of the owner's."""
    parts = urlsplit(database_url)
    netloc = f"{role}:{quote(password, safe='')}@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def service_database_url(env: Mapping[str, str], role: str) -> str:
    """The DATABASE_URL a process running as ``role`` gets (its password from ``env``)."""
    password = env.get(password_key(role))
    if not password:
        raise stack.StackError(f"no {password_key(role)}: run ./pratikriya up once")
    return role_database_url(env["DATABASE_URL"], role, password)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def split_privilege(privilege: str) -> tuple[str, tuple[str, ...]]:
    """ "SELECT (a, b)" -> ("SELECT", ("a", "b")); "SELECT" -> ("SELECT", ())."""
    kind, _, columns = privilege.partition("(")
    return kind.strip(), tuple(c.strip() for c in columns.rstrip(")").split(",") if c.strip())


def _grant_sql(role: str, table: str, privilege: str) -> str:
    kind, columns = split_privilege(privilege)
    cols = f" ({', '.join(_ident(c) for c in columns)})" if columns else ""
    return f"GRANT {kind}{cols} ON public.{_ident(table)} TO {_ident(role)};"


def roles_script(database: str, passwords: Mapping[str, str]) -> str:
    """The psql script (run as the superuser in ``database``) that makes every service role
    with its password and gives it exactly GRANTS: first all it may have is revoked, so a
    grant removed from GRANTS is removed from the database too."""
    db, lines = _ident(database), []
    lines += [
        # What PUBLIC gets by default: connect to the database, make temporary tables.
        # One transaction: a service running meanwhile never sees its grants half redone.
        "BEGIN;",
        # What PUBLIC gets by default: connect to the database, make temporary tables (the
        # owner keeps both as the owner).
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC;",
        # Large objects: no role but the superuser may make or open one.
        "SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p.oid::regprocedure)"
        " FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace"
        " AND (p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite')) \\gexec",
    ]
    for role in SERVICE_ROLES:
        ident = _ident(role)
        lines += [
            f"SELECT format('CREATE ROLE %I', {_literal(role)}) WHERE NOT EXISTS"  # noqa: S608
            f" (SELECT 1 FROM pg_roles WHERE rolname = {_literal(role)}) \\gexec",
            f"ALTER ROLE {ident} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
            f" NOREPLICATION NOBYPASSRLS PASSWORD {_literal(passwords[role])};",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ident};",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {ident};",
            f"REVOKE ALL ON FUNCTION public.auth_token_principal(text) FROM {ident};",
            f"REVOKE ALL ON FUNCTION public.feedback_month_partitions(date, integer) FROM {ident};",
            # Column grants are not undone by the table's REVOKE ALL: undo them one by one.
            "SELECT format('REVOKE ALL (%I) ON %I.%I FROM %I', column_name, table_schema,"  # noqa: S608
            " table_name, grantee) FROM information_schema.column_privileges"
            f" WHERE grantee = {_literal(role)} AND table_schema = 'public' \\gexec",
            f"GRANT CONNECT ON DATABASE {db} TO {ident};",
            f"GRANT USAGE ON SCHEMA public TO {ident};",
        ]
        lines += [_grant_sql(role, t, p) for t, ps in GRANTS[role].items() for p in ps]
        lines += [f"GRANT USAGE ON SEQUENCE public.{_ident(s)} TO {ident};"
                  for s in SEQUENCES.get(role, ())]  # fmt: skip
        if role in TOKEN_LOOKUP:
            lines.append(f"GRANT EXECUTE ON FUNCTION public.auth_token_principal(text) TO {ident};")
        if role in PARTITION_MAKERS:
            lines.append(
                f"GRANT EXECUTE ON FUNCTION public.feedback_month_partitions(date, integer)"
                f" TO {ident};"
            )
    analyst = _ident(ANALYST_ROLE)
    lines += [
        f"ALTER ROLE {analyst} CONNECTION LIMIT {ANALYST_CONNECTION_LIMIT};",
        *(f"ALTER ROLE {analyst} SET {k} = {_literal(v)};" for k, v in ANALYST_SETTINGS.items()),
        f"GRANT CONNECT ON DATABASE {db} TO {analyst};",
        "COMMIT;",
    ]
    return "\n".join(lines) + "\n"


def ensure_service_roles(cfg: stack.StackConfig, env: Mapping[str, str]) -> None:
    """Make or update every service role and its grants (after the migrations and the
    analysts' role); the passwords are ``env``'s (secrets.env)."""
    passwords = {role: env[password_key(role)] for role in SERVICE_ROLES}
    # On stdin (psql_superuser), so the passwords never show in `ps`.
    script = roles_script(cfg.postgres_db, passwords)
    stack.psql_superuser(cfg, script, database=cfg.postgres_db)


def run_script(conn: Any, script: str) -> None:
    """Run ``roles_script()``'s output over a DB-API connection in autocommit mode, for where
    there is no psql (the containers' image): one statement per line, and a line ending in
    ``\\gexec`` runs each statement its query returns, as psql does."""
    with conn.cursor() as cur:
        for line in script.splitlines():
            query, gexec, _ = line.partition("\\gexec")
            if not query.strip():
                continue
            cur.execute(query)
            if gexec:
                for (statement,) in cur.fetchall():
                    cur.execute(statement)


def ensure_service_roles_at(superuser_url: str, passwords: Mapping[str, str]) -> None:
    """``ensure_service_roles`` through psycopg2, logged in as the superuser at
    ``superuser_url`` (whose path names the application's database): docker compose's
    setup container, which has no psql."""
    import psycopg2

    database = urlsplit(superuser_url).path.lstrip("/")
    script = roles_script(database, {role: passwords[role] for role in SERVICE_ROLES})
    conn = psycopg2.connect(superuser_url, connect_timeout=10, application_name="setup")
    try:
        conn.autocommit = True  # the script's own BEGIN and COMMIT make it one transaction
        run_script(conn, script)
    finally:
        conn.close()
