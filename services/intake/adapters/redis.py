"""Abuse limits and idempotency records, kept in Redis.

Limits are fixed windows (an hour per client address; a day in India per mobile number and
station). Everything a submission needs from Redis before it is published is asked in one
round trip (:meth:`RedisLimits.admit`); a claim that ends in a refusal or a failed publish
is given back, so a visitor who met a 503 is not also locked out. Redis errors leave as
:class:`~services.intake.ports.LimitsUnavailable`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime

import redis

from services.intake.domain import Admission, IdempotencyRecord, Verdict, india_day
from services.intake.ports import LimitsUnavailable


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except redis.RedisError as exc:
        raise LimitsUnavailable(str(exc)) from exc


class RedisLimits:
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

    @staticmethod
    def _address_key(address: str, now: datetime) -> str:
        return f"intake:limit:addr:{address}:{now:%Y%m%d%H}"

    @staticmethod
    def _mobile_key(station_code: str, mobile_hash: str, now: datetime) -> str:
        return f"intake:limit:mobile:{station_code}:{mobile_hash}:{india_day(now):%Y%m%d}"

    @staticmethod
    def _idem_key(idempotency_key: str) -> str:
        return f"intake:idem:{idempotency_key}"

    def allow_address(self, address: str, now: datetime) -> bool:
        """Counts one request from ``address``; False once over the hourly limit."""
        key = self._address_key(address, now)
        with _translated():
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, 3600, nx=True)
            return int(pipe.execute()[0]) <= self._per_address

    def admit(
        self,
        *,
        address: str,
        station_code: str,
        mobile_hash: str,
        idempotency_key: str | None,
        pending: IdempotencyRecord,
        now: datetime,
    ) -> Admission:
        """Count the request against both limits and, with an idempotency key, record
        ``pending`` under it unless a record is there already (which is returned).

        An admitted submission holds a claim on the mobile limit until :meth:`release`.
        """
        address_key = self._address_key(address, now)
        mobile_key = self._mobile_key(station_code, mobile_hash, now)
        with _translated():
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(address_key)
            pipe.expire(address_key, 3600, nx=True)
            pipe.incr(mobile_key)
            pipe.expire(mobile_key, 2 * 24 * 3600, nx=True)
            if idempotency_key:
                idem = self._idem_key(idempotency_key)
                pipe.set(idem, json.dumps(asdict(pending)), nx=True, ex=self._idem_ttl)
                pipe.get(idem)
            results = pipe.execute()
            prior = None
            if idempotency_key and not results[4]:
                prior = IdempotencyRecord(**json.loads(results[5]))
            if int(results[0]) > self._per_address:
                self._redis.decr(mobile_key)
                return Admission(Verdict.ADDRESS_LIMIT, prior)
            if int(results[2]) > self._per_mobile:
                self._redis.decr(mobile_key)
                return Admission(Verdict.MOBILE_LIMIT, prior)
        return Admission(Verdict.ADMITTED, prior)

    def release(self, station_code: str, mobile_hash: str, now: datetime) -> None:
        """Give back an admitted submission's claim on the mobile limit."""
        with _translated():
            self._redis.decr(self._mobile_key(station_code, mobile_hash, now))

    def remember(self, idempotency_key: str, record: IdempotencyRecord) -> None:
        with _translated():
            self._redis.set(
                self._idem_key(idempotency_key), json.dumps(asdict(record)), ex=self._idem_ttl
            )

    def ready(self) -> bool:
        try:
            return bool(self._redis.ping())
        except redis.RedisError:
            return False
