"""The operations settings, read once from the environment: which consumer groups to watch
(and the topics each reads), the dead-letter topics, where the services answer, and how
often the lag is sampled. Used by the operations service and by ``./pratikriya lag``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.config import ConfigError, Connections, Env

# What the services of one installation consume (services/analytics/config.py and
# services/notifier/config.py name the same groups): "group:topic", space-separated, a group
# named again for each further topic.
DEFAULT_GROUPS = "analytics:feedback.submitted notifier:station.scores"
DEFAULT_DEAD_LETTER_TOPICS = "feedback.dlq station.scores.dlq"
# The services whose /readyz the page shows: (name, variable prefix, default port). It asks
# them at <PREFIX>_INTERNAL_URL, the address inside the installation: <PREFIX>_URL is the
# browser's (shared.auth.links), often a proxy's that does not pass /readyz on.
SERVICES = (("intake", "INTAKE", 8001), ("qr", "QR", 8002),
            ("analytics", "ANALYTICS", 8003), ("notifier", "NOTIFIER", 8004))  # fmt: skip


def parse_groups(text: str) -> dict[str, tuple[str, ...]]:
    """``"a:t1 a:t2 b:t3"`` -> ``{"a": ("t1", "t2"), "b": ("t3",)}``."""
    groups: dict[str, tuple[str, ...]] = {}
    for item in text.split():
        group, _, topic = item.partition(":")
        if not group or not topic:
            raise ConfigError(f"OPS_CONSUMER_GROUPS: {item!r} is not GROUP:TOPIC")
        groups[group] = (*groups.get(group, ()), topic)
    return groups


@dataclass(frozen=True)
class OpsConfig:
    connections: Connections
    groups: dict[str, tuple[str, ...]]
    dead_letter_topics: tuple[str, ...]
    service_urls: dict[str, str]
    # Sent as a bearer token with each /readyz question (an ops token): the services answer
    # /readyz to loopback or a token, and in containers the question is not from loopback.
    readyz_token: str = ""
    sample_every_s: float = 15.0
    history_s: float = 3600.0
    judge_window_s: float = 600.0  # as ./pratikriya lag
    readyz_timeout_s: float = 2.0
    lag_metrics_cache_s: float = 5.0
    redis_prefix: str = "ops"
    log_level: str = "INFO"

    @property
    def kafka_bootstrap_servers(self) -> str:
        return self.connections.kafka_bootstrap_servers

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpsConfig:
        e = Env.current(env)
        urls = {
            name: e.str(f"{var}_INTERNAL_URL", f"http://127.0.0.1:{e.int(f'{var}_PORT', port)}")
            for name, var, port in SERVICES
        }
        return cls(
            connections=Connections.from_env(e),
            groups=parse_groups(e.str("OPS_CONSUMER_GROUPS", DEFAULT_GROUPS)),
            dead_letter_topics=tuple(
                e.str("OPS_DEAD_LETTER_TOPICS", DEFAULT_DEAD_LETTER_TOPICS).split()
            ),
            service_urls=urls,
            readyz_token=e.str("OPS_READYZ_TOKEN", ""),
            sample_every_s=e.float("OPS_LAG_SAMPLE_S", 15.0),
            lag_metrics_cache_s=e.float("OPS_LAG_METRICS_CACHE_S", 5.0),
            log_level=e.str("LOG_LEVEL", "INFO"),
        )
