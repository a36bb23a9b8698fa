"""The sender used when no SMS gateway or SMTP server is configured: the message is written
to the worker's output, so a trial installation shows what would be sent."""

from __future__ import annotations

import sys
from typing import TextIO

from services.notifier.ports import Outgoing


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
