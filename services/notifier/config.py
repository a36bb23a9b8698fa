"""The notifier's settings: the rules from one TOML file (deploy/notifier.toml), channels,
ports and secrets from the environment. Read once; tests build or override them."""

from __future__ import annotations

import hashlib
import hmac
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from services.notifier.domain import RuleSettings
from shared.config import ConfigError, Connections, Env

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RULES_FILE = REPO / "deploy" / "notifier.toml"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(value: Any, name: str) -> timedelta:
    """``"90s"``, ``"15m"``, ``"2h"``, ``"1d"`` (or a number of seconds) as a timedelta."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(f"{name} must be a duration like '90s', '15m' or '2h', got {value!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 8
    backoff_base_s: float = 5.0
    backoff_cap_s: float = 600.0
    lease_s: float = 60.0
    timeout_s: float = 10.0


@dataclass(frozen=True)
class SmsGateway:
    """An HTTP SMS gateway: POST JSON with an API key and an idempotency key."""

    url: str
    api_key: str = field(default="", repr=False)
    sender_id: str = "GGNPOL"
    dlt_template_id: str = ""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = 587
    starttls: bool = True
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = "pratikriya-alerts@localhost"


@dataclass(frozen=True)
class NotifierConfig:
    connections: Connections
    ack_key: bytes = field(repr=False)
    rules: RuleSettings = field(default_factory=RuleSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    tick_s: float = 30.0
    sms: SmsGateway | None = None  # None: SMS go to the console
    smtp: SmtpServer | None = None  # None: email goes to the console
    port: int = 8004
    public_url: str = "http://localhost:8004"  # as officers' phones reach the ack link
    analytics_public_url: str = "http://localhost:8003"
    ack_link_days: int = 7
    directions_check_s: float = 300.0  # how often overdue directions are looked for
    commissioner_email: str = ""  # the Commissioner's office, told of its overdue directions
    commissioner_mobile: str = ""
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> NotifierConfig:
        e = Env.current(env)
        rules_file = Path(e.str("NOTIFIER_CONFIG", str(DEFAULT_RULES_FILE)))
        rules, delivery, tick_s = load_rules(rules_file)
        port = e.int("NOTIFIER_PORT", 8004)
        sms_url = e.str("NOTIFIER_SMS_URL", "")
        smtp_host = e.str("NOTIFIER_SMTP_HOST", "")
        config = cls(
            connections=Connections.from_env(e),
            ack_key=_ack_key(e),
            rules=rules,
            delivery=delivery,
            tick_s=tick_s,
            sms=SmsGateway(
                url=sms_url,
                api_key=e.str("NOTIFIER_SMS_API_KEY", ""),
                sender_id=e.str("NOTIFIER_SMS_SENDER_ID", "GGNPOL"),
                dlt_template_id=e.str("NOTIFIER_SMS_DLT_TEMPLATE_ID", ""),
            )
            if sms_url
            else None,
            smtp=SmtpServer(
                host=smtp_host,
                port=e.int("NOTIFIER_SMTP_PORT", 587),
                starttls=e.bool("NOTIFIER_SMTP_STARTTLS", True),
                username=e.str("NOTIFIER_SMTP_USER", ""),
                password=e.str("NOTIFIER_SMTP_PASSWORD", ""),
                sender=e.str("NOTIFIER_EMAIL_FROM", "pratikriya-alerts@localhost"),
            )
            if smtp_host
            else None,
            port=port,
            public_url=e.str("NOTIFIER_PUBLIC_URL", f"http://localhost:{port}").rstrip("/"),
            analytics_public_url=e.str("ANALYTICS_PUBLIC_URL", "http://localhost:8003").rstrip("/"),
            ack_link_days=e.int("NOTIFIER_ACK_LINK_DAYS", 7),
            directions_check_s=e.float("NOTIFIER_DIRECTIONS_CHECK_EVERY_S", 300.0),
            commissioner_email=e.str("NOTIFIER_COMMISSIONER_EMAIL", ""),
            commissioner_mobile=e.str("NOTIFIER_COMMISSIONER_MOBILE", ""),
            log_level=e.str("LOG_LEVEL", "INFO"),
        )
        if config.directions_check_s <= 0:
            raise ConfigError("NOTIFIER_DIRECTIONS_CHECK_EVERY_S must be more than 0")
        return replace(config, **overrides)


def _ack_key(e: Env) -> bytes:
    """NOTIFIER_ACK_KEY, or a key derived from QR_SIGNING_KEY for this one purpose, so a local
    installation works without one more secret (an ack link cannot be turned into a QR sig:
    the derived key differs)."""
    if e.str("NOTIFIER_ACK_KEY", ""):
        return e.secret("NOTIFIER_ACK_KEY")
    return hmac.new(e.secret("QR_SIGNING_KEY"), b"notifier-ack-link", hashlib.sha256).digest()


def load_rules(path: Path) -> tuple[RuleSettings, DeliverySettings, float]:
    """The rules file; ConfigError names the file and the setting that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the notifier's rules file {path}: {exc}") from None
    try:
        return parse_rules(data)
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_rules(data: dict[str, Any]) -> tuple[RuleSettings, DeliverySettings, float]:
    """Settings from the parsed TOML; missing keys take the defaults of the issue."""
    r, a = data.get("rules", {}), data.get("alerts", {})
    esc, dl = data.get("escalation", {}), data.get("delivery", {})
    d = RuleSettings()
    rules = RuleSettings(
        windows=tuple(r.get("windows", d.windows)),
        min_count=int(r.get("min_count", d.min_count)),
        alpha=float(r.get("alpha", d.alpha)),
        resolve_alpha=float(r.get("resolve_alpha", d.resolve_alpha)),
        absolute_share=float(r.get("absolute_share", d.absolute_share)),
        baseline_min_count=int(r.get("baseline_min_count", d.baseline_min_count)),
        cooldown=duration(a.get("cooldown", "6h"), "alerts.cooldown"),
        worsening_ratio=float(a.get("worsening_ratio", d.worsening_ratio)),
        worsening_min_increase=int(a.get("worsening_min_increase", d.worsening_min_increase)),
        escalation_delays=(
            duration(esc.get("sho_to_acp", "2h"), "escalation.sho_to_acp"),
            duration(esc.get("acp_to_dcp", "2h"), "escalation.acp_to_dcp"),
        ),
    )
    delivery = DeliverySettings(
        max_attempts=int(dl.get("max_attempts", 8)),
        backoff_base_s=_seconds(dl, "backoff_base", "5s"),
        backoff_cap_s=_seconds(dl, "backoff_cap", "10m"),
        lease_s=_seconds(dl, "lease", "60s"),
        timeout_s=_seconds(dl, "timeout", "10s"),
    )
    if delivery.timeout_s >= delivery.lease_s:
        raise ValueError("delivery.timeout must be shorter than delivery.lease")
    tick = duration(data.get("timer", {}).get("tick", "30s"), "timer.tick").total_seconds()
    return rules, delivery, tick


def _seconds(section: dict[str, Any], key: str, default: str) -> float:
    return duration(section.get(key, default), f"delivery.{key}").total_seconds()
