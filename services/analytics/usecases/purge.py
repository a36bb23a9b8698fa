"""The purge of visitors' names and mobile numbers after the retention period.

What goes: on every ``feedback_personal`` row stored more than ``retention_days`` ago, the
name, the number and the number's keyed hash; ``purged_at`` says when. The hash goes too
because nothing needs it afterwards: the abuse limits count per number per day in Redis
(intake), never from this table. What stays: the feedback facts and every score built on
them, and the row itself (its ``purged_at`` tells the feedback cell's reveal path why it
shows nothing).

Rows go in batches of ``batch_rows``, each in a transaction of its own, so a large backlog
never holds a long lock and a fault loses no batch already done; running it again purges
nothing twice. Called by the analytics worker on a timer and by ``./pratikriya purge``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.analytics.ports import Clock

logger = logging.getLogger(__name__)


class PersonalDataStore(Protocol):
    """Where the personal data is kept (``adapters.purge.PostgresPersonalData``)."""

    def purge_batch(self, stored_before: datetime, purged_at: datetime, limit: int) -> int:
        """Blank name, number and hash of at most ``limit`` unpurged rows stored before
        ``stored_before``, set their ``purged_at``, and commit; returns how many."""

    def record_run(self, purged: int, finished_at: datetime) -> None:
        """Add ``purged`` to the purge counter and set the time of the last run (metrics)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    stored_before: datetime
    finished: bool  # False when ``max_batches`` stopped it with rows still due


def purge_personal_data(
    store: PersonalDataStore,
    clock: Clock,
    retention_days: int,
    *,
    batch_rows: int = 1000,
    max_batches: int | None = None,
) -> PurgeResult:
    """Purge every row older than the retention period (or ``max_batches`` batches of them,
    the rest left for the next run). Raises ValueError for a period under one day; a
    database fault propagates, the batches before it stay purged."""
    if retention_days < 1:
        raise ValueError("the retention period is at least one day")
    now = clock()
    stored_before = now - timedelta(days=retention_days)
    purged, batches, finished = 0, 0, False
    while max_batches is None or batches < max_batches:
        done = store.purge_batch(stored_before, now, batch_rows)
        purged, batches = purged + done, batches + 1
        if done < batch_rows:
            finished = True
            break
    store.record_run(purged, clock())
    logger.info(
        "personal data purged",
        extra={"rows": purged, "stored_before": stored_before.isoformat(), "finished": finished},
    )
    return PurgeResult(purged, stored_before, finished)
