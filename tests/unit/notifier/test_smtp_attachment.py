"""The SMTP sender's message carries an attachment whole (the weekly digest's PDF), after the
text body, with its file name and type."""

from __future__ import annotations

from email import message_from_bytes, policy

from services.notifier.adapters.smtp import SmtpSender, message_id
from services.notifier.config import SmtpServer
from services.notifier.ports import Attachment, Outgoing

PDF = b"%PDF-1.4\n" + bytes(range(256)) + b"\n%%EOF\n"


def test_an_attachment_travels_whole_after_the_body():
    sender = SmtpSender(SmtpServer("mail.invalid", starttls=False, sender="d@example.invalid"), 1)
    message = Outgoing(
        "digest-1", "email", "dcp@example.invalid", "साप्ताहिक सारांश · Weekly digest",
        "सारांश संलग्न है।\nThe digest is attached.\n",
        (Attachment("digest-2026-11-23.pdf", "application/pdf", PDF),),
    )  # fmt: skip

    raw = sender.build(message).as_bytes()

    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Message-ID"] == message_id("digest-1")
    assert parsed["Subject"] == "साप्ताहिक सारांश · Weekly digest"
    body, pdf = list(parsed.iter_parts())
    assert body.get_content() == "सारांश संलग्न है।\nThe digest is attached.\n"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "digest-2026-11-23.pdf"
    assert pdf.get_content() == PDF


def test_without_attachments_the_message_is_plain_text():
    sender = SmtpSender(SmtpServer("mail.invalid", starttls=False), 1)
    email = sender.build(Outgoing("d-2", "email", "sho@example.invalid", "S", "text\n"))
    assert not email.is_multipart()
    assert email.get_content() == "text\n"
