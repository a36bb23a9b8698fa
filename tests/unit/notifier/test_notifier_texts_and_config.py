"""Alert texts, the acknowledge link and the rules file."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.notifier import acklink
from services.notifier.adapters.console import ConsoleSender
from services.notifier.adapters.smtp import message_id
from services.notifier.config import DEFAULT_RULES_FILE, NotifierConfig, duration, load_rules
from services.notifier.domain import RuleSettings
from services.notifier.ports import Outgoing
from services.notifier.texts import Numbers, render, usual
from shared.config import ConfigError
from shared.events import Contact, Station

STATION = Station(
    code="GGN-SADAR",
    name_en="Sadar Gurugram",
    name_hi="सदर गुरुग्राम",
    zone="East",
    sho=Contact("SHO Sadar", "+919000000001", "sho@example.invalid"),
)
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def message(kind="raise", **numbers):
    values = {"rule": "unresolved", "window": "24h", "part": 7, "count": 12, "usual_share": 0.1}
    values.update(numbers)
    return render(
        kind,
        STATION,
        Numbers(**values),
        level=0,
        dashboard_url="http://localhost:8003/stations/GGN-SADAR",
        ack_url="http://localhost:8004/alerts/abc/ack?exp=1&sig=x",
    )


def test_the_sms_names_the_station_the_rule_and_the_numbers_in_hindi_and_english():
    sms = message().sms
    assert "7 of the last 12 visitors said their problem was not solved" in sms
    assert "usual: 1 in 10" in sms
    assert "सदर गुरुग्राम" in sms and "Sadar Gurugram" in sms
    assert "12 में से 7" in sms and "समस्या हल नहीं हुई" in sms
    assert sms.endswith("http://localhost:8003/stations/GGN-SADAR")
    assert "ack" not in sms
    assert len(sms) < 400


def test_the_email_carries_more_detail_and_the_acknowledge_link():
    mail = message()
    assert "Sadar Gurugram" in mail.subject and "सदर गुरुग्राम" in mail.subject
    assert "GGN-SADAR" in mail.email and "zone East" in mail.email
    assert "http://localhost:8004/alerts/abc/ack?exp=1&sig=x" in mail.email
    assert "स्वीकार करें" in mail.email


def test_a_low_rating_alert_says_so_and_a_station_without_history_says_that():
    sms = message(rule="low_rating", window="1h", part=4, count=5, usual_share=None).sms
    assert "4 of the last 5 visitors rated the station 1 or 2 stars (in the last hour)" in sms
    assert "no history yet" in sms


def test_a_resolution_says_the_station_is_back_to_normal_without_an_acknowledge_link():
    mail = message("resolve")
    assert "back to normal" in mail.sms and "सामान्य" in mail.sms
    assert "/ack" not in mail.email


def test_usual_shares_read_as_one_in_n():
    assert usual(0.1)[1] == "1 in 10"
    assert usual(0.33)[1] == "1 in 3"
    assert usual(0.0)[1] == "almost none"


def test_an_acknowledge_link_works_for_its_alert_only_and_until_it_expires():
    key = b"k" * 32
    url = acklink.link("http://n", key, "alert-1", NOW + timedelta(days=7))
    exp = url.split("exp=")[1].split("&")[0]
    sig = url.split("sig=")[1]

    assert acklink.valid(key, "alert-1", exp, sig, NOW)
    assert not acklink.valid(key, "alert-2", exp, sig, NOW)
    assert not acklink.valid(key, "alert-1", str(int(exp) + 1), sig, NOW)
    assert not acklink.valid(b"x" * 32, "alert-1", exp, sig, NOW)
    assert not acklink.valid(key, "alert-1", exp, sig, NOW + timedelta(days=8))


def test_the_rules_file_in_deploy_holds_the_defaults_of_the_issue():
    rules, delivery, tick_s = load_rules(DEFAULT_RULES_FILE)
    assert rules == RuleSettings()
    assert rules.min_count == 3 and rules.alpha == 0.01
    assert rules.cooldown == timedelta(hours=6)
    assert rules.escalation_delays == (timedelta(hours=2), timedelta(hours=2))
    assert rules.windows == ("1h", "24h")
    assert delivery.max_attempts == 8 and tick_s == 30


def test_a_broken_rules_file_is_refused_with_its_name(tmp_path: Path):
    bad = tmp_path / "notifier.toml"
    bad.write_text('[alerts]\ncooldown = "six hours"\n')
    with pytest.raises(ConfigError, match="cooldown"):
        load_rules(bad)


def test_durations_read_with_their_units():
    assert duration("90s", "x") == timedelta(seconds=90)
    assert duration("0.5s", "x") == timedelta(milliseconds=500)
    assert duration("2h", "x") == timedelta(hours=2)
    assert duration(30, "x") == timedelta(seconds=30)


def test_senders_are_the_console_unless_a_gateway_and_an_smtp_host_are_configured():
    base = {"QR_SIGNING_KEY": "q" * 20}
    local = NotifierConfig.from_env(base)
    real = NotifierConfig.from_env(
        {**base, "NOTIFIER_SMS_URL": "https://sms.example/send", "NOTIFIER_SMTP_HOST": "mail"}
    )
    assert local.sms is None and local.smtp is None
    assert real.sms.url == "https://sms.example/send" and real.smtp.port == 587
    assert real.smtp.starttls is True
    assert local.ack_key != base["QR_SIGNING_KEY"].encode()


def test_the_console_sender_prints_the_message_with_its_key():
    out = io.StringIO()
    ConsoleSender(out).send(Outgoing("key-1", "sms", "+919000000001", "", "hello"))
    assert "SMS to +919000000001" in out.getvalue() and "key-1" in out.getvalue()
    assert "hello" in out.getvalue()


def test_the_message_id_of_an_email_is_the_same_for_every_attempt():
    assert message_id("d-1") == message_id("d-1") != message_id("d-2")
