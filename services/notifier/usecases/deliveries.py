"""Sending what is due from the deliveries outbox, never holding a transaction open while a
gateway is waited on."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from services.notifier.config import NotifierConfig
from services.notifier.domain import backoff
from services.notifier.ports import (
    Clock,
    OutboxDatabase,
    Outgoing,
    PermanentFailure,
    Senders,
    TransientFailure,
)

logger = logging.getLogger(__name__)


def deliver_due(
    database: OutboxDatabase,
    config: NotifierConfig,
    senders: Senders,
    now_fn: Clock,
    limit: int = 20,
) -> int:
    """Send the deliveries that are due in ``database``'s outbox (the alerts' or the overdue
    directions'); returns how many were tried. Each is claimed (an
    attempt counted, hidden for the lease) and committed before sending, then marked sent,
    retried later with exponential backoff, or failed."""
    settings = config.delivery
    with database.transaction() as alerts:
        due = alerts.claim_due(now_fn(), limit, timedelta(seconds=settings.lease_s))
    for delivery in due:
        message = Outgoing(
            delivery.idempotency_key,
            delivery.channel,
            delivery.address,
            delivery.subject,
            delivery.body,
        )
        try:
            senders.for_channel(delivery.channel).send(message)
        except PermanentFailure as failure:
            _finish(database, delivery, "failed", str(failure), now_fn())
        except TransientFailure as failure:
            if delivery.attempts >= settings.max_attempts:
                _finish(database, delivery, "failed", str(failure), now_fn())
            else:
                wait = backoff(delivery.attempts, settings.backoff_base_s, settings.backoff_cap_s)
                with database.transaction() as alerts:
                    alerts.mark_retry(delivery.id, str(failure), now_fn() + timedelta(seconds=wait))
                logger.warning(
                    "delivery will be retried",
                    extra={
                        "delivery_id": str(delivery.id),
                        "channel": delivery.channel,
                        "attempts": delivery.attempts,
                        "retry_in_s": wait,
                        "error": str(failure),
                    },
                )
        else:
            _finish(database, delivery, "sent", None, now_fn())
    return len(due)


def _finish(database, delivery, outcome: str, error: str | None, now: datetime) -> None:
    with database.transaction() as alerts:
        if outcome == "sent":
            alerts.mark_sent(delivery.id, now)
        else:
            alerts.mark_failed(delivery.id, error or "")
    log = logger.info if outcome == "sent" else logger.error
    log(
        "delivery " + outcome,
        extra={
            "delivery_id": str(delivery.id),
            "channel": delivery.channel,
            "attempts": delivery.attempts,
            "error": error,
        },
    )
