"""One contract, every sender: a message handed to a sender arrives once, whole, carrying its
idempotency key; a server that cannot take it now is a transient failure, one that refuses
it for good a permanent one."""

from __future__ import annotations

import io

import pytest

from services.notifier.adapters.console import ConsoleSender
from services.notifier.adapters.sms import HttpSmsSender
from services.notifier.adapters.smtp import SmtpSender, message_id
from services.notifier.config import SmsGateway, SmtpServer
from services.notifier.ports import Outgoing, PermanentFailure, TransientFailure
from tests.integration.notifier.notifier_standins import free_port, text_of

pytestmark = pytest.mark.integration
TEXT = "सदर गुरुग्राम थाना / Sadar Gurugram PS: 7 of the last 12 visitors ..."


@pytest.fixture(params=["sms-gateway", "smtp", "console"])
def sender_and_inbox(request, gateway, mail):
    """(sender, channel, address, inbox) where inbox() lists (key, text) as received."""
    if request.param == "sms-gateway":
        sender = HttpSmsSender(SmsGateway(gateway.url, "k", "GGNPOL", "T1"), 2.0)
        return sender, "sms", "+919000000001", lambda: [(s.key, s.text) for s in gateway.received]
    if request.param == "smtp":
        sender = SmtpSender(SmtpServer("127.0.0.1", mail.port, starttls=False), 2.0)
        return (
            sender,
            "email",
            "sho@example.invalid",
            lambda: [(m["Message-ID"], text_of(m).strip()) for m in mail.messages],
        )
    stream = io.StringIO()
    return (
        ConsoleSender(stream),
        "sms",
        "+919000000001",
        lambda: [
            (line.rsplit("[", 1)[1].rstrip("]"), TEXT)
            for line in stream.getvalue().splitlines()
            if line.startswith("--- SMS")
        ],
    )


def test_every_sender_delivers_a_message_once_with_its_key(sender_and_inbox):
    sender, channel, address, inbox = sender_and_inbox

    sender.send(Outgoing("delivery-1", channel, address, "Subject", TEXT))

    [(key, text)] = inbox()
    assert key in ("delivery-1", message_id("delivery-1"))
    assert text == TEXT


def test_the_sms_sender_says_a_busy_gateway_is_transient_and_a_refusal_permanent(gateway):
    sender = HttpSmsSender(SmsGateway(gateway.url, "k"), 2.0)
    message = Outgoing("d-2", "sms", "+919000000001", "", TEXT)
    gateway.fail_next(1, status=503)
    with pytest.raises(TransientFailure):
        sender.send(message)
    gateway.fail_next(1, status=400)
    with pytest.raises(PermanentFailure):
        sender.send(message)
    nobody = HttpSmsSender(SmsGateway(f"http://127.0.0.1:{free_port()}/sms", "k"), 1.0)
    with pytest.raises(TransientFailure):
        nobody.send(message)


def test_the_smtp_sender_says_an_unreachable_server_is_transient(mail):
    sender = SmtpSender(SmtpServer("127.0.0.1", free_port(), starttls=False), 1.0)
    with pytest.raises(TransientFailure):
        sender.send(Outgoing("d-3", "email", "sho@example.invalid", "S", TEXT))


def test_the_smtp_sender_uses_starttls_when_configured_and_fails_without_it(mail):
    # The stand-in offers no STARTTLS: a sender told to use it must not send in clear text.
    sender = SmtpSender(SmtpServer("127.0.0.1", mail.port, starttls=True), 2.0)
    with pytest.raises(TransientFailure):
        sender.send(Outgoing("d-4", "email", "sho@example.invalid", "S", TEXT))
    assert mail.messages == []
