"""Batching by count and by time (house style 8)."""

from __future__ import annotations

import threading
import time

from shared.consumer.broker import ConsumerBroker
from shared.consumer.records import Record

IDLE_POLL_S = 0.5


def poll_batch(
    broker: ConsumerBroker, max_records: int, max_seconds: float, stopping: threading.Event
) -> list[Record]:
    """Records until the batch holds ``max_records`` or ``max_seconds`` passed since its
    first record (so an idle worker waits in poll, not in a half-full batch), or a stop was
    asked for. An empty list after one idle poll."""
    batch: list[Record] = []
    deadline = None
    while len(batch) < max_records and not stopping.is_set():
        wait = IDLE_POLL_S if deadline is None else deadline - time.monotonic()
        if wait <= 0:
            break
        polled = broker.poll(wait, max_records - len(batch))
        batch.extend(polled)
        if batch and deadline is None:
            deadline = time.monotonic() + max_seconds
        if not polled and deadline is None:
            break
    return batch
