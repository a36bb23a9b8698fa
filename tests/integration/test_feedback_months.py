"""The feedback table by month (migration 0012) over the real PostgreSQL: each feedback
lands in its month's partition (or the default one), ``./pratikriya partitions`` lists the
months, and ``partitions drop`` takes an old month away whole, with the rows that name its
feedback and nothing else, refusing recent months; the consumer's role makes the coming
months and nothing more.

The months dropped here are decades old, made by the test itself: no other test's rows are
in them."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg2
import pytest

from ops import db_roles, partitions
from shared import db
from tests.support import create_station

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def execute(database_url: str, sql: str, args: tuple = ()) -> list[tuple]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else []


def add_feedback(database_url: str, code: str, at: datetime) -> str:
    """A feedback row with its personal row, as the consumer stores them."""
    event_id = str(uuid.uuid4())
    execute(
        database_url,
        "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
        " complaint_type, staff_available, staff_helped, problem_resolved, language)"
        " VALUES (%s, %s, 1, %s, 2, 'theft', true, false, false, 'hi')",
        (event_id, code, at),
    )
    execute(
        database_url,
        "INSERT INTO feedback_personal (event_id, submitted_at, name, mobile, mobile_hash)"
        " VALUES (%s, %s, 'Asha Devi', '+919812345678', %s)",
        (event_id, at, uuid.uuid4().hex),
    )
    return event_id


def add_action_and_callback(database_url: str, code: str, event_id: str) -> None:
    """An SHO's action and the feedback cell's call back on ``event_id`` (their submitted_at
    is filled in by the trigger, from the feedback)."""
    execute(
        database_url,
        "INSERT INTO station_actions (station_code, event_id, action_text, taken_on,"
        " recorded_by) VALUES (%s, %s, 'called the visitor', now()::date, 'sho')",
        (code, event_id),
    )
    execute(
        database_url,
        "INSERT INTO feedback_callbacks (event_id, station_code, outcome, called_by)"
        " VALUES (%s, %s, 'satisfied', 'cell')",
        (event_id, code),
    )


def partition_of(database_url: str, event_id: str) -> str:
    [(name,)] = execute(
        database_url, "SELECT tableoid::regclass::text FROM feedback WHERE event_id = %s",
        (event_id,),
    )  # fmt: skip
    return name


def count(database_url: str, table: str, event_ids: list[str]) -> int:
    [(found,)] = execute(
        database_url,
        f"SELECT count(*) FROM {table} WHERE event_id = ANY(%s::uuid[])",  # noqa: S608
        (event_ids,),
    )
    return int(found)


def old_month(database_url: str) -> date:
    """A month of the 1970s or 1980s with a partition of its own, made now."""
    for _ in range(20):
        first = date(random.randint(1970, 1989), random.randint(1, 12), 1)
        [(made,)] = execute(database_url, "SELECT feedback_month_partitions(%s, 1)", (first,))
        if made == 1:
            return first
    raise AssertionError("no free old month")


def pratikriya(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.cli", *args], cwd=REPO, env=dict(os.environ),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_this_month_and_the_next_have_partitions_and_a_feedback_lands_in_its_own(infra):
    url = infra["DATABASE_URL"]
    code = create_station(url)["code"]
    now = datetime.now(UTC)
    months, _ = partitions.listing(url)
    labels = {m.label for m in months}
    this = now.date().replace(day=1)
    assert {f"{this:%Y-%m}", f"{partitions.next_month(this):%Y-%m}"} <= labels

    recent = add_feedback(url, code, now)
    stray = add_feedback(url, code, datetime(1921, 3, 4, 5, tzinfo=UTC))  # no month of its own

    assert partition_of(url, recent) == f"feedback_y{now:%Y}m{now:%m}"
    assert partition_of(url, stray) == "feedback_default"
    execute(url, "DELETE FROM feedback WHERE event_id = %s", (stray,))


def test_the_same_event_is_stored_once_whatever_month_it_is_in(infra):
    url = infra["DATABASE_URL"]
    code = create_station(url)["code"]
    at = datetime.now(UTC) - timedelta(minutes=5)
    event_id = add_feedback(url, code, at)
    again = (
        "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
        " complaint_type, staff_available, staff_helped, problem_resolved, language)"
        " VALUES (%s, %s, 1, %s, 5, 'theft', true, true, true, 'en')"
        " ON CONFLICT (event_id, submitted_at) DO NOTHING RETURNING event_id"
    )
    assert execute(url, again, (event_id, code, at)) == []
    assert count(url, "feedback", [event_id]) == 1


def test_an_action_naming_no_feedback_is_refused_as_before(infra):
    url = infra["DATABASE_URL"]
    code = create_station(url)["code"]
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        add_action_and_callback(url, code, str(uuid.uuid4()))


def test_dropping_an_old_month_takes_its_feedback_and_what_names_it_and_nothing_else(infra):
    url = infra["DATABASE_URL"]
    code = create_station(url)["code"]
    month = old_month(url)
    inside = [add_feedback(url, code, datetime(month.year, month.month, d, 12, tzinfo=UTC))
              for d in (1, 28)]  # fmt: skip
    for event_id in inside:
        add_action_and_callback(url, code, event_id)
    kept = add_feedback(url, code, datetime.now(UTC))
    add_action_and_callback(url, code, kept)
    before = partitions.next_month(month)

    done = pratikriya("partitions", "drop", "--before", f"{before:%Y-%m}")

    assert done.returncode == 0, done.stderr
    assert (
        f"dropped {month:%Y-%m}: 2 feedback (2 feedback_personal, 2 station_actions,"
        " 2 feedback_callbacks, 0 direction_feedback)"
    ) in done.stdout
    assert f"{month:%Y-%m}" not in {m.label for m in partitions.listing(url)[0]}
    for table in ("feedback", *partitions.DEPENDENTS):
        assert count(url, table, inside) == 0, table
    assert [count(url, t, [kept]) for t in ("feedback", "feedback_personal",
            "station_actions", "feedback_callbacks")] == [1, 1, 1, 1]  # fmt: skip
    [(details,)] = execute(
        url, "SELECT details FROM audit_log WHERE action = 'feedback.month_dropped'"
        " AND target = %s ORDER BY id DESC LIMIT 1", (f"{month:%Y-%m}",),
    )  # fmt: skip
    assert details["feedback"] == 2 and details["feedback_personal"] == 2


def test_the_listing_shows_each_month_with_its_rows_and_the_default(infra):
    url = infra["DATABASE_URL"]
    code = create_station(url)["code"]
    month = old_month(url)
    add_feedback(url, code, datetime(month.year, month.month, 9, tzinfo=UTC))

    done = pratikriya("partitions")

    assert done.returncode == 0, done.stderr
    assert f"{month:%Y-%m}  feedback_y{month:%Y}m{month:%m}  1 feedback" in done.stdout
    assert "default  feedback_default" in done.stdout
    partitions.drop_before(url, partitions.next_month(month))  # leave no old month behind


def test_a_recent_month_and_a_month_written_wrong_are_refused(infra):
    this = datetime.now(UTC).date().replace(day=1)
    before = len(partitions.listing(infra["DATABASE_URL"])[0])

    recent = pratikriya("partitions", "drop", "--before", f"{this:%Y-%m}")
    wrong = pratikriya("partitions", "drop", "--before", "2025-13")
    missing = pratikriya("partitions", "drop")
    too_few = pratikriya("partitions", "drop", "--before", "1980-01", "--keep-months", "1")

    assert recent.returncode == 2 and "are kept (--keep-months 12)" in recent.stderr
    assert wrong.returncode == 2 and "is not a month written YYYY-MM" in wrong.stderr
    assert missing.returncode == 2 and "needs --before YYYY-MM" in missing.stderr
    assert too_few.returncode == 2 and "--keep-months is at least 2" in too_few.stderr
    assert len(partitions.listing(infra["DATABASE_URL"])[0]) == before


def test_the_consumer_makes_the_coming_months_but_owns_no_table(infra):
    url = infra["DATABASE_URL"]
    far = date(2190 + random.randint(0, 9), random.randint(1, 12), 1)
    consumer = psycopg2.connect(db_roles.service_database_url(infra, db_roles.CONSUMER))
    analytics = psycopg2.connect(db_roles.service_database_url(infra, db_roles.ANALYTICS))
    try:
        with consumer, consumer.cursor() as cur:
            cur.execute("SELECT feedback_month_partitions(%s, 1)", (far,))
            assert cur.fetchone() == (1,)
        with (
            pytest.raises(psycopg2.errors.InsufficientPrivilege),
            consumer,
            consumer.cursor() as cur,
        ):
            cur.execute("CREATE TABLE a_table_of_its_own (n integer)")
        with (
            pytest.raises(psycopg2.errors.InsufficientPrivilege),
            analytics,
            analytics.cursor() as cur,
        ):
            cur.execute("SELECT feedback_month_partitions(%s, 1)", (far,))
    finally:
        consumer.close()
        analytics.close()
        name = f"feedback_y{far:%Y}m{far:%m}"
        execute(url, f"ALTER TABLE feedback DETACH PARTITION {name}")
        execute(url, f"DROP TABLE {name}")
