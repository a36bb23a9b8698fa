"""What the rights page's SMS senders write to the log: that a code was asked for, never the
number (not even its last digits) or the code."""

from __future__ import annotations

import logging

from services.intake.adapters.rights_sms import ConsoleCodeSender

TEXT = "Pratikriya: your code is 482913, valid 10 minutes. Do not share it."


def test_the_console_sender_logs_neither_the_number_nor_the_code(caplog):
    caplog.set_level(logging.DEBUG)
    ConsoleCodeSender().send_code("+919812345678", TEXT)

    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "a rights code was asked for" in logged
    assert "482913" not in logged and "5678" not in logged
