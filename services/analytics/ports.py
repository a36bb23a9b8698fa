"""What analytics' use cases need of the world, as protocols: the feedback store (a unit of
work over PostgreSQL), the scores cache (Redis), a publisher (Kafka), a clock. The real
adapters are in ``adapters/``; fakes in ``tests/unit/analytics/fakes.py``."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from services.analytics.domain import RankedStation, RankingPolicy
from shared.consumer import Message
from shared.events import FeedbackSubmitted, Personal
from shared.scores import WindowStats

Clock = Callable[[], datetime]
Buckets = dict[str, dict[datetime, WindowStats]]


class FeedbackRepository(Protocol):
    """Feedback facts and hourly station buckets, inside one transaction."""

    def store_batch(
        self, events: Sequence[FeedbackSubmitted], personal: Mapping[UUID, Personal]
    ) -> int:
        """Insert the events not stored yet, with their opened name and number (``personal``,
        by event id), and add only those to their buckets; returns how many were new (a
        redelivered event changes nothing)."""

    def existing_stations(self, codes: Iterable[str]) -> set[str]: ...

    def lock_stations(self, codes: Sequence[str]) -> None:
        """Hold these stations' locks until the transaction ends (waiting for another
        member's); recomputing a station's cached windows happens under them."""

    def all_station_codes(self) -> list[str]: ...

    def load_buckets(self, codes: Iterable[str], since: datetime) -> Buckets:
        """station -> hour -> sums, for hours from ``since`` on."""

    def stations_with_buckets_in(self, ranges: Sequence[tuple[datetime, datetime]]) -> set[str]:
        """Stations with a bucket in any of the hour ranges (both ends included)."""


class FeedbackDatabase(Protocol):
    def transaction(self) -> AbstractContextManager[FeedbackRepository]:
        """A repository whose writes are committed when the block ends, rolled back if it
        raises."""

    def close(self) -> None: ...


class ScoresCache(Protocol):
    """Each station's windows and sums (the rankings are made from them), recomputable from
    the database."""

    def write_stations(
        self,
        windows: Mapping[str, Mapping[str, WindowStats]],
        computed_at: datetime,
    ) -> None: ...

    def station_codes(self) -> set[str]:
        """The stations that have windows stored."""

    def forget(self, codes: Iterable[str]) -> None: ...

    def mark_built(self) -> None: ...

    def is_built(self) -> bool: ...


class Publisher(Protocol):
    def publish(self, messages: Sequence[Message]) -> None:
        """Return once every message is acknowledged; raise a transient error otherwise."""

    def close(self) -> None: ...


# -- what the read side (the HTTP API and pages) needs ------------------------------------


class ReadsUnavailable(Exception):
    """The database could not be reached; try again shortly."""


class ReadRepository(Protocol):
    """Reads of the registry and of the feedback facts; never a name or a number. Each
    raises ReadsUnavailable when the database cannot be reached."""

    def stations(self) -> dict[str, dict[str, Any]]:
        """Active stations by code: ``station_code``, ``name_en``, ``name_hi``, ``zone``."""
        ...

    def stations_version(self) -> Hashable | None:
        """A value that changes whenever a station is added, changed or removed (None: not
        known, so nothing read from the registry may be reused)."""
        ...

    def station(self, code: str) -> dict[str, Any] | None:
        """One station (active or not, with ``active``), None if there is none."""
        ...

    def zones(self) -> list[dict[str, str]]: ...

    def trend(self, code: str, days: int, today: date) -> list[dict[str, Any]]:
        """One row per India day up to ``today``: ``date``, ``count``, ``avg_rating``,
        ``low_rating_share``, ``unresolved_share`` (None on days without feedback)."""
        ...

    def latest_comments(self, code: str, limit: int = 10) -> list[dict[str, Any]]:
        """The newest feedback with words: ``event_id``, ``submitted_at``, ``rating``,
        ``complaint_type``, ``comments``, ``officer_name``, ``problem_resolved``."""
        ...

    def ready(self) -> bool: ...


class IdentitySource(Protocol):
    """The feedback cell's reveal path, the one read of ``feedback_personal`` outside the
    consumer. Raises ReadsUnavailable when the database cannot be reached."""

    def feedback_at(self, event_id: UUID, station_code: str) -> dict[str, Any] | None:
        """The feedback ``event_id`` if it was given at ``station_code`` (the fields of
        ``latest_comments``, no identity), None otherwise."""
        ...

    def identity(self, event_id: UUID) -> dict[str, Any] | None:
        """The visitor's ``name`` and ``mobile`` (None when not given or purged) and
        ``purged_at``; None when nothing was kept."""
        ...


class ScoresSource(Protocol):
    """The consumer's scores (``cache.ScoresCache``); raises redis.RedisError when Redis
    cannot be reached."""

    def read_station(self, code: str) -> dict[str, WindowStats] | None: ...

    def ranking(self, window: str, policy: RankingPolicy) -> list[RankedStation]: ...

    def version(self) -> Hashable | None:
        """A value that changes with every write of scores or rankings (None: not known,
        so no ranking read earlier may be reused)."""
        ...

    def ping(self) -> bool: ...


class TextKeyStore(Protocol):
    """Feedback stored without officer and comment keys, or under older rules
    (``shared.textkeys.KEY_VERSION``), given them a batch at a time."""

    def rekey_batch(self, limit: int) -> int:
        """Keys for up to ``limit`` stale rows; how many were done (0: none is left)."""
        ...

    def close(self) -> None: ...


class InboxStore(Protocol):
    """The inbox's reads and the actions police record (``adapters.postgres_inbox``); never
    a name or a number. Raises ReadsUnavailable when the database cannot be reached."""

    def page(self, chosen: Any, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` feedback matching ``chosen`` (a ``domain.inbox.InboxFilter``),
        newest first, with ``actions`` and ``callback_outcome``."""
        ...

    def item(self, event_id: UUID) -> dict[str, Any] | None: ...

    def actions_of(
        self, *, event_id: UUID | None = None, alert_id: UUID | None = None
    ) -> list[dict[str, Any]]: ...

    def callbacks_of(self, event_id: UUID) -> list[dict[str, Any]]: ...

    def add_action(
        self, station_code: str, text: str, taken_on: date, by: str, *,
        event_id: UUID | None = None, alert_id: UUID | None = None,
    ) -> dict[str, Any]: ...  # fmt: skip

    def add_callback(
        self, event_id: UUID, station_code: str, outcome: str, note: str, by: str
    ) -> dict[str, Any]: ...

    def alert(self, alert_id: UUID) -> dict[str, Any] | None: ...

    def alerts_of(self, station_code: str, limit: int = 10) -> list[dict[str, Any]]: ...

    def recent_at(self, station_code: str, limit: int = 10) -> list[dict[str, Any]]: ...


class FeedbackMonths(Protocol):
    """The feedback table's monthly partitions (``adapters.partitions.PostgresMonths``)."""

    def ensure_ahead(self, today: date, months: int) -> int:
        """Make this month's partition and the next ``months``' where missing; how many."""

    def close(self) -> None: ...
