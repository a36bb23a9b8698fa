"""Overdue directions on the real PostgreSQL, Kafka's stations topic, the recording SMS
gateway and aiosmtpd: one SMS and one email to the SHO and to the issuer, exactly once
across a second check, a second member and a restart; nothing for a direction complied in
time."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier import usecases
from services.notifier.adapters.directions_postgres import PostgresDirections
from services.notifier.entrypoints import worker as consumer
from services.notifier.usecases.overdue import notice_overdue
from shared import db
from shared.india import today_in_india
from tests.integration.notifier.notifier_standins import text_of
from tests.support import unique_mobile, wait_until

pytestmark = pytest.mark.integration


def direct(conn, station_code: str, *, issuer: str = "commissioner", complied: bool = False):
    """A direction to one station, due yesterday (India's date); its compliance reported in
    time when ``complied``."""
    due = today_in_india() - timedelta(days=1)
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO directions (station_code, what_text, why_text, due_on, issued_at,"
            " issued_on, issuer_kind, issuer_id, issuer_name, issuer_role, issuer_zone)"
            " VALUES (%s, 'Hold a help desk every morning', 'Visitors waited for hours',"
            " %s, %s, %s, 'account', 1, 'Test issuer', %s, %s) RETURNING id",
            (station_code, due, datetime.now(UTC) - timedelta(days=6), due - timedelta(days=5),
             issuer, "East" if issuer == "dcp" else None),
        )  # fmt: skip
        direction_id = cur.fetchone()[0]
        if complied:
            cur.execute(
                "INSERT INTO direction_reports (direction_id, station_code, kind, report_text,"
                " reported_on, reported_by) VALUES (%s, %s, 'compliance', 'Done daily', %s,"
                " 'SHO Test')",
                (direction_id, station_code, due - timedelta(days=1)),
            )
    return direction_id


@pytest.fixture
def config(notifier_config):
    return replace(
        notifier_config,
        analytics_public_url="https://analytics.test",
        commissioner_email=f"cp-{uuid.uuid4().hex[:8]}@example.invalid",
        commissioner_mobile="+91" + unique_mobile(),
        directions_check_s=0.5,
    )


def about(text: str, direction_id: int) -> bool:
    return re.search(rf"#{direction_id}\b", text) is not None


def sms_about(gateway, number: str, direction_id: int) -> list:
    return [s for s in gateway.received_for(number) if about(s.text, direction_id)]


def mail_about(mail, address: str, direction_id: int) -> list:
    return [m for m in mail.to(address) if about(text_of(m), direction_id)]


def sent_everything(conn, config, senders) -> None:
    def none_pending() -> bool:
        usecases.deliver_due(
            PostgresDirections(lambda: conn), config, senders, lambda: datetime.now(UTC)
        )
        with db.transaction(conn) as cur:
            cur.execute("SELECT count(*) FROM direction_deliveries WHERE status = 'pending'")
            return cur.fetchone()[0] == 0

    wait_until(none_pending, timeout_s=15, interval_s=0.05)


def test_an_overdue_direction_is_told_once_to_the_sho_and_the_commissioner(
    infra, conn, config, senders, directory, gateway, mail, sho_station, new_station
):
    complied_station = new_station(
        sho_mobile="+91" + unique_mobile(), sho_email=f"sho-{uuid.uuid4().hex[:8]}@example.invalid"
    )
    overdue = direct(conn, sho_station["code"])
    in_time = direct(conn, complied_station["code"], complied=True)
    today = today_in_india()

    # Two members check at once, each on its own connection: one notice, one set of rows.
    results: list[int] = []
    members = [
        threading.Thread(target=lambda: results.append(notice_overdue(
            PostgresDirections(lambda: db.connect(infra["DATABASE_URL"])), directory, config,
            today)))
        for _ in range(2)
    ]  # fmt: skip
    for member in members:
        member.start()
    for member in members:
        member.join(30)
    sent_everything(conn, config, senders)
    # A second check and a "restarted" notifier (new connections) write nothing more.
    notice_overdue(PostgresDirections(lambda: db.connect(infra["DATABASE_URL"])), directory,
                   config, today)  # fmt: skip
    sent_everything(conn, config, senders)

    sho_mobile, sho_email = sho_station["sho_mobile"], sho_station["sho_email"]
    [sho_sms] = sms_about(gateway, sho_mobile, overdue)
    [cp_sms] = sms_about(gateway, config.commissioner_mobile, overdue)
    [sho_mail] = mail_about(mail, sho_email, overdue)
    [cp_mail] = mail_about(mail, config.commissioner_email, overdue)
    url = f"https://analytics.test/directions/{overdue}"
    due = (today - timedelta(days=1)).strftime("%d-%m-%Y")
    for text in (sho_sms.text, cp_sms.text, text_of(sho_mail), text_of(cp_mail)):
        assert url in text and due in text and sho_station["code"] in text
        assert "निर्देश" in text and "Direction" in text
    assert f"direction #{overdue}" in sho_mail["Subject"]
    with db.transaction(conn) as cur:
        cur.execute("SELECT direction_id, stations FROM direction_overdue_notices"
                    " WHERE direction_id = ANY(%s)", ([overdue, in_time],))  # fmt: skip
        assert cur.fetchall() == [(overdue, [sho_station["code"]])]
    # Complied in time: nothing to its SHO, nothing about it to the issuer.
    assert sms_about(gateway, complied_station["sho_mobile"], in_time) == []
    assert mail_about(mail, complied_station["sho_email"], in_time) == []
    assert sms_about(gateway, config.commissioner_mobile, in_time) == []


def test_the_worker_tells_a_dcp_once_and_nothing_more_after_a_restart(
    infra, conn, config, senders, directory, gateway, mail, sho_station, new_station
):
    dcp = directory.contacts(sho_station["code"]).dcp
    assert dcp.mobile and dcp.email  # the seed's DCP of zone East can be told
    overdue = direct(conn, sho_station["code"], issuer="dcp")

    def run_worker(until) -> None:
        stop = threading.Event()
        group = f"notifier-test-{uuid.uuid4().hex[:8]}"
        thread = threading.Thread(target=consumer.run, args=(config, stop, senders, group),
                                  daemon=True)  # fmt: skip
        thread.start()
        try:
            wait_until(until, timeout_s=60)
        finally:
            stop.set()
            thread.join(timeout=20)
        assert not thread.is_alive()

    run_worker(lambda: sms_about(gateway, dcp.mobile, overdue)
               and mail_about(mail, dcp.email, overdue)
               and sms_about(gateway, sho_station["sho_mobile"], overdue)
               and mail_about(mail, sho_station["sho_email"], overdue))  # fmt: skip
    # Restarted: its timer runs again (a new overdue direction is told), the first is not.
    other = new_station(sho_mobile="+91" + unique_mobile(),
                        sho_email=f"sho-{uuid.uuid4().hex[:8]}@example.invalid")  # fmt: skip
    later = direct(conn, other["code"], issuer="dcp")
    run_worker(lambda: sms_about(gateway, other["sho_mobile"], later)
               and mail_about(mail, dcp.email, later))  # fmt: skip

    assert len(sms_about(gateway, dcp.mobile, overdue)) == 1
    assert len(mail_about(mail, dcp.email, overdue)) == 1
    assert len(sms_about(gateway, sho_station["sho_mobile"], overdue)) == 1
    assert len(mail_about(mail, sho_station["sho_email"], overdue)) == 1
    # The DCP's number went to the gateway, and nobody's number into the words.
    for sms in sms_about(gateway, dcp.mobile, overdue):
        assert dcp.mobile not in sms.text and sho_station["sho_mobile"] not in sms.text
