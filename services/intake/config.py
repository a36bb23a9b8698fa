"""Intake's settings, read once from the environment (see the README for each variable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from shared.config import ConfigError, Connections, Env
from shared.sealing import Sealer, SealKeyError


@dataclass(frozen=True)
class IntakeConfig:
    connections: Connections
    qr_signing_key: bytes
    mobile_hash_key: bytes
    # ``<key id>:<base64 public key>``: the analytics consumer's current sealing key.
    seal_public_key: str
    port: int = 8001
    public_base_url: str = "http://localhost:8001"
    # How long a visitor waits for Kafka's acknowledgement before getting 503.
    publish_timeout_s: float = 2.0
    retry_after_s: int = 30
    max_body_bytes: int = 16 * 1024
    # Carrier-grade NAT puts many phones behind one address: keep this generous.
    limit_per_address_per_hour: int = 300
    # The main guard: one number rating one station, per day (India time).
    limit_per_mobile_per_station_per_day: int = 3
    idempotency_ttl_s: int = 24 * 3600
    # Number of proxies in front of intake whose X-Forwarded-For may be trusted (0: none).
    trusted_proxies: int = 0
    # The stations topic is the registry: a view that has not been at the topic's end for
    # this long reads up to it before answering (0: before every answer, as tests need).
    station_max_lag_s: float = 5.0
    retention_days: int = 180
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> IntakeConfig:
        e = Env.current(env)
        config = cls(
            connections=Connections.from_env(e),
            qr_signing_key=e.secret("QR_SIGNING_KEY"),
            mobile_hash_key=e.secret("MOBILE_HASH_KEY"),
            seal_public_key=_seal_key(e.str("INTAKE_SEAL_PUBLIC_KEY")),
            port=e.int("INTAKE_PORT", 8001),
            public_base_url=e.str("PUBLIC_BASE_URL", "http://localhost:8001").rstrip("/"),
            publish_timeout_s=e.float("INTAKE_PUBLISH_TIMEOUT_S", 2.0),
            retry_after_s=e.int("INTAKE_RETRY_AFTER_S", 30),
            limit_per_address_per_hour=e.int("INTAKE_LIMIT_PER_ADDRESS_PER_HOUR", 300),
            limit_per_mobile_per_station_per_day=e.int("INTAKE_LIMIT_PER_MOBILE_PER_DAY", 3),
            idempotency_ttl_s=e.int("INTAKE_IDEMPOTENCY_TTL_S", 24 * 3600),
            trusted_proxies=e.int("INTAKE_TRUSTED_PROXIES", 0),
            station_max_lag_s=e.float("INTAKE_STATION_MAX_LAG_S", 5.0),
            retention_days=e.int("PERSONAL_DATA_RETENTION_DAYS", 180),
            log_level=e.str("LOG_LEVEL", "INFO"),
        )
        return replace(config, **overrides)


def _seal_key(setting: str) -> str:
    """The setting, once it is known to make a sealer: a bad key stops intake at start."""
    try:
        Sealer.from_setting(setting)
    except SealKeyError as bad:
        raise ConfigError(f"INTAKE_SEAL_PUBLIC_KEY: {bad}") from None
    return setting
