"""What the notifier's use cases need of the world, as protocols: the alerts store (a unit of
work over PostgreSQL), the senders (SMS gateway, SMTP, console), the station directory
(``Directory``) and a clock. Adapters in ``adapters/``; fakes in
``tests/unit/notifier/fakes.py``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from services.notifier.domain import AlertState
from shared.events import Station
from shared.scores import WindowStats

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AlertRow:
    id: uuid.UUID
    station_code: str
    rule: str
    status: str
    level: int
    notices: int
    state: AlertState


@dataclass(frozen=True)
class DueDelivery:
    id: uuid.UUID
    channel: str
    address: str
    subject: str
    body: str
    attempts: int  # including the attempt now being made
    idempotency_key: str


class AlertsRepository(Protocol):
    """Alerts, their delivery rows (the outbox) and each station's latest scores, inside one
    transaction."""

    def save_scores(
        self, station_code: str, event_id: Any, computed_at: datetime,
        windows: Mapping[str, WindowStats],
    ) -> bool:  # fmt: skip
        """Keep these scores unless newer ones are kept; True when kept."""

    def latest_scores(
        self, station_code: str, *, lock: bool = False
    ) -> tuple[datetime, dict[str, WindowStats]] | None: ...
    def open_alerts(self, station_code: str) -> dict[str, AlertRow]: ...
    def stations_with_open_alerts(self) -> list[str]: ...
    def insert_alert(
        self, alert_id: uuid.UUID, station_code: str, rule: str, window: str,
        observed: dict, baseline: dict, parts: dict, now: datetime,
    ) -> None: ...  # fmt: skip
    def update_observed(
        self, alert_id: uuid.UUID, window: str, observed: dict, baseline: dict
    ) -> None: ...
    def record_notice(
        self, alert_id: uuid.UUID, *, level: int, level_changed: bool, parts: dict, now: datetime
    ) -> int: ...
    def escalate(self, alert_id: uuid.UUID, level: int, now: datetime) -> int: ...
    def resolve(self, alert_id: uuid.UUID, now: datetime) -> int: ...
    def acknowledge(self, alert_id: Any, by: str, now: datetime) -> str | None: ...
    def insert_delivery(
        self, *, alert_id: uuid.UUID, notice: int, kind: str, level: int, role: str,
        channel: str, address: str, subject: str, body: str,
    ) -> uuid.UUID: ...  # fmt: skip
    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueDelivery]: ...
    def mark_sent(self, delivery_id: uuid.UUID, now: datetime) -> None: ...
    def mark_retry(self, delivery_id: uuid.UUID, error: str, next_at: datetime) -> None: ...
    def mark_failed(self, delivery_id: uuid.UUID, error: str) -> None: ...


class AlertsDatabase(Protocol):
    def transaction(self) -> AbstractContextManager[AlertsRepository]:
        """Committed when the block ends, rolled back if it raises."""


class OutboxRepository(Protocol):
    """The sending side of an outbox (``alert_deliveries`` or ``direction_deliveries``)
    inside one transaction: what ``usecases.deliver_due`` needs."""

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueDelivery]: ...
    def mark_sent(self, delivery_id: uuid.UUID, now: datetime) -> None: ...
    def mark_retry(self, delivery_id: uuid.UUID, error: str, next_at: datetime) -> None: ...
    def mark_failed(self, delivery_id: uuid.UUID, error: str) -> None: ...


class OutboxDatabase(Protocol):
    def transaction(self) -> AbstractContextManager[OutboxRepository]:
        """Committed when the block ends, rolled back if it raises."""


@dataclass(frozen=True)
class OverdueDirection:
    """A direction past its due date whose notice is not decided yet: whom it reaches (one
    station, or a zone), who issued it, and the stations that reported compliance."""

    id: int
    station_code: str | None
    zone: str | None
    due_on: date
    issuer_role: str  # "commissioner" or "dcp"
    issuer_zone: str | None
    complied: frozenset[str]


class DirectionsRepository(OutboxRepository, Protocol):
    """Overdue directions, their notices and the notices' outbox, inside one transaction."""

    def overdue_unnoticed(self, today: date) -> list[OverdueDirection]:
        """Directions due before ``today`` (India's date) with no notice yet."""
        ...

    def record_notice(self, direction_id: int, stations: list[str]) -> bool:
        """Record the direction's notice; False when it was recorded already (by another
        member), in which case nothing more is written for it."""
        ...

    def insert_delivery(
        self, *, direction_id: int, role: str, station_code: str | None, channel: str,
        address: str, subject: str, body: str,
    ) -> None: ...  # fmt: skip


