"""The sender used when no SMS gateway or SMTP server is configured: the message is written
to the worker's output, so a trial installation shows what would be sent.

The output is a log file, so an acknowledge link in the message is not written: it would let
anyone who reads the log acknowledge the alert until it expires. In its place goes a note
naming the alert; the link itself reaches only the real gateways.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

from services.notifier.ports import Outgoing

# The links acklink.link makes: <base>/alerts/<alert id>/ack?exp=...&sig=...
ACK_LINK = re.compile(r"\S*/alerts/(?P<alert>[^/\s?]+)/ack\?\S*")


def without_ack_links(text: str) -> str:
    """``text`` with every acknowledge link replaced by a note naming its alert."""
    return ACK_LINK.sub(
        lambda m: f"[acknowledge link for alert {m['alert']}: sent, not logged]", text
    )


class ConsoleSender:
    """Writes each message to a stream (stdout: the worker's log under ./pratikriya up)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: Outgoing) -> None:
        stream = self.stream or sys.stdout
        header = f"--- {message.channel.upper()} to {message.address}"
        if message.subject:
            header += f" | {message.subject}"
        body = without_ack_links(message.body)
        stream.write(f"{header} [{message.idempotency_key}]\n{body}\n---\n")
        stream.flush()
