"""The one-time codes of the rights page in Redis: one hash per number's keyed hash (the
code's HMAC, its expiry, the wrong tries) with a TTL, and hourly counters that expire with
their window. Nothing here holds a number or a code in clear."""

from __future__ import annotations

from datetime import datetime

import redis

from services.intake.rights import RightsUnavailable, StoredCode

_PREFIX = "rights:"


class RedisCodes:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def count(self, key: str, now: datetime, window_s: int) -> int:
        bucket = int(now.timestamp()) // window_s
        name = f"{_PREFIX}n:{key}:{bucket}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, window_s)
            count, _ = pipe.execute()
        except redis.RedisError as exc:
            raise RightsUnavailable(str(exc)) from None
        return int(count)

    def put(self, mobile_key: str, code: StoredCode, ttl_s: int) -> None:
        name = f"{_PREFIX}c:{mobile_key}"
        try:
            pipe = self.client.pipeline()
            pipe.delete(name)
            pipe.hset(name, mapping={"digest": code.digest, "expires_at": code.expires_at,
                                     "tries": code.tries})  # fmt: skip
            pipe.expire(name, ttl_s)
            pipe.execute()
        except redis.RedisError as exc:
            raise RightsUnavailable(str(exc)) from None

    def get(self, mobile_key: str) -> StoredCode | None:
        try:
            found = self.client.hgetall(f"{_PREFIX}c:{mobile_key}")
        except redis.RedisError as exc:
            raise RightsUnavailable(str(exc)) from None
        if not found or "digest" not in found:
            return None
        return StoredCode(str(found["digest"]), float(found["expires_at"]), int(found["tries"]))

    def wrong_try(self, mobile_key: str) -> int:
        try:
            return int(self.client.hincrby(f"{_PREFIX}c:{mobile_key}", "tries", 1))
        except redis.RedisError as exc:
            raise RightsUnavailable(str(exc)) from None

    def drop(self, mobile_key: str) -> None:
        try:
            self.client.delete(f"{_PREFIX}c:{mobile_key}")
        except redis.RedisError as exc:
            raise RightsUnavailable(str(exc)) from None
