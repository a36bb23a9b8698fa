"""Abuse limits and idempotency records, kept in Redis.

Limits are fixed windows (an hour per client address; a day in India per mobile number and
station). A claim that ends in a failed publish is given back, so a visitor who met a 503 is
not also locked out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import redis

from services.intake.domain import india_day


@dataclass(frozen=True)
class IdempotencyRecord:
    event_id: str
    fingerprint: str
    accepted: bool


class Guards:
    def __init__(
        self,
        client: redis.Redis,
        *,
        per_address_per_hour: int,
        per_mobile_per_day: int,
        idempotency_ttl_s: int,
    ) -> None:
        self._redis = client
        self._per_address = per_address_per_hour
        self._per_mobile = per_mobile_per_day
        self._idem_ttl = idempotency_ttl_s

    def _count(self, key: str, ttl_s: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl_s, nx=True)
        return int(pipe.execute()[0])

    def allow_address(self, address: str, now: datetime) -> bool:
        """Counts one request from ``address``; False once over the hourly limit."""
        key = f"intake:limit:addr:{address}:{now:%Y%m%d%H}"
        return self._count(key, 3600) <= self._per_address

    def _mobile_key(self, station_code: str, mobile_hash: str, now: datetime) -> str:
        return f"intake:limit:mobile:{station_code}:{mobile_hash}:{india_day(now):%Y%m%d}"

    def claim_mobile(self, station_code: str, mobile_hash: str, now: datetime) -> bool:
        """Counts one submission by this number for this station today; False over the limit."""
        key = self._mobile_key(station_code, mobile_hash, now)
        if self._count(key, 2 * 24 * 3600) <= self._per_mobile:
            return True
        self._redis.decr(key)
        return False

    def release_mobile(self, station_code: str, mobile_hash: str, now: datetime) -> None:
        self._redis.decr(self._mobile_key(station_code, mobile_hash, now))

    def recall(self, idempotency_key: str) -> IdempotencyRecord | None:
        raw = self._redis.get(f"intake:idem:{idempotency_key}")
        return IdempotencyRecord(**json.loads(raw)) if raw else None

    def remember(self, idempotency_key: str, record: IdempotencyRecord) -> None:
        self._redis.set(
            f"intake:idem:{idempotency_key}",
            json.dumps(record.__dict__),
            ex=self._idem_ttl,
        )

    def ping(self) -> bool:
        return bool(self._redis.ping())
