"""Senders: one SMS or one email out, for one delivery row.

``Sender.send`` returns when the gateway or SMTP server has taken the message; it raises
``TransientFailure`` when trying again later may work (network, 5xx, 429, SMTP 4xx) and
``PermanentFailure`` when it never will (a 4xx refusal, a bad address). Every sender gets the
delivery's idempotency key: the SMS gateway receives it as ``Idempotency-Key``, the email
carries a Message-ID made from it.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol, TextIO

from services.notifier.config import SmsGateway, SmtpServer

logger = logging.getLogger(__name__)


class DeliveryFailure(Exception):
    pass


class TransientFailure(DeliveryFailure):
    """Worth another attempt later."""


class PermanentFailure(DeliveryFailure):
    """Will never succeed as it is; the delivery is marked failed at once."""


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient on one channel."""

    idempotency_key: str
    channel: str  # "sms" or "email"
    address: str
    subject: str
    body: str


class Sender(Protocol):
    def send(self, message: Outgoing) -> None: ...


def message_id(idempotency_key: str) -> str:
    """The same Message-ID for every attempt of one delivery, so receiving servers and mail
    clients can recognise a repeat."""
    return f"<{idempotency_key}@notifier.pratikriya>"


class HttpSmsSender:
    """POSTs JSON to an HTTP SMS gateway: ``{"to", "text", "sender_id", "dlt_template_id",
    "unicode"}`` with ``Authorization: Bearer <api key>`` and ``Idempotency-Key``."""

    def __init__(self, gateway: SmsGateway, timeout_s: float) -> None:
        self.gateway = gateway
        self.timeout_s = timeout_s

    def send(self, message: Outgoing) -> None:
        body = json.dumps(
            {
                "to": message.address,
                "text": message.body,
                "sender_id": self.gateway.sender_id,
                "dlt_template_id": self.gateway.dlt_template_id,
                "unicode": True,  # Devanagari needs UCS-2 encoding on the handset
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's config
            self.gateway.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.gateway.api_key}",
                "Idempotency-Key": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as refused:
            status = refused.code
            detail = f"SMS gateway answered {status}"
            if status in (408, 425, 429) or status >= 500:
                raise TransientFailure(detail) from None
            raise PermanentFailure(detail) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransientFailure(f"SMS gateway unreachable: {exc}") from None


class SmtpSender:
    """Sends through an SMTP server with smtplib: STARTTLS and login when configured."""

    def __init__(self, server: SmtpServer, timeout_s: float) -> None:
        self.server = server
        self.timeout_s = timeout_s

    def build(self, message: Outgoing) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.server.sender
        email["To"] = message.address
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message_id(message.idempotency_key)
        email.set_content(message.body, charset="utf-8")
        return email

    def send(self, message: Outgoing) -> None:
        email = self.build(message)
        try:
            with smtplib.SMTP(self.server.host, self.server.port, timeout=self.timeout_s) as smtp:
                if self.server.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.server.username:
                    smtp.login(self.server.username, self.server.password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"SMTP refused the recipient ({codes})") from None
            raise TransientFailure(f"SMTP deferred the recipient ({codes})") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600 and exc.smtp_code != 535:
                raise PermanentFailure(f"SMTP answered {exc.smtp_code}") from None
            raise TransientFailure(f"SMTP answered {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientFailure(f"SMTP server unreachable: {exc}") from None


class ConsoleSender:
    """Writes each message to a stream (stdout: the worker's log under ./pratikriya up)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: Outgoing) -> None:
        stream = self.stream or sys.stdout
        header = f"--- {message.channel.upper()} to {message.address}"
        if message.subject:
            header += f" | {message.subject}"
        stream.write(f"{header} [{message.idempotency_key}]\n{message.body}\n---\n")
        stream.flush()


@dataclass(frozen=True)
class Senders:
    sms: Sender
    email: Sender

    def for_channel(self, channel: str) -> Sender:
        return self.sms if channel == "sms" else self.email


def build_senders(sms: SmsGateway | None, smtp: SmtpServer | None, timeout_s: float) -> Senders:
    console = ConsoleSender()
    return Senders(
        sms=HttpSmsSender(sms, timeout_s) if sms else console,
        email=SmtpSender(smtp, timeout_s) if smtp else console,
    )
