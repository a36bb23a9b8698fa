"""The QR service's settings, read once from the environment (see docs/qr.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from shared.config import Connections, Env

NOTO = Path("/usr/share/fonts/truetype/noto")


@dataclass(frozen=True)
class QrConfig:
    connections: Connections
    qr_signing_key: bytes
    port: int = 8002
    # What a visitor's phone opens: intake's public address.
    public_base_url: str = "http://localhost:8001"
    # How long a registry change waits for Kafka's acknowledgement before 503.
    publish_timeout_s: float = 5.0
    # Noto Sans (Latin) and Noto Sans Devanagari, Regular and Bold (Debian: fonts-noto-core).
    font_dir: Path = NOTO
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> QrConfig:
        e = Env.current(env)
        config = cls(
            connections=Connections.from_env(e),
            qr_signing_key=e.secret("QR_SIGNING_KEY"),
            port=e.int("QR_PORT", 8002),
            public_base_url=e.str("PUBLIC_BASE_URL", "http://localhost:8001").rstrip("/"),
            publish_timeout_s=e.float("QR_PUBLISH_TIMEOUT_S", 5.0),
            font_dir=Path(e.str("QR_FONT_DIR", str(NOTO))),
            log_level=e.str("LOG_LEVEL", "INFO"),
        )
        return replace(config, **overrides)
