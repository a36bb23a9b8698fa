"""Each service's PostgreSQL role has exactly the grants of the README's table, and no more:
intake cannot read names or numbers, the analytics API reads only what the reveal shows, and
every gate finds a token without reading the token table."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from ops import db_roles, services
from shared import db
from shared.auth.postgres import PostgresAuthStore
from shared.auth.roles import Role
from tests.support import create_station

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
LETTERS = {"SELECT": "S", "INSERT": "I", "UPDATE": "U", "DELETE": "D", "TRUNCATE": "T",
           "REFERENCES": "R", "TRIGGER": "G"}  # fmt: skip
COLUMN_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "REFERENCES")


def readme_table() -> dict[str, dict[str, frozenset[str]]]:
    """role -> table -> {"S", "I", "S(event_id,name)", ...} from the README's table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Who may read what in the database", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[0] == "table" and len(rows) > 3
    found: dict[str, dict[str, frozenset[str]]] = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for column, cell in zip(header[1:], cells[1:], strict=True):
            role = f"pratikriya_{column}"
            items = re.findall(r"[A-Z](?:\([^)]*\))?", cell) if cell != "-" else []
            found.setdefault(role, {})[cells[0]] = frozenset(i.replace(" ", "") for i in items)
    return found


def actual_grants(cur, role: str, table: str) -> frozenset[str]:
    """What ``role`` may do to ``table`` (PUBLIC's grants included), in the README's letters."""
    held = set()
    for privilege, letter in LETTERS.items():
        cur.execute("SELECT has_table_privilege(%s, %s, %s)", (role, f"public.{table}", privilege))
        if cur.fetchone()[0]:
            held.add(letter)
        elif privilege in COLUMN_PRIVILEGES:
            cur.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped AND has_column_privilege(%s, attrelid, attnum, %s)"
                " ORDER BY attnum",
                (f"public.{table}", role, privilege),
            )
            columns = [name for (name,) in cur.fetchall()]
            if columns:
                held.add(f"{letter}({','.join(columns)})")
    return frozenset(held)


@pytest.fixture(scope="module")
def owner(infra):
    conn = psycopg2.connect(infra["DATABASE_URL"])
    conn.autocommit = True
    yield conn
    conn.close()


def login(infra, role: str):
    conn = psycopg2.connect(db_roles.service_database_url(infra, role))
    conn.autocommit = True
    return conn


def test_every_role_has_exactly_the_grants_the_readme_lists(owner):
    expected = readme_table()
    assert set(expected) == {*db_roles.SERVICE_ROLES, "pratikriya_analyst"}
    with owner.cursor() as cur:
        # The feedback table's months are reached through it only (migration 0012).
        cur.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            " AND relkind IN ('r', 'p') AND NOT relispartition"
        )
        tables = {name for (name,) in cur.fetchall()}
        cur.execute("SELECT inhrelid::regclass::text FROM pg_inherits"
                    " WHERE inhparent = 'public.feedback'::regclass")  # fmt: skip
        months = [name for (name,) in cur.fetchall()]
        assert "feedback_default" in months and len(months) >= 4
        for role in expected:
            assert {m: actual_grants(cur, role, m) for m in months} == dict.fromkeys(
                months, frozenset()
            ), role
        for role, listed in expected.items():
            assert set(listed) == tables, f"README's table is not every table ({role})"
            actual = {table: actual_grants(cur, role, table) for table in tables}
            assert actual == listed, role


def test_the_readme_table_is_what_ops_db_roles_grants():
    expected = readme_table()
    for role, grants in db_roles.GRANTS.items():
        declared = {
            table: frozenset(
                LETTERS[kind] + (f"({','.join(cols)})" if cols else "")
                for kind, cols in map(db_roles.split_privilege, privileges)
            )
            for table, privileges in grants.items()
        }
        assert {t: p for t, p in expected[role].items() if p} == declared, role


def test_every_process_logs_in_as_its_own_role(infra):
    seen = {}
    for process in [*services.SERVICES.values(), *services.WORKERS.values()]:
        url = services.process_env(infra, process)["DATABASE_URL"]
        with db.connection(url) as conn, db.transaction(conn) as cur:
            cur.execute("SELECT current_user")
            seen[process.name] = cur.fetchone()[0]
    assert seen == {
        "intake": "pratikriya_intake",
        "qr": "pratikriya_qr",
        "analytics": "pratikriya_analytics",
        "notifier": "pratikriya_notifier",
        "ops": "pratikriya_ops",
        "analytics-consumer": "pratikriya_analytics_consumer",
        "notifier-worker": "pratikriya_notifier",
    }


