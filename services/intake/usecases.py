"""Intake's use cases: opening the form a scanned code points to, and accepting a visitor's
feedback from the API or from the form.

Plain functions over the ports (``services.intake.ports``); the HTTP layer parses the
request and maps what these return or raise. Every refusal of a submission is counted in
``intake_feedback_rejected_total`` under its reason.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from services.intake import metrics
from services.intake.domain import (
    Admission,
    CodeProblem,
    IdempotencyRecord,
    Verdict,
    check_code,
    fingerprint,
)
from services.intake.ports import (
    Clock,
    Limits,
    LimitsUnavailable,
    Publisher,
    PublishFailed,
    RegistryUnavailable,
    StationDirectory,
)
from services.intake.schemas import FeedbackInputSchema
from shared import logs
from shared.events import FeedbackSubmitted, Personal, Station
from shared.mobile import mobile_hash
from shared.sealing import Sealer

logger = logging.getLogger(__name__)
ADDRESS_LIMIT = "too many submissions from this address this hour"
MOBILE_LIMIT = "this mobile number has rated this station too often today"
# Schemas hold no per-request state: one instance serves every request and thread.
_SCHEMA = FeedbackInputSchema()


@dataclass(frozen=True)
class Deps:
    stations: StationDirectory
    limits: Limits
    publisher: Publisher
    clock: Clock
    signing_key: bytes
    mobile_hash_key: bytes
    # The analytics consumer's public key: intake seals the name and number, never opens.
    sealer: Sealer


@dataclass(frozen=True)
class Accepted:
    event_id: str
    replayed: bool = False


@dataclass(frozen=True)
class FormOutcome:
    """The page a form POST leads to: the thank-you page (``event_id``), or the form again
    with the visitor's input, and the ``errors`` (schema error codes by field) or the
    unavailable banner (``unavailable``)."""

    station: Station
    event_id: str | None = None
    errors: Mapping[str, Any] | None = None
    unavailable: bool = False


class Refused(Exception):
    """The submission was not accepted; ``reason`` names why (also a metrics label)."""

    reason = "refused"


class InvalidCode(Refused):
    def __init__(self, problem: CodeProblem) -> None:
        super().__init__(problem.name.lower())
        self.problem = problem
        self.reason = problem.name.lower()


class Invalid(Refused):
    """The submission failed the schema; ``errors`` holds its error codes by field."""

    reason = "invalid"

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__("invalid feedback")
        self.errors = errors


class RateLimited(Refused):
    reason = "rate_limited"


class IdempotencyConflict(Refused):
    reason = "idempotency_conflict"


class Unavailable(Refused):
    """Kafka, Redis or the registry could not be reached; try again shortly."""

    reason = "unavailable"


def open_form(deps: Deps, code: str, qr_version: int, sig: str) -> Station:
    """The station whose form a scanned code opens. InvalidCode (counted) otherwise;
    Unavailable when the registry cannot be read."""
    try:
        return _genuine(deps, code, qr_version, sig)
    except InvalidCode as refused:
        metrics.REJECTIONS.labels(refused.reason).inc()
        raise


def submit_feedback(
    deps: Deps, body: Any, *, client_address: str, idempotency_key: str | None
) -> Accepted:
    """Validate ``body`` (the API's JSON) and publish it as one FeedbackSubmitted event.

    With an ``idempotency_key``, a retry of an accepted submission returns the first id and
    publishes nothing; a retry of one that failed is published again under the same event id
    (the consumers count an id once); the same key with other feedback is refused. Raises
    Invalid, InvalidCode, RateLimited, IdempotencyConflict or Unavailable.
    """
    with _counted():
        feedback = _validated(deps, body, client_address)
        _genuine(deps, feedback["station_code"], feedback["qr_version"], feedback["sig"])
        return _accept(deps, feedback, client_address, idempotency_key)


def submit_from_form(
    deps: Deps, payload: Mapping[str, Any], *, form_token: str, client_address: str
) -> FormOutcome:
    """Accept the form's ``payload`` (``schemas.form_to_payload``, with the URL's station
    code) under the form's token, so a double tap on Submit is one submission.

    A visitor who changed an answer after it was accepted made new feedback: it is taken
    under a new key. Invalid input and an unreachable Kafka or Redis give the form back
    (see FormOutcome); a code that opens no form raises InvalidCode, a limit RateLimited, an
    unreadable registry Unavailable.
    """
    with _counted():
        version = payload.get("qr_version")
        if not isinstance(version, int):
            raise InvalidCode(CodeProblem.FORGED)
        station = _genuine(deps, payload["station_code"], version, payload.get("sig", ""))
        try:
            feedback = _validated(deps, payload, client_address)
            try:
                accepted = _accept(deps, feedback, client_address, form_token)
            except IdempotencyConflict:
                accepted = _accept(deps, feedback, client_address, uuid.uuid4().hex)
        except Invalid as invalid:
            metrics.REJECTIONS.labels(invalid.reason).inc()
            return FormOutcome(station, errors=invalid.errors)
        except Unavailable as down:
            metrics.REJECTIONS.labels(down.reason).inc()
            return FormOutcome(station, unavailable=True)
        return FormOutcome(station, event_id=accepted.event_id)


@contextmanager
def _counted() -> Iterator[None]:
    try:
        yield
    except Refused as refused:
        metrics.REJECTIONS.labels(refused.reason).inc()
        raise


def _genuine(deps: Deps, code: str, qr_version: int, sig: str) -> Station:
    try:
        station = deps.stations.get(code)
    except RegistryUnavailable as exc:
        logger.warning("station registry unavailable", exc_info=True)
        raise Unavailable("registry") from exc
    problem = check_code(station, qr_version, sig, deps.signing_key)
    if problem is not None or station is None:
        raise InvalidCode(problem or CodeProblem.UNKNOWN_STATION)
    return station


def _validated(deps: Deps, body: Any, client_address: str) -> dict[str, Any]:
    """``body`` through the schema, or Invalid. Invalid submissions count against the
    address limit too (that is what a flood of junk looks like): RateLimited once over it.
    If the limit cannot be checked, the visitor still hears what was wrong."""
    try:
        return dict(_SCHEMA.load(body))
    except ValidationError as invalid:
        try:
            allowed = deps.limits.allow_address(client_address, deps.clock())
        except LimitsUnavailable:
            logger.warning("rate limit check failed", exc_info=True)
            allowed = True
        if not allowed:
            raise RateLimited(ADDRESS_LIMIT) from None
        raise Invalid(invalid.normalized_messages()) from None


def _accept(
    deps: Deps, feedback: dict[str, Any], client_address: str, idempotency_key: str | None
) -> Accepted:
    """Publish validated ``feedback`` (its code already checked) once, within the limits."""
    with logs.sensitive(feedback.get("name"), feedback.get("mobile")):
        now = deps.clock()
        fields = {k: v for k, v in feedback.items() if k != "sig"}
        digest = fingerprint(fields)
        hashed = mobile_hash(deps.mobile_hash_key, fields["mobile"])
        station_code = fields["station_code"]
        try:
            event_id = _admit(deps, client_address, station_code, hashed, idempotency_key,
                              digest, now)  # fmt: skip
        except LimitsUnavailable as exc:
            raise Unavailable("redis") from exc
        if isinstance(event_id, Accepted):
            return event_id
        facts = {k: v for k, v in fields.items() if k not in ("name", "mobile")}
        event_uuid = uuid.UUID(event_id)
        personal = Personal(mobile=fields["mobile"], name=fields.get("name"))
        event = FeedbackSubmitted(
            **facts, sealed=deps.sealer.seal(personal, event_uuid), mobile_hash=hashed,
            event_id=event_uuid, submitted_at=now,
        )  # fmt: skip
        _publish(deps, event, station_code, hashed)
        if idempotency_key:
            try:
                deps.limits.remember(idempotency_key, IdempotencyRecord(event_id, digest, True))
            except LimitsUnavailable:
                # Already durable in Kafka; a retry would republish under the same id, which
                # the consumers count once.
                logger.warning("could not record an accepted idempotency key", exc_info=True)
        return Accepted(event_id)


def _admit(
    deps: Deps, address: str, station_code: str, hashed: str, key: str | None, digest: str,
    now: datetime,
) -> str | Accepted:  # fmt: skip
    """The event id to publish under, or the Accepted of an earlier attempt under the same
    key; RateLimited or IdempotencyConflict."""
    event_id = str(uuid.uuid4())
    admission = deps.limits.admit(
        address=address, station_code=station_code, mobile_hash=hashed, idempotency_key=key,
        pending=IdempotencyRecord(event_id, digest, False), now=now,
    )  # fmt: skip
    prior = admission.prior
    if prior is not None and prior.accepted:
        _release(deps, admission, station_code, hashed, now)
        if prior.fingerprint == digest:
            return Accepted(prior.event_id, replayed=True)
        raise IdempotencyConflict("this Idempotency-Key was used for other feedback")
    if prior is not None and prior.fingerprint == digest:
        event_id = prior.event_id  # a retry of an attempt that failed: the same event
    elif prior is not None and key and admission.verdict is Verdict.ADMITTED:
        # An earlier attempt under this key failed, and this submission replaces it.
        deps.limits.remember(key, IdempotencyRecord(event_id, digest, False))
    if admission.verdict is Verdict.ADDRESS_LIMIT:
        raise RateLimited(ADDRESS_LIMIT)
    if admission.verdict is Verdict.MOBILE_LIMIT:
        raise RateLimited(MOBILE_LIMIT)
    return event_id


def _publish(deps: Deps, event: FeedbackSubmitted, station_code: str, hashed: str) -> None:
    """Publish, or give back the mobile-limit claim (a visitor who met a 503 is not also
    locked out) and raise Unavailable."""
    started = time.perf_counter()
    try:
        deps.publisher.publish(event)
    except PublishFailed as exc:
        logger.warning("publish failed", extra={"event_id": str(event.event_id), "error": str(exc)})
        try:
            deps.limits.release(station_code, hashed, event.submitted_at)
        except LimitsUnavailable:
            logger.warning("could not give back the per-number limit claim", exc_info=True)
        raise Unavailable("kafka") from exc
    metrics.PUBLISH_SECONDS.observe(time.perf_counter() - started)
    metrics.ACCEPTED.inc()
    logger.info(
        "feedback accepted", extra={"event_id": str(event.event_id), "station": station_code}
    )


def _release(
    deps: Deps, admission: Admission, station_code: str, hashed: str, now: datetime
) -> None:
    """Give back the mobile-limit claim of a submission that will not be published."""
    if admission.verdict is Verdict.ADMITTED:
        deps.limits.release(station_code, hashed, now)
