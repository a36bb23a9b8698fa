"""The last hour of consumer-lag samples, kept in Redis for the operations page.

A sample is taken every ``sample_every_s`` by whichever analytics HTTP process gets the
sampling lock first (``SET NX PX``): one sample per interval however many gunicorn workers
or machines run, and sampling goes on while the consumers themselves are down (which is
when the page matters most). Each group's samples live in a sorted set scored by time,
trimmed to ``history_s`` and to ``max_points`` members in the same transaction that adds
one, so the keys stay bounded whatever happens.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass

import redis
from kafka.errors import KafkaError

from shared.lag import GROUP_TOPICS, LagReader, PartitionSample
from shared.lag_metrics import dead_letter_counts
from shared.topics import DEAD_LETTER_TOPICS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LastReading:
    at: float  # epoch seconds of the last attempt
    ok: bool  # Kafka answered
    dead_letters: dict[str, int]  # per dead-letter topic, from the last good reading


class LagHistory:
    """``client`` answers str (``decode_responses=True``, as shared.redis_io makes it)."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "ops",
        history_s: float = 3600.0,
        max_points: int = 720,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.history_s = history_s
        self.max_points = max_points

    def _key(self, group: str) -> str:
        return f"{self.prefix}:lag:{group}"

    def claim(self, every_s: float) -> bool:
        """True for the one caller allowed to sample in this interval."""
        lock = f"{self.prefix}:lag:sampling"
        return bool(self.client.set(lock, "1", nx=True, px=max(1, int(every_s * 1000))))

    def record(self, samples: list[PartitionSample], dead_letters: dict[str, int]) -> None:
        by_group: dict[str, list[dict]] = defaultdict(list)
        for sample in samples:
            by_group[sample.group].append(asdict(sample))
        now = time.time()
        with self.client.pipeline(transaction=True) as pipe:
            for group, rows in by_group.items():
                key = self._key(group)
                pipe.zadd(key, {json.dumps(rows): rows[0]["at"]})
                pipe.zremrangebyscore(key, "-inf", now - self.history_s)
                pipe.zremrangebyrank(key, 0, -self.max_points - 1)
                pipe.expire(key, int(self.history_s * 2))
            pipe.hset(self._key("last"), mapping={"at": now, "ok": 1,
                      "dead_letters": json.dumps(dead_letters)})  # fmt: skip
            pipe.execute()

    def record_failure(self) -> None:
        self.client.hset(self._key("last"), mapping={"at": time.time(), "ok": 0})

    def samples(self, since_s: float | None = None) -> list[PartitionSample]:
        """Every kept sample of every group taken in the last ``since_s``, oldest first."""
        low = time.time() - (since_s or self.history_s)
        found = []
        for group in GROUP_TOPICS:
            for member in self.client.zrangebyscore(self._key(group), low, "+inf"):
                found.extend(PartitionSample(**row) for row in json.loads(member))
        return sorted(found, key=lambda s: s.at)

    def last(self) -> LastReading | None:
        raw = self.client.hgetall(self._key("last"))
        if not raw:
            return None
        return LastReading(
            at=float(raw["at"]),
            ok=raw["ok"] == "1",
            dead_letters=json.loads(raw.get("dead_letters") or "{}"),
        )


def sample_once(history: LagHistory, bootstrap_servers: str, every_s: float) -> bool:
    """Take and keep one sample if no other process has this interval; False if another
    had it. A Kafka that cannot be asked is recorded as such (the page shows it)."""
    if not history.claim(every_s):
        return False
    reader = None
    try:
        reader = LagReader(bootstrap_servers, timeout_s=2.0)
        samples = reader.sample(GROUP_TOPICS)
        dead = dead_letter_counts(bootstrap_servers, DEAD_LETTER_TOPICS)
    except (KafkaError, OSError):
        logger.warning("lag sample failed: Kafka could not be asked", exc_info=True)
        history.record_failure()
        return True
    finally:
        if reader is not None:
            reader.close()
    history.record(samples, dead)
    return True


def start_sampler(history: LagHistory, bootstrap_servers: str, every_s: float) -> threading.Event:
    """Sample in a daemon thread until the returned event is set. Each gunicorn worker runs
    one; the lock lets one of them sample per interval."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_s / 2):
            try:
                sample_once(history, bootstrap_servers, every_s)
            except redis.RedisError:
                logger.warning("lag sample not kept: Redis unavailable", exc_info=True)

    threading.Thread(target=loop, name="lag-sampler", daemon=True).start()
    return stop
