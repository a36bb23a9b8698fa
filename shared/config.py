"""Reading configuration from the environment, once, into frozen dataclasses.

Each service has its own frozen config dataclass (``services/<name>/config.py``) built with
these helpers; tests build the dataclass directly or pass overrides. Nothing else in the code
reads ``os.environ``.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_KAFKA = "127.0.0.1:9092"
DEFAULT_DATABASE_URL = "postgresql://pratikriya:pratikriya@127.0.0.1:5432/pratikriya"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Env:
    """Typed access to an environment mapping (``os.environ`` by default)."""

    values: Mapping[str, str]

    @classmethod
    def current(cls, env: Mapping[str, str] | None = None) -> Env:
        return cls(os.environ if env is None else env)

    def str(self, name: str, default: str | None = None) -> str:
        value = self.values.get(name, "").strip()
        if value:
            return value
        if default is None:
            raise ConfigError(f"{name} is not set")
        return default

    def int(self, name: builtins.str, default: int) -> int:
        raw = self.values.get(name, "").strip()
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None

    def float(self, name: builtins.str, default: float) -> float:
        raw = self.values.get(name, "").strip()
        if not raw:
            return default
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None

    def bool(self, name: builtins.str, default: bool) -> bool:
        raw = self.values.get(name, "").strip().lower()
        if not raw:
            return default
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")

    def secret(self, name: builtins.str) -> bytes:
        """A required secret key; at least 16 characters so an HMAC over it is worth having."""
        value = self.str(name, "")
        if len(value) < 16:
            raise ConfigError(
                f"{name} must be set to a random string of at least 16 characters "
                "(./pratikriya up creates one under the data folder)"
            )
        return value.encode()


@dataclass(frozen=True)
class Connections:
    """Where the shared servers are; every service needs some of these."""

    kafka_bootstrap_servers: str = DEFAULT_KAFKA
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL

    @classmethod
    def from_env(cls, env: Env) -> Connections:
        return cls(
            kafka_bootstrap_servers=env.str("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA),
            database_url=env.str("DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=env.str("REDIS_URL", DEFAULT_REDIS_URL),
        )
