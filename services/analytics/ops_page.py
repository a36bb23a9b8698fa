"""The operations page at ``/ops``: is feedback flowing, and if not, where is it stuck?

Each consumer group's lag over the last hour (from the samples in ``lag_history``), its
status judged as the ``lag`` command judges it (shared.lag_status), the dead-letter topics'
sizes, and the health of every service (their ``/readyz``), Kafka, PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import redis
from flask import Flask, Response, render_template
from kafka.errors import KafkaError
from markupsafe import Markup

from services.analytics import charts
from services.analytics.lag_history import (
    DEAD_LETTER_TOPICS,
    LagHistory,
    sample_once,
    start_sampler,
)
from shared.config import Env
from shared.india import INDIA
from shared.lag import GROUP_TOPICS, PartitionSample
from shared.lag_metrics import dead_letter_counts
from shared.lag_status import judge_groups

logger = logging.getLogger(__name__)
SERVICES = (("intake", "INTAKE", 8001), ("qr", "QR", 8002),
            ("analytics", "ANALYTICS", 8003), ("notifier", "NOTIFIER", 8004))  # fmt: skip
GROUP_LABELS = {"analytics": ("विश्लेषण", "analytics: feedback into scores"),
                "notifier": ("सूचना", "notifier: scores into alerts")}  # fmt: skip
STATUS_LABELS = {"OK": "ठीक", "WARN": "चेतावनी", "REWIND": "पीछे गया", "STALL": "अटका",
                 "STOP": "रुका"}  # fmt: skip
SLOTS = 60  # one point per minute of the hour


@dataclass(frozen=True)
class OpsConfig:
    kafka_bootstrap_servers: str
    service_urls: dict[str, str]
    sample_every_s: float = 15.0
    history_s: float = 3600.0
    judge_window_s: float = 600.0  # as ./pratikriya lag
    readyz_timeout_s: float = 2.0
    redis_prefix: str = "ops"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpsConfig:
        e = Env.current(env)
        urls = {
            name: e.str(f"{var}_URL", f"http://127.0.0.1:{e.int(f'{var}_PORT', port)}")
            for name, var, port in SERVICES
        }
        return cls(
            kafka_bootstrap_servers=e.str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            service_urls=urls,
            sample_every_s=e.float("OPS_LAG_SAMPLE_S", 15.0),
        )


def readiness(url: str, timeout_s: float) -> dict:
    """A service's own /readyz answer, or why there is none."""
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=timeout_s) as answer:  # noqa: S310
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
    labels = [datetime.fromtimestamp(start + 60 * (i + 1), INDIA).strftime("%m-%d %H:%M")
              for i in range(SLOTS)]  # fmt: skip
    top = max([v for v in slots if v is not None] + [10])
    high = _nice(top)
    svg = charts.line_chart(f"बकाया संदेश · Messages waiting ({group}), last hour", labels,
                            slots, low=0, high=high, ticks=[high * i / 5 for i in range(6)],
                            tick_format="{:,.0f}", color="#1f5fa8")  # fmt: skip
    # The chart's own empty-state text speaks of feedback; here nothing was measured.
    return svg.replace("कोई प्रतिक्रिया नहीं · No feedback yet", "कोई माप नहीं · No readings")


def _nice(value: float) -> float:
    step = 1.0
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def page_model(config: OpsConfig, history: LagHistory,
               local_checks: Callable[[], dict[str, bool]]) -> dict:  # fmt: skip
    """Everything the page shows. Samples afresh first when the newest is too old (the
    background sampler may not run in this process, or the lock's holder may have died)."""
    now = time.time()
    try:
        last = history.last()
        if last is None or now - last.at > config.sample_every_s:
            sample_once(history, config.kafka_bootstrap_servers, config.sample_every_s)
            last = history.last()
        samples = history.samples(config.history_s)
    except redis.RedisError:
        logger.warning("ops page: no lag history, Redis unavailable", exc_info=True)
        last, samples = None, []
    verdicts = judge_groups(
        [s for s in samples if s.at >= now - config.judge_window_s], config.judge_window_s
    )
    groups = []
    for group in GROUP_TOPICS:
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
            lambda url: readiness(url, config.readyz_timeout_s), config.service_urls.values()
        ), strict=True))  # fmt: skip
    kafka_ok = bool(last and last.ok and now - last.at <= 3 * config.sample_every_s)
    # No history at all (Redis down): ask Kafka now rather than call it failing.
    servers = {"kafka": kafka_ok if last else _kafka_answers(config), **local_checks()}
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


def _kafka_answers(config: OpsConfig) -> bool:
    try:
        dead_letter_counts(config.kafka_bootstrap_servers, DEAD_LETTER_TOPICS[:1])
    except (KafkaError, OSError):
        return False
    return True


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, INDIA).strftime("%Y-%m-%d %H:%M:%S IST")


def register(app: Flask, config: OpsConfig, client: redis.Redis,
             local_checks: Callable[[], dict[str, bool]]) -> None:  # fmt: skip
    """Add ``/ops`` to the analytics app; ``local_checks`` answers this service's own
    PostgreSQL and Redis checks (the ones its /readyz makes). Nothing is sampled in the
    background until ``start_sampling``."""
    history = LagHistory(client, config.redis_prefix, history_s=config.history_s,
                         max_points=int(config.history_s / config.sample_every_s) + 10)  # fmt: skip
    app.extensions["ops"] = (config, history)

    @app.get("/ops")
    def ops() -> Response:
        model = page_model(config, history, local_checks)
        html = render_template("ops.html", model=model, every=config.sample_every_s)
        return Response(html, mimetype="text/html", headers={"Refresh": "30"})


def start_sampling(app: Flask) -> threading.Event:
    """Sample lag in the background in this process (gunicorn calls ``wsgi()`` in each
    worker); set the returned event to stop."""
    config, history = app.extensions["ops"]
    return start_sampler(history, config.kafka_bootstrap_servers, config.sample_every_s)
