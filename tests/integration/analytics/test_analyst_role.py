"""The analysts' login reads the analyst views and nothing holding names or mobile numbers."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg2
import pytest

from ops import cli
from shared import db
from tests.integration.analytics.conftest import drain, make_event
from tests.support import create_station

pytestmark = pytest.mark.integration

VIEWS = ("feedback", "stations", "daily_station_scores", "ranking_30d",
         "complaint_types_monthly", "station_hourly")  # fmt: skip


@pytest.fixture
def analyst(stack_config, infra):
    conn = psycopg2.connect(cli.analyst_url(stack_config, infra["ANALYST_PASSWORD"]))
    conn.autocommit = True
    yield conn
    conn.close()


def query(conn, sql: str, args=()):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else []


def test_the_analyst_reads_every_view_with_the_feedback_but_no_personal_data(
    analyst, infra, make_consumer, publish
):
    code = create_station(infra["DATABASE_URL"])["code"]
    event = make_event(code, rating=1, officer_name="SI Mahesh", name="Kamla Devi")
    publish(event)
    drain(make_consumer(), 1)

    rows = query(
        analyst,
        "SELECT rating, officer_name, complaint_type FROM analyst.feedback WHERE event_id = %s",
        (str(event.event_id),),
    )
    assert rows == [(1, "SI Mahesh", "theft")]
    for view in VIEWS:
        query(analyst, f"SELECT * FROM analyst.{view} LIMIT 1")  # noqa: S608 - constants
    ranked = query(
        analyst, "SELECT count, enough_feedback FROM analyst.ranking_30d WHERE station_code = %s",
        (code,),
    )  # fmt: skip
    assert ranked == [(1, False)]
    columns = {c for (c,) in query(analyst, "SELECT column_name FROM information_schema.columns"
                                   " WHERE table_schema = 'analyst'")}  # fmt: skip
    assert not columns & {"name", "mobile", "mobile_hash", "sho_mobile", "sho_email"}
    everything = str(query(analyst, "SELECT * FROM analyst.feedback WHERE event_id = %s",
                           (str(event.event_id),)))  # fmt: skip
    assert "Kamla" not in everything and event.mobile not in everything


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM feedback_personal LIMIT 1",
        "SELECT * FROM feedback LIMIT 1",
        "SELECT sho_mobile FROM stations LIMIT 1",
        "SELECT * FROM station_hourly_buckets LIMIT 1",
    ],
)
def test_the_analyst_cannot_read_the_tables_behind_the_views(analyst, sql):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(analyst, sql)


def test_the_analyst_cannot_change_anything(analyst, infra):
    with pytest.raises((psycopg2.errors.ReadOnlySqlTransaction,
                        psycopg2.errors.InsufficientPrivilege)):  # fmt: skip
        query(analyst, "DELETE FROM analyst.stations")
    with pytest.raises((psycopg2.errors.ReadOnlySqlTransaction,
                        psycopg2.errors.InsufficientPrivilege)):  # fmt: skip
        query(analyst, "CREATE TABLE public.scratch (x int)")
    with db.connection(infra["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM stations")
        assert cur.fetchone()[0] > 0


DOCS = Path(__file__).resolve().parents[3] / "docs" / "analysts.md"


def test_every_example_query_in_the_analysts_guide_runs_as_the_analyst(analyst):
    queries = re.findall(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(queries) >= 10
    for sql in queries:
        query(analyst, sql)


WRITES = [
    "INSERT INTO analyst.stations (station_code, name_en, name_hi, zone)"
    " VALUES ('X-1', 'x', 'x', 'East')",
    "UPDATE analyst.station_hourly SET count = 0",
    "INSERT INTO zones (code, name_en, name_hi) VALUES ('Nowhere', 'x', 'x')",
    "DELETE FROM worker_health",
]


@pytest.mark.parametrize("sql", WRITES)
def test_a_session_that_makes_itself_read_write_still_cannot_write(analyst, sql):
    """The read-only default is the session's to change; the grants are not."""
    query(analyst, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    assert query(analyst, "SHOW transaction_read_only") == [("off",)]
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(analyst, sql)


def test_the_analyst_makes_no_temporary_tables_and_no_large_objects(analyst):
    query(analyst, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(analyst, "CREATE TEMP TABLE scratch (x int)")
    for sql in ("SELECT lo_create(0)", "SELECT lo_from_bytea(0, 'x')", "SELECT lo_creat(-1)"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            query(analyst, sql)


def test_the_role_sets_its_limits_and_the_session_cannot_lift_the_file_limit(analyst):
    assert query(analyst, "SHOW statement_timeout") == [("1min",)]
    assert query(analyst, "SHOW idle_in_transaction_session_timeout") == [("1min",)]
    assert query(analyst, "SHOW temp_file_limit") == [("1GB",)]
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(analyst, "SET temp_file_limit = -1")


def test_the_analysts_have_five_connections_at_most(analyst, stack_config, infra):
    url = cli.analyst_url(stack_config, infra["ANALYST_PASSWORD"])
    more = [psycopg2.connect(url) for _ in range(4)]  # the fixture's is the first
    try:
        with pytest.raises(psycopg2.OperationalError, match="too many connections"):
            psycopg2.connect(url)
    finally:
        for conn in more:
            conn.close()
