"""What the rights page's SMS senders write to the log: a masked number, never the code."""

from __future__ import annotations

import logging

from services.intake.adapters.rights_sms import ConsoleCodeSender

TEXT = "Pratikriya: your code is 482913, valid 10 minutes. Do not share it."


def test_the_console_sender_logs_the_masked_number_and_not_the_code(caplog):
    caplog.set_level(logging.DEBUG)
    ConsoleCodeSender().send_code("+919812345678", TEXT)

    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "a code was sent to +91XXXXXX5678" in logged
    assert "482913" not in logged and "9812345678" not in logged