class DirectionsDatabase(Protocol):
    def transaction(self) -> AbstractContextManager[DirectionsRepository]:
        """Committed when the block ends, rolled back if it raises."""


class DeliveryFailure(Exception):
    pass


class TransientFailure(DeliveryFailure):
    """Worth another attempt later."""


class PermanentFailure(DeliveryFailure):
    """Will never succeed as it is; the delivery is marked failed at once."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (the weekly digest's PDF)."""

    filename: str
    content_type: str  # "application/pdf"
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient on one channel."""

    idempotency_key: str
    channel: str  # "sms" or "email"
    address: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()  # email only


class Sender(Protocol):
    def send(self, message: Outgoing) -> None:
        """Return when the gateway or server took the message; TransientFailure when trying
        again later may work, PermanentFailure when it never will. The idempotency key goes
        with it (the gateway's ``Idempotency-Key``, the email's Message-ID)."""


@dataclass(frozen=True)
class Senders:
    sms: Sender
    email: Sender

    def for_channel(self, channel: str) -> Sender:
        return self.sms if channel == "sms" else self.email


class Directory(Protocol):
    def contacts(self, station_code: str) -> Station | None:
        """The station, its names and officers (``Station.officers``); None for a station the
        registry does not know. Raises a KafkaError when the registry cannot be read yet (a
        transient failure)."""
        ...


class ZoneDirectory(Directory, Protocol):
    def stations_in(self, zone: str) -> frozenset[str]:
        """The codes of every station of ``zone`` (deactivated ones too)."""
        ...


# The HTTP side: the alerts police may read and acknowledge, and where each station is. -----


@dataclass(frozen=True)
class AlertQuery:
    """Which alerts to read, newest first: of these stations (None: every station), with
    one of these statuses (None: any), raised or resolved at or after ``since`` (None: any
    time)."""

    stations: frozenset[str] | None
    statuses: frozenset[str] | None = None
    since: datetime | None = None
    limit: int = 100


class AlertsView(Protocol):
    def alerts(self, query: AlertQuery) -> list[dict[str, Any]]:
        """The alerts as the API's JSON items (``id``, ``station_code``, ``rule``,
        ``status``, ``acknowledged_by``... and ``deliveries``); never a message body or an
        address."""
        ...

    def station_of(self, alert_id: str) -> str | None:
        """The station an alert is about; None for an alert that does not exist."""
        ...

    def acknowledge(self, alert_id: str, by: str, now: datetime) -> str | None:
        """Acknowledge an open alert, recording ``by``; its status afterwards (None: no
        such alert)."""
        ...


class StationMap(Protocol):
    """Where stations are, from the notifier's station directory (the stations topic). Both
    raise a KafkaError while the topic cannot be read (a transient failure)."""

    def zone_of(self, station_code: str) -> str | None:
        """The station's zone; None for a station the registry does not know."""
        ...

    def stations_in(self, zone: str) -> frozenset[str]:
        """The codes of every station of ``zone`` (deactivated ones too: their alerts stay)."""
        ...

    def names(self, codes: frozenset[str]) -> dict[str, Station]:
        """The stations of ``codes`` that are known now, without waiting for the topic."""
        ...
