"""Email out through an SMTP server, with a Message-ID made from the delivery's idempotency
key."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from services.notifier.config import SmtpServer
from services.notifier.ports import Outgoing, PermanentFailure, TransientFailure


def message_id(idempotency_key: str) -> str:
    """The same Message-ID for every attempt of one delivery, so receiving servers and mail
    clients can recognise a repeat."""
    return f"<{idempotency_key}@notifier.pratikriya>"


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
        for attachment in message.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            email.add_attachment(
                attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
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
