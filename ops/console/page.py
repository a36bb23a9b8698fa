"""What the operations page shows: is feedback flowing, and if not, where is it stuck?

Each configured consumer group's lag over the last hour (from the samples in
ops.lag.history), its status judged as the ``lag`` command judges it (ops.lag.status), the
dead-letter topics' sizes, and the health of every service (their ``/readyz``), Kafka,
PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import redis
from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from markupsafe import Markup

from ops.config import OpsConfig
from ops.console.chart import minute_chart
from ops.lag.history import LagHistory, sample_once
from ops.lag.metrics import dead_letter_counts
from ops.lag.reader import PartitionSample
from ops.lag.status import judge_groups
from shared.india import INDIA
from shared.kafka_io import kafka_security

logger = logging.getLogger(__name__)
GROUP_LABELS = {"analytics": ("विश्लेषण", "analytics: feedback into scores"),
                "notifier": ("सूचना", "notifier: scores into alerts")}  # fmt: skip
STATUS_LABELS = {"OK": "ठीक", "WARN": "चेतावनी", "REWIND": "पीछे गया", "STALL": "अटका",
                 "STOP": "रुका"}  # fmt: skip
SLOTS = 60  # one point per minute of the hour


def readiness(url: str, timeout_s: float, token: str = "") -> dict[str, Any]:
    """A service's own /readyz answer, or why there is none."""
    asked = urllib.request.Request(  # noqa: S310 - our own services' addresses
        f"{url}/readyz", headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    try:
        with urllib.request.urlopen(asked, timeout=timeout_s) as answer:  # noqa: S310
            body = json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        try:
            body = json.loads(refused.read())
        except ValueError:
            body = {"status": f"HTTP {refused.code}"}
    except (OSError, ValueError) as error:
        return {"ok": False, "status": "unreachable", "failing": [], "detail": str(error)[:120]}
    failing = body.get("failing") or []
    ok = body.get("status") == "ready"
    return {"ok": ok, "status": body.get("status", "?"), "failing": failing, "detail": ""}


def lag_chart(group: str, samples: list[PartitionSample], now: float) -> str:
    """The group's total lag, the worst sample of each minute of the last hour."""
    start = now - SLOTS * 60
    slots: list[float | None] = [None] * SLOTS
    totals: dict[float, int] = {}
    for s in samples:
        if s.group == group and s.at >= start:
            totals[s.at] = totals.get(s.at, 0) + s.lag
    for at, total in totals.items():
        slot = min(SLOTS - 1, int((at - start) // 60))
        slots[slot] = max(slots[slot] or 0, total)
    labels = [datetime.fromtimestamp(start + 60 * (i + 1), INDIA).strftime("%H:%M")
              for i in range(SLOTS)]  # fmt: skip
    return minute_chart(f"बकाया संदेश · Messages waiting ({group}), last hour", labels, slots)


def page_model(config: OpsConfig, history: LagHistory,
               local_checks: Callable[[], dict[str, bool]]) -> dict[str, Any]:  # fmt: skip
    """Everything the page shows. Samples afresh first when the newest is too old (the
    background sampler may not run in this process, or the lock's holder may have died)."""
    now = time.time()
    try:
        last = history.last()
        if last is None or now - last.at > config.sample_every_s:
            sample_once(
                history,
                config.kafka_bootstrap_servers,
                config.sample_every_s,
                config.dead_letter_topics,
            )
            last = history.last()
        samples = history.samples(config.history_s)
    except redis.RedisError:
        logger.warning("ops page: no lag history, Redis unavailable", exc_info=True)
        last, samples = None, []
    verdicts = judge_groups(
        [s for s in samples if s.at >= now - config.judge_window_s], config.judge_window_s
    )
    groups = []
    for group in config.groups:
        latest_at = max((s.at for s in samples if s.group == group), default=None)
        latest = [s for s in samples if s.group == group and s.at == latest_at]
        verdict = verdicts.get(group)
        status = verdict[0].status.name if verdict else "UNKNOWN"
        groups.append({
            "name": group, "label": GROUP_LABELS.get(group, (group, group)),
            "status": status, "status_hi": STATUS_LABELS.get(status, "अज्ञात"),
            "reason": verdict[0].reason if verdict else "no samples yet",
            "lag": sum(s.lag for s in latest),
            "lag_seconds": max((s.lag_seconds or 0.0 for s in latest), default=0.0),
            "members": latest[0].members if latest else 0,
            "partitions": len(latest),
            "chart": Markup(lag_chart(group, samples, now)),  # noqa: S704 - escape()d SVG
        })  # fmt: skip
    with ThreadPoolExecutor(max_workers=max(1, len(config.service_urls))) as pool:
        answers = dict(zip(config.service_urls, pool.map(
            lambda url: readiness(url, config.readyz_timeout_s, config.readyz_token),
            config.service_urls.values(),
        ), strict=True))  # fmt: skip
    kafka_ok = bool(last and last.ok and now - last.at <= 3 * config.sample_every_s)
    # No history at all (Redis down): ask Kafka now rather than call it failing.
    servers = {"kafka": kafka_ok if last else _kafka_answers(config)}
    # A cluster (./pratikriya up --brokers 3): one row per node, "kafka <address>".
    servers.update(
        {f"kafka {a}": up for a, up in kafka_node_states(config.kafka_bootstrap_servers).items()}
    )
    servers.update(local_checks())
    return {
        "groups": groups,
        "services": answers,
        "servers": servers,
        "dead_letters": (last.dead_letters if last else {}),
        "sampled_at": _when(last.at) if last else None,
        "history": last is not None,
        "all_ok": all(g["status"] == "OK" for g in groups)
        and not any((last.dead_letters if last else {}).values())
        and all(a["ok"] for a in answers.values()) and all(servers.values()),
    }  # fmt: skip


def kafka_node_states(bootstrap: str) -> dict[str, bool]:
    """Of a cluster (KAFKA_BOOTSTRAP_SERVERS names more than one node): each address, and
    whether the cluster's metadata has a broker there that is not fenced (a node that is
    down, or whose heartbeats stopped, is not). Nothing for a single broker."""
    addresses = [a.strip() for a in bootstrap.split(",") if a.strip()]
    if len(addresses) < 2:
        return {}
    try:
        client = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="ops-page",
            request_timeout_ms=3000,
            **kafka_security(),
        )
        try:
            found = client.describe_cluster()
        finally:
            client.close()
    except (KafkaError, OSError):
        logger.warning("ops page: the Kafka cluster's metadata is unavailable", exc_info=True)
        return dict.fromkeys(addresses, False)
    live = {f"{b['host']}:{b['port']}" for b in found["brokers"] if not b.get("is_fenced")}
    return {address: address in live for address in addresses}


def _kafka_answers(config: OpsConfig) -> bool:
    try:
        dead_letter_counts(config.kafka_bootstrap_servers, config.dead_letter_topics[:1])
    except (KafkaError, OSError):
        return False
    return True


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, INDIA).strftime("%Y-%m-%d %H:%M:%S IST")
