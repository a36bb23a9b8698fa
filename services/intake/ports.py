"""What intake's use cases need of the world, as protocols: the station directory, the
abuse limits and idempotency records, the publisher and the clock.

The real ones are in ``adapters/`` (and ``stations.py``); the tests' fakes in
``tests/unit/intake/fakes.py``. Each adapter turns its client's errors into the exceptions
named here, so the use cases never see a Redis or Kafka exception.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from services.intake.domain import Admission, IdempotencyRecord
from shared.events import FeedbackSubmitted, Station

__all__ = [
    "Clock",
    "Limits",
    "LimitsUnavailable",
    "PublishFailed",
    "Publisher",
    "RegistryUnavailable",
    "StationDirectory",
]


class LimitsUnavailable(Exception):
    """The store of limits and idempotency records could not be reached."""


class RegistryUnavailable(Exception):
    """The stations topic has not been read to its end yet: no answer about any station."""


class PublishFailed(Exception):
    """The broker did not acknowledge the event; it may be sent again under the same id."""


class StationDirectory(Protocol):
    def get(self, code: str) -> Station | None:
        """The station of ``code``, None if there is none; RegistryUnavailable when no view
        of the registry can be had."""
        ...

    def ready(self) -> bool: ...


class Limits(Protocol):
    """Per-address and per-mobile-per-station limits, and idempotency records. Every
    method but ``ready`` raises LimitsUnavailable when the store cannot be reached."""

    def allow_address(self, address: str, now: datetime) -> bool:
        """Count one request from ``address``; False once over the hourly limit."""
        ...

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
        """Count the submission against both limits and, with an idempotency key, record
        ``pending`` under it unless a record is there (returned as ``prior``). An admitted
        submission holds a claim on the mobile limit until ``release``."""
        ...

    def release(self, station_code: str, mobile_hash: str, now: datetime) -> None:
        """Give back an admitted submission's claim on the mobile limit."""
        ...

    def remember(self, idempotency_key: str, record: IdempotencyRecord) -> None: ...

    def ready(self) -> bool: ...


class Publisher(Protocol):
    def publish(self, event: FeedbackSubmitted) -> None:
        """Send ``event`` and wait for its acknowledgement;
        PublishFailed otherwise."""
        ...

    def ready(self) -> bool: ...

    def close(self) -> None: ...


class Clock(Protocol):
    def __call__(self) -> datetime:
        """Now, an aware datetime."""
        ...
