"""Where the servers listen and keep their data: read once from the services' variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from shared.config import DEFAULT_DATABASE_URL, DEFAULT_KAFKA, DEFAULT_REDIS_URL

REPO_DIR = Path(__file__).resolve().parents[2]


class StackError(RuntimeError):
    """A server could not be started or stopped; the message says why and shows its log."""


@dataclass(frozen=True)
class StackConfig:
    repo_dir: Path
    data_dir: Path
    kafka_host: str
    kafka_port: int
    kafka_controller_port: int
    postgres_host: str
    postgres_port: int
    postgres_db: str
    postgres_user: str
    postgres_password: str = field(repr=False)
    redis_host: str
    redis_port: int
    # REDIS_URL's password, else REDIS_PASSWORD; empty: ops/stack/redis.py reads the one
    # ``./pratikriya`` generated into <data>/secrets.env.
    redis_password: str = field(default="", repr=False)
    # KAFKA_BROKERS (``./pratikriya up --brokers 3``): 1 is the single-node broker; 3 runs
    # three KRaft nodes on loopback (ops/stack/kafka.py: ports, folders, replication).
    kafka_brokers: int = 1

    @property
    def kafka_bootstrap(self) -> str:
        """Every node's client address, comma-separated (one for the single broker)."""
        from ops.stack.kafka import kafka_nodes

        return ",".join(f"{self.kafka_host}:{node.client_port}" for node in kafka_nodes(self))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StackConfig:
        """Read the stack's settings from the same variables the services use."""
        repo_dir = REPO_DIR
        data_dir = Path(env.get("PRATIKRIYA_DATA_DIR") or repo_dir / ".data").resolve()
        bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_KAFKA
        kafka_host, kafka_port = _split_host_port(bootstrap.split(",")[0].strip())
        controller = env.get("KAFKA_CONTROLLER_PORT")
        db = urlsplit(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        redis = urlsplit(env.get("REDIS_URL") or DEFAULT_REDIS_URL)
        return cls(
            repo_dir=repo_dir,
            data_dir=data_dir,
            kafka_host=kafka_host,
            kafka_port=kafka_port,
            kafka_controller_port=int(controller) if controller else kafka_port + 1,
            postgres_host=db.hostname or "127.0.0.1",
            postgres_port=db.port or 5432,
            postgres_db=unquote(db.path.lstrip("/")) or "pratikriya",
            postgres_user=unquote(db.username or "pratikriya"),
            postgres_password=unquote(db.password or ""),
            redis_host=redis.hostname or "127.0.0.1",
            redis_port=redis.port or 6379,
            redis_password=unquote(redis.password or "") or env.get("REDIS_PASSWORD", ""),
            kafka_brokers=_brokers(env.get("KAFKA_BROKERS") or "1"),
        )


KAFKA_BROKER_COUNTS = (1, 3)


def _brokers(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count not in KAFKA_BROKER_COUNTS:
        raise StackError(f"KAFKA_BROKERS is {text!r}: it is 1 (one broker) or 3 (a cluster)")
    return count


def _split_host_port(entry: str) -> tuple[str, int]:
    """``host:port``, ``PLAINTEXT://host:port`` or ``[::1]:port`` -> (host, port)."""
    entry = entry.split("://", 1)[-1]
    host, _, port = entry.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)
