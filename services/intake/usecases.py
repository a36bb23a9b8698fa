"""Intake's use cases: checking a scanned code, and accepting a visitor's feedback.

Plain functions over their dependencies; the HTTP layer only parses and maps outcomes.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import redis

from services.intake import metrics
from services.intake.domain import CodeProblem, check_code, fingerprint
from services.intake.guards import Admission, Guards, IdempotencyRecord, Verdict
from services.intake.publisher import PublishFailed
from services.intake.stations import RegistryUnavailable
from shared.events import FeedbackSubmitted, Station
from shared.mobile import mobile_hash

logger = logging.getLogger(__name__)


class Directory(Protocol):
    def get(self, code: str) -> Station | None: ...

    def ready(self) -> bool: ...


class Publisher(Protocol):
    def publish(self, event: FeedbackSubmitted) -> None: ...

    def ready(self) -> bool: ...


@dataclass(frozen=True)
class Accepted:
    event_id: str
    replayed: bool = False


class Refused(Exception):
    """The submission was not accepted; ``reason`` names why (also a metrics label)."""

    reason = "refused"


class InvalidCode(Refused):
    def __init__(self, problem: CodeProblem) -> None:
        super().__init__(problem.name.lower())
        self.problem = problem
        self.reason = problem.name.lower()


class RateLimited(Refused):
    reason = "rate_limited"


class IdempotencyConflict(Refused):
    reason = "idempotency_conflict"


class Unavailable(Refused):
    """Kafka or Redis could not be reached; the visitor should try again shortly."""

    reason = "unavailable"


@dataclass(frozen=True)
class Deps:
    stations: Directory
    guards: Guards
    publisher: Publisher
    signing_key: bytes
    mobile_hash_key: bytes


def open_form(deps: Deps, code: str, qr_version: int, sig: str) -> Station:
    """The station whose form a scanned code opens; InvalidCode otherwise, Unavailable when
    the registry cannot be read."""
    try:
        station = deps.stations.get(code)
    except RegistryUnavailable as exc:
        raise Unavailable("registry") from exc
    problem = check_code(station, qr_version, sig, deps.signing_key)
    if problem is not None:
        raise InvalidCode(problem)
    assert station is not None
    return station


def submit_feedback(
    deps: Deps,
    feedback: dict[str, Any],
    *,
    client_address: str,
    idempotency_key: str | None,
    now: datetime | None = None,
) -> Accepted:
    """Publish validated ``feedback`` as one FeedbackSubmitted event.

    With an ``idempotency_key``, a retry of an accepted submission returns the first id and
    publishes nothing; a retry of one that failed is published again under the same event id
    (the consumers count an id once); the same key with a different submission is refused.
    Raises InvalidCode, RateLimited, IdempotencyConflict or Unavailable.
    """
    now = now or datetime.now(UTC)
    open_form(deps, feedback["station_code"], feedback["qr_version"], feedback["sig"])
    fields = {k: v for k, v in feedback.items() if k != "sig"}
    digest = fingerprint(fields)
    hashed = mobile_hash(deps.mobile_hash_key, fields["mobile"])
    station_code = fields["station_code"]
    event_id = str(uuid.uuid4())
    try:
        admission = deps.guards.admit(
            address=client_address,
            station_code=station_code,
            mobile_hash=hashed,
            idempotency_key=idempotency_key,
            pending=IdempotencyRecord(event_id, digest, False),
            now=now,
        )
        prior = admission.prior
        if prior is not None and prior.accepted:
            _release(deps, admission, station_code, hashed, now)
            if prior.fingerprint == digest:
                return Accepted(prior.event_id, replayed=True)
            raise IdempotencyConflict("this Idempotency-Key was used for other feedback")
        if prior is not None and prior.fingerprint == digest:
            event_id = prior.event_id  # a retry of an attempt that failed: the same event
        elif prior is not None and idempotency_key and admission.verdict is Verdict.ADMITTED:
            # An earlier attempt under this key failed, and this submission replaces it.
            deps.guards.remember(idempotency_key, IdempotencyRecord(event_id, digest, False))
        if admission.verdict is Verdict.ADDRESS_LIMIT:
            raise RateLimited("too many submissions from this address this hour")
        if admission.verdict is Verdict.MOBILE_LIMIT:
            raise RateLimited("this mobile number has rated this station too often today")
    except redis.RedisError as exc:
        raise Unavailable("redis") from exc

    event = FeedbackSubmitted(
        **fields, mobile_hash=hashed, event_id=uuid.UUID(event_id), submitted_at=now
    )
    started = time.perf_counter()
    try:
        deps.publisher.publish(event)
    except PublishFailed as exc:
        logger.warning("publish failed", extra={"event_id": event_id, "error": str(exc)})
        try:
            deps.guards.release(station_code, hashed, now)
        except redis.RedisError:
            logger.warning("could not give back the per-number limit claim", exc_info=True)
        raise Unavailable("kafka") from exc
    metrics.PUBLISH_SECONDS.observe(time.perf_counter() - started)
    metrics.ACCEPTED.inc()
    logger.info("feedback accepted", extra={"event_id": event_id, "station": station_code})
    if idempotency_key:
        try:
            deps.guards.remember(idempotency_key, IdempotencyRecord(event_id, digest, True))
        except redis.RedisError:
            # Already durable in Kafka; a retry would republish under the same id, which the
            # consumers count once.
            logger.warning("could not record an accepted idempotency key", exc_info=True)
    return Accepted(event_id)


def _release(deps: Deps, admission: Admission, station_code: str, hashed: str, now) -> None:
    """Give back the mobile-limit claim of a submission that will not be published."""
    if admission.verdict is Verdict.ADMITTED:
        deps.guards.release(station_code, hashed, now)
