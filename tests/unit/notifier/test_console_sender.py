"""The console sender writes what would be sent into the worker's log, but never a live
acknowledge link: the log says a link for which alert was sent, not the signed link."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from services.notifier import acklink
from services.notifier.adapters.console import ConsoleSender
from services.notifier.ports import Outgoing

KEY = b"k" * 32


def alert_email(alert_id: str) -> tuple[str, str]:
    link = acklink.link(
        "http://localhost:8004", KEY, alert_id, datetime.now(UTC) + timedelta(days=3)
    )
    body = f"Sadar PS: low ratings.\n\nAcknowledge (you are on it):\n{link}\nThank you.\n"
    return body, link


def test_the_log_names_the_alert_of_the_link_but_not_the_signed_link():
    alert_id = str(uuid.uuid4())
    body, link = alert_email(alert_id)
    out = io.StringIO()

    ConsoleSender(out).send(Outgoing("d-1", "email", "sho@example.invalid", "Alert", body))

    logged = out.getvalue()
    signature = parse_qs(urlsplit(link).query)["sig"][0]
    assert signature not in logged and "/ack?" not in logged
    assert f"acknowledge link for alert {alert_id}: sent, not logged" in logged
    assert "Sadar PS: low ratings." in logged and "Thank you." in logged
    assert "EMAIL to sho@example.invalid | Alert [d-1]" in logged


def test_a_message_without_a_link_is_logged_whole():
    out = io.StringIO()
    ConsoleSender(out).send(Outgoing("d-2", "sms", "+919000000001", "", "Sadar PS: resolved."))
    assert "Sadar PS: resolved." in out.getvalue()
    assert "acknowledge link" not in out.getvalue()


def test_every_link_of_a_message_is_left_out():
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    body = alert_email(first)[0] + alert_email(second)[0]
    out = io.StringIO()

    ConsoleSender(out).send(Outgoing("d-3", "email", "acp@example.invalid", "Alert", body))

    assert "sig=" not in out.getvalue()
    assert first in out.getvalue() and second in out.getvalue()
