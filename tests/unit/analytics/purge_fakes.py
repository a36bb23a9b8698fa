"""A fake of the purge's port (usecases.purge.PersonalDataStore): personal rows in memory,
each batch "committed" as it returns, and a fault to inject. No sockets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from tests.unit.analytics.fakes import Unreachable


@dataclass
class PersonalRow:
    name: str | None
    mobile: str | None
    mobile_hash: str
    stored_at: datetime
    purged_at: datetime | None = None


class FakePersonalData:
    """Rows by event id; ``batch_sizes`` the rows each purge statement touched;
    ``fail_after`` batches succeed, then every call raises Unreachable."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, PersonalRow] = {}
        self.batch_sizes: list[int] = []
        self.purged_total = 0.0
        self.last_run_at: datetime | None = None
        self.fail_after: int | None = None
        self.closed = False

    def add(self, stored_at: datetime, name: str | None = "Asha Devi") -> uuid.UUID:
        event_id = uuid.uuid4()
        self.rows[event_id] = PersonalRow(name, "+919812345678", "ab" * 32, stored_at)
        return event_id

    def purge_batch(self, stored_before: datetime, purged_at: datetime, limit: int) -> int:
        if self.fail_after is not None and len(self.batch_sizes) >= self.fail_after:
            raise Unreachable("database down")
        due = sorted(
            (r for r in self.rows.values() if r.purged_at is None and r.stored_at < stored_before),
            key=lambda r: r.stored_at,
        )[:limit]
        for row in due:
            row.name, row.mobile, row.mobile_hash, row.purged_at = None, None, "", purged_at
        self.batch_sizes.append(len(due))
        return len(due)

    def record_run(self, purged: int, finished_at: datetime) -> None:
        self.purged_total += purged
        self.last_run_at = finished_at

    def close(self) -> None:
        self.closed = True


class FakeTextKeys:
    """The text keys' port (ports.TextKeyStore) with ``stale`` rows still to key."""

    def __init__(self, stale: int = 0) -> None:
        self.stale = stale
        self.closed = False

    def rekey_batch(self, limit: int) -> int:
        done = min(limit, self.stale)
        self.stale -= done
        return done

    def close(self) -> None:
        self.closed = True


class FakeMonths:
    """The feedback months' port (ports.FeedbackMonths): the months asked for, in order."""

    def __init__(self) -> None:
        self.asked: list[tuple[date, int]] = []
        self.closed = False

    def ensure_ahead(self, today: date, months: int) -> int:
        self.asked.append((today, months))
        return 0

    def close(self) -> None:
        self.closed = True
