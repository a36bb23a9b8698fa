"""What analytics' read use cases (``read_usecases``) need: the registry and feedback in
PostgreSQL, and the scores the consumer keeps in Redis.

The real ones are ``postgres_reads.PostgresReads`` and ``cache.ScoresCache``; the tests'
fakes are in ``tests/unit/analytics/fakes.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from services.analytics.ranking import RankedStation, RankingPolicy
from shared.scores import WindowStats


class ReadsUnavailable(Exception):
    """The database could not be reached; try again shortly."""


class ReadRepository(Protocol):
    """Reads of the registry and of the feedback facts; never a name or a number. Each
    raises ReadsUnavailable when the database cannot be reached."""

    def stations(self) -> dict[str, dict[str, Any]]:
        """Active stations by code: ``station_code``, ``name_en``, ``name_hi``, ``zone``."""
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
        """The newest feedback with words: ``submitted_at``, ``rating``,
        ``complaint_type``, ``comments``, ``problem_resolved``."""
        ...

    def ready(self) -> bool: ...


class ScoresSource(Protocol):
    """The consumer's scores (``cache.ScoresCache``); raises redis.RedisError when Redis
    cannot be reached."""

    def read_station(self, code: str) -> dict[str, WindowStats] | None: ...

    def ranking(self, window: str, policy: RankingPolicy) -> list[RankedStation]: ...

    def ping(self) -> bool: ...
