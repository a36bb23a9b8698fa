"""The weekly digest by email on the real PostgreSQL and aiosmtpd: the notifier's worker
mails the last week's digest, its PDF attached, to the Commissioner's office and to a zone's
DCP; the count in the mail and in the PDF is a recount from PostgreSQL; two members and a
restart send each recipient exactly one; no visitor's name or number is in the mail."""

from __future__ import annotations

import subprocess
import tempfile
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.analytics.digest.week import last_complete
from services.notifier.digest_mail import DigestMailSettings
from services.notifier.entrypoints import worker as consumer
from shared import db
from tests.integration.analytics.inbox_data import VISITOR_NAME, put_feedback
from tests.support import wait_until

pytestmark = pytest.mark.integration


def new_zone(conn, dcp_email: str) -> str:
    code = f"Z{uuid.uuid4().hex[:8]}"
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO zones (code, name_en, name_hi, dcp_name, dcp_email)"
            " VALUES (%s, %s, %s, 'DCP Test', %s)",
            (code, f"Zone {code}", f"ज़ोन {code}", dcp_email),
        )
    return code


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def pdf_text(message) -> str:
    [attached] = [p for p in message.iter_attachments()]
    assert attached.get_content_type() == "application/pdf"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / attached.get_filename()
        path.write_bytes(attached.get_content())
        out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode().split())


def recount(conn, week, zone: str) -> int:
    with db.transaction(conn) as cur:
        cur.execute(
            "SELECT count(*) FROM feedback f JOIN stations s ON s.code = f.station_code"
            " WHERE s.zone = %s AND f.submitted_at >= %s AND f.submitted_at < %s",
            (zone, week.start, week.end),
        )
        return cur.fetchone()[0]


def test_the_worker_mails_the_week_s_digest_once_to_the_office_and_the_dcp(
    infra, conn, notifier_config, senders, mail, new_station
):
    week = last_complete(datetime.now(UTC))
    office = f"cp-{uuid.uuid4().hex[:8]}@example.invalid"
    dcp = f"dcp-{uuid.uuid4().hex[:8]}@example.invalid"
    zone = new_zone(conn, dcp)
    station = new_station(zone=zone)
    middle = week.start + timedelta(days=3)
    for n, rating in enumerate((1, 2, 5)):
        at = middle + timedelta(hours=n)
        put_feedback(infra["DATABASE_URL"], station["code"], rating=rating, submitted_at=at,
                     mobile=f"+91987650100{n}")  # fmt: skip
    put_feedback(infra["DATABASE_URL"], station["code"], submitted_at=week.end + timedelta(hours=1))
    settings = DigestMailSettings(commissioner_emails=(office,), check_every_s=0.2)

    def run_worker(until) -> None:
        """The notifier worker (its digest timer inside) beside a second digest member."""
        stop = threading.Event()
        group = f"notifier-test-{uuid.uuid4().hex[:8]}"
        args = (notifier_config, stop, senders, group, settings)
        worker = threading.Thread(target=consumer.run, args=args, daemon=True)
        second, second_outbox = consumer.digest_mailer(notifier_config, settings, senders, stop)
        worker.start()
        second.start()
        try:
            wait_until(until, timeout_s=90)
        finally:
            stop.set()
            worker.join(timeout=20)
            second.join(timeout=20)
            second_outbox.close()
        assert not worker.is_alive() and not second.is_alive()

    run_worker(lambda: mail.to(office) and mail.to(dcp))
    # Restarted, with a second DCP added: the new one is mailed, the first two are not again.
    later = f"dcp-{uuid.uuid4().hex[:8]}@example.invalid"
    new_zone(conn, later)
    run_worker(lambda: mail.to(later))

    [to_office], [to_dcp], [_] = mail.to(office), mail.to(dcp), mail.to(later)
    count = recount(conn, week, zone)
    assert count == 3  # the three of the week, not the one after it
    span = f"{week.monday.isoformat()} – {week.sunday.isoformat()}"
    assert span in to_dcp["Subject"] and f"Zone {zone} zone" in to_dcp["Subject"]
    assert f"Feedback this week: {count}" in text_of(to_dcp)
    assert "the whole city" in to_office["Subject"]
    zone_pdf = pdf_text(to_dcp)
    assert "Weekly digest" in zone_pdf and f"Zone {zone}" in zone_pdf
    assert f"Test station {station['code']}" in zone_pdf
    assert "Test station" in pdf_text(to_office)
    for message in (to_office, to_dcp):
        words = text_of(message) + pdf_text(message)
        assert VISITOR_NAME not in words and "98765010" not in words
    with db.transaction(conn) as cur:
        cur.execute(
            "SELECT address, status, attempts FROM digest_emails WHERE week = %s"
            " AND address = ANY(%s) ORDER BY address", (week.monday, [office, dcp]),
        )  # fmt: skip
        assert sorted(cur.fetchall()) == sorted([(office, "sent", 1), (dcp, "sent", 1)])
