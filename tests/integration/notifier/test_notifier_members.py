"""Two members of the notifier group on one station (a batch replayed after a rebalance,
every member's timer): a replayed scores event adds nothing, and a member judging a
station holds it, so another member's judgement of it waits instead of raising the same
alert twice."""

from __future__ import annotations

from datetime import timedelta

import psycopg2
import psycopg2.errors
import pytest

from services.notifier import usecases
from services.notifier.adapters.postgres import PostgresAlerts, PostgresAlertsRepository
from shared import db
from tests.integration.notifier.test_notifier_outbox import NOW, scores

pytestmark = pytest.mark.integration


@pytest.fixture
def other_member(infra):
    connection = db.connect(infra["DATABASE_URL"])
    yield connection
    connection.close()


def alert_rows(conn, code: str) -> tuple[int, int]:
    with db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM alerts WHERE station_code = %s", (code,))
        alerts = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
            " WHERE a.station_code = %s",
            (code,),
        )
        return alerts, cur.fetchone()[0]


def test_a_scores_event_replayed_by_another_member_adds_no_alert_and_no_delivery(
    conn, other_member, deps, sho_station
):
    event = scores(sho_station["code"], NOW, 12, 7)
    first = usecases.handle_scores(PostgresAlerts.on(conn), deps, event, NOW)

    replayed = usecases.handle_scores(PostgresAlerts.on(other_member), deps, event, NOW)

    assert [o.action.value for o in first] == ["raise"] and replayed == []
    assert alert_rows(conn, sho_station["code"]) == (1, 2)


def test_a_member_judging_a_station_on_its_timer_holds_it_until_it_is_done(
    conn, other_member, deps, sho_station
):
    code = sho_station["code"]
    usecases.handle_scores(PostgresAlerts.on(conn), deps, scores(code, NOW, 12, 7), NOW)
    later = scores(code, NOW + timedelta(minutes=1), 14, 9)

    with db.transaction(conn) as cur:  # the timer's transaction on one member
        assert PostgresAlertsRepository(cur).latest_scores(code, lock=True) is not None
        with db.transaction(other_member) as waiting:
            waiting.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(psycopg2.errors.LockNotAvailable):
                PostgresAlertsRepository(waiting).save_scores(
                    code, later.event_id, later.computed_at, later.windows
                )

    # Once the first is done, the other member's scores are kept and judged.
    usecases.handle_scores(PostgresAlerts.on(other_member), deps, later, later.computed_at)
    assert alert_rows(conn, code)[0] == 1