@pytest.fixture
def personal_event(infra, owner):
    """A feedback row and its personal row, written as the owner."""
    code = create_station(infra["DATABASE_URL"])["code"]
    event_id = uuid.uuid4()
    with owner.cursor() as cur:
        cur.execute(
            "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
            " complaint_type, staff_available, staff_helped, problem_resolved, language)"
            " VALUES (%s, %s, 1, now(), 4, 'theft', true, true, true, 'en')",
            (str(event_id), code),
        )
        cur.execute(
            "INSERT INTO feedback_personal (event_id, submitted_at, name, mobile, mobile_hash)"
            " SELECT event_id, submitted_at, 'Kamla Devi', '+919812345678', 'keyed-hash'"
            " FROM feedback WHERE event_id = %s",
            (str(event_id),),
        )
    return str(event_id)


def run(conn, sql: str, args=()):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


@pytest.mark.parametrize(
    "role", [db_roles.INTAKE, db_roles.QR, db_roles.NOTIFIER, db_roles.OPS]
)  # fmt: skip
def test_no_other_service_reads_names_or_numbers(infra, personal_event, role):
    conn = login(infra, role)
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            run(conn, "SELECT name, mobile FROM feedback_personal WHERE event_id = %s",
                (personal_event,))  # fmt: skip
    finally:
        conn.close()


def test_the_analytics_api_reads_only_what_the_reveal_shows(infra, personal_event):
    conn = login(infra, db_roles.ANALYTICS)
    try:
        rows = run(conn, "SELECT name, mobile, purged_at FROM feedback_personal"
                   " WHERE event_id = %s", (personal_event,))  # fmt: skip
        assert rows == [("Kamla Devi", "+919812345678", None)]
        for sql in (
            "SELECT mobile_hash FROM feedback_personal LIMIT 1",
            "SELECT * FROM feedback_personal LIMIT 1",
            "UPDATE feedback_personal SET name = NULL",
            "DELETE FROM feedback_personal",
            "INSERT INTO feedback (event_id) VALUES (gen_random_uuid())",
            "SELECT * FROM api_tokens LIMIT 1",
            "SELECT * FROM station_hourly_buckets LIMIT 1",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                run(conn, sql)
    finally:
        conn.close()


def test_the_consumer_adds_personal_rows_but_cannot_read_them_back(infra, personal_event):
    conn = login(infra, db_roles.CONSUMER)
    try:
        assert run(conn, "SELECT event_id::text FROM feedback_personal WHERE event_id = %s",
                   (personal_event,)) == [(personal_event,)]  # fmt: skip
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            run(conn, "SELECT name FROM feedback_personal WHERE event_id = %s", (personal_event,))
    finally:
        conn.close()


def test_every_gate_finds_a_token_through_the_function_and_only_qr_reads_the_table(infra):
    token = "prk_" + secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    made = PostgresAuthStore(infra["DATABASE_URL"]).create_token(
        "roles test", Role.ADMIN, None, None, digest, "test"
    )
    for role in (db_roles.INTAKE, db_roles.ANALYTICS, db_roles.NOTIFIER, db_roles.OPS):
        store = PostgresAuthStore(db_roles.service_database_url(infra, role))
        found = store.token_principal(digest)
        assert found is not None and (found.id, found.role) == (made.id, Role.ADMIN), role
        assert store.token_principal("0" * 64) is None
        conn = login(infra, role)
        try:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                run(conn, "SELECT token_hash FROM api_tokens LIMIT 1")
        finally:
            conn.close()
    qr = PostgresAuthStore(db_roles.service_database_url(infra, db_roles.QR))
    assert qr.revoke_token(made.id)
    assert made.id in {t.id for t in qr.tokens()}
    assert PostgresAuthStore(db_roles.service_database_url(infra, db_roles.OPS)).token_principal(
        digest
    ) is None  # fmt: skip


def test_the_analysts_and_the_consumer_may_not_look_tokens_up(infra):
    from ops import cli

    analyst = psycopg2.connect(cli.analyst_url(cli.stack.StackConfig.from_env(),
                                               infra["ANALYST_PASSWORD"]))  # fmt: skip
    for conn in (analyst, login(infra, db_roles.CONSUMER)):
        try:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                run(conn, "SELECT * FROM auth_token_principal(%s)", ("0" * 64,))
        finally:
            conn.close()
