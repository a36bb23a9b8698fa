"""The purge against the real PostgreSQL, through its adapter and through
``./pratikriya purge`` as the operator runs it: rows past the period lose name, number and
hash and get ``purged_at``; newer rows, the feedback facts and the buckets the scores are
built from stay as they were; a second run purges nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.analytics.adapters.postgres import PostgresFeedback
from services.analytics.adapters.purge import PostgresPersonalData
from services.analytics.metrics import ConsumerCollector
from services.analytics.usecases.purge import purge_personal_data
from shared import db
from shared.consumer.health import figures_reader
from shared.events import Personal
from tests.integration.analytics.conftest import Clock, make_event
from tests.support import create_station

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
FACTS = (
    "SELECT event_id, station_code, submitted_at, rating, complaint_type, officer_name,"
    " comments, cleanliness, problem_resolved FROM feedback WHERE station_code = %s"
    " ORDER BY event_id"
)


def stored_events(database_url: str, station: str, ages_days: list[int]) -> list[uuid.UUID]:
    """Feedback of ``station`` stored as the consumer stores it, then aged: each event's
    personal row is dated ``age`` days back."""
    now = datetime.now(UTC)
    events = [make_event(station, submitted_at=now - timedelta(days=a)) for a in ages_days]
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        opened = {e.event_id: Personal(e.mobile, e.name) for e in events}
        PostgresFeedback(cur).store_batch(events, opened)
        for event, age in zip(events, ages_days, strict=True):
            cur.execute(
                "UPDATE feedback_personal SET stored_at = %s WHERE event_id = %s",
                (now - timedelta(days=age), str(event.event_id)),
            )
    return [e.event_id for e in events]


def personal(database_url: str, event_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT event_id, name, mobile, mobile_hash, purged_at FROM feedback_personal"
            " WHERE event_id = ANY(%s::uuid[])",
            ([str(e) for e in event_ids],),
        )
        return {uuid.UUID(str(row[0])): row[1:] for row in cur.fetchall()}


def facts_and_buckets(database_url: str, station: str) -> tuple[list, list]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(FACTS, (station,))
        facts = cur.fetchall()
        cur.execute(
            "SELECT * FROM station_hourly_buckets WHERE station_code = %s ORDER BY hour",
            (station,),
        )
        return facts, cur.fetchall()


def test_rows_past_the_period_are_purged_in_batches_and_the_rest_is_untouched(infra):
    url = infra["DATABASE_URL"]
    station = create_station(url)["code"]
    old = stored_events(url, station, [4000, 4001, 4002, 4003, 4004])
    young = stored_events(url, station, [3000, 1])
    before = facts_and_buckets(url, station)
    worker = f"test-purge-{uuid.uuid4().hex[:8]}"
    store = PostgresPersonalData(url, worker)
    clock = Clock(datetime.now(UTC))

    result = purge_personal_data(store, clock, 3650, batch_rows=2)
    again = purge_personal_data(store, clock, 3650, batch_rows=2)
    store.close()

    rows = personal(url, old + young)
    assert result.purged >= len(old) and again.purged == 0
    for event_id in old:
        assert rows[event_id] == (None, None, "", clock.now)
    for event_id in young:
        name, mobile, mobile_hash, purged_at = rows[event_id]
        assert (name, purged_at) == ("Sunita Devi", None)
        assert mobile.startswith("+91") and len(mobile_hash) == 64
    assert facts_and_buckets(url, station) == before
    families = {m.name: m for m in ConsumerCollector(figures_reader(url, worker)).collect()}
    assert families["analytics_personal_data_purged"].samples[0].value == result.purged
    last_run = families["analytics_personal_data_purge_last_run_timestamp_seconds"]
    assert last_run.samples[0].value == pytest.approx(clock.now.timestamp())


def pratikriya_purge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.cli", "purge", *args], cwd=REPO, env=dict(os.environ),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def purged_count(done: subprocess.CompletedProcess) -> int:
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    assert words[0] == "purged", done.stdout
    return int(words[1])


def test_the_purge_command_purges_at_once_and_prints_how_many(infra):
    url = infra["DATABASE_URL"]
    station = create_station(url)["code"]
    old = stored_events(url, station, [5000, 5001, 5002])
    young = stored_events(url, station, [10])
    before = facts_and_buckets(url, station)

    first = pratikriya_purge("--days", "4000")
    second = pratikriya_purge("--days", "4000")

    assert purged_count(first) >= len(old)
    assert purged_count(second) == 0
    rows = personal(url, old + young)
    assert all(rows[e][:3] == (None, None, "") and rows[e][3] is not None for e in old)
    assert rows[young[0]][0] == "Sunita Devi" and rows[young[0]][3] is None
    assert facts_and_buckets(url, station) == before


def test_the_purge_command_refuses_a_period_under_a_day(infra):
    done = pratikriya_purge("--days", "0")
    assert done.returncode == 2
    assert "at least one day" in done.stderr
