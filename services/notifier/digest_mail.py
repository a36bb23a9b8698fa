"""The weekly digest by email (issue 12, section 5): every Monday at 09:00 India time the
Commissioner's office gets the city's digest and each zone's DCP their zone's, a PDF attached.

The notifier's worker runs this on a timer of its own thread (``DigestMailer``): each check
queues the weeks that are due into the outbox ``digest_emails`` (one row per week and
recipient; the unique key means a week is never queued twice for one recipient), then sends
the due rows one at a time, each claimed with a lease like the alerts' deliveries (but never
shorter than ``LEASE_MIN_S``: building a PDF takes seconds), so that two members never send
the same one and a member that died leaves it to be sent again when the lease ends. The PDF is
built when it is sent, from the analytics' digest (``services.analytics.digest``): figures,
names of stations and directions, never a visitor's name or number.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg2

from services.analytics.digest.figures import Digest
from services.analytics.digest.pdf import render
from services.analytics.digest.week import Week, last_complete
from services.analytics.domain.ranking import RankingPolicy
from services.notifier.config import DeliverySettings
from services.notifier.domain import backoff
from services.notifier.ports import (
    Attachment,
    Outgoing,
    PermanentFailure,
    Sender,
    TransientFailure,
)
from shared.config import Env

logger = logging.getLogger(__name__)
CITY = "city"  # the scope of the Commissioner's office's digest
LEASE_MIN_S = 300.0  # one digest's build and send, with room; a dead member's waits this long


@dataclass(frozen=True)
class DigestMailSettings:
    commissioner_emails: tuple[str, ...] = ()
    catch_up_weeks: int = 4
    check_every_s: float = 60.0
    policy: RankingPolicy = field(default_factory=RankingPolicy)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DigestMailSettings:
        e = Env.current(env)
        emails = e.str("DIGEST_COMMISSIONER_EMAILS", "")
        return cls(
            commissioner_emails=tuple(a.strip() for a in emails.split(",") if a.strip()),
            catch_up_weeks=max(1, e.int("DIGEST_CATCH_UP_WEEKS", 4)),
            check_every_s=float(e.int("DIGEST_CHECK_EVERY_S", 60)),
            policy=RankingPolicy(
                e.float("ANALYTICS_RANKING_PRIOR_WEIGHT", 10.0),
                e.int("ANALYTICS_RANKING_MIN_COUNT", 10),
            ),
        )


@dataclass(frozen=True)
class Queued:
    week: Week
    scope: str  # CITY or a zone's code
    address: str


def weeks_to_queue(now: datetime, latest_queued: Week | None, catch_up_weeks: int) -> list[Week]:
    """The weeks whose digest is due for one recipient by ``now`` (09:00 India time on the
    Monday after each) and not queued for them yet, oldest first: after ``latest_queued``, and
    no more than the last ``catch_up_weeks`` of them (a worker down for months does not mail a
    season of digests). A recipient never queued before starts with the last due week only."""
    latest = last_complete(now)
    if latest.due_at > now:  # Monday before 09:00: last week is not due yet
        latest = latest.previous()
    if latest_queued is None:
        return [latest]
    weeks: list[Week] = []
    week = latest
    while len(weeks) < catch_up_weeks and week > latest_queued:
        weeks.append(week)
        week = week.previous()
    return sorted(weeks)


Recipient = tuple[str, str]  # (scope, address): CITY or a zone's code, and an e-mail address


def recipients(
    commissioner_emails: Iterable[str], dcp_emails: Mapping[str, str]
) -> list[Recipient]:
    """Who gets a digest: the city's to each of the Commissioner's office's addresses, each
    zone's to its DCP (zones without an e-mail get none)."""
    city = [(CITY, address) for address in sorted(set(commissioner_emails))]
    return city + [(zone, a) for zone, a in sorted(dcp_emails.items()) if a.strip()]


def rows_to_queue(
    now: datetime, wanted: Iterable[Recipient], latest: Mapping[Recipient, Week],
    catch_up_weeks: int,
) -> list[Queued]:  # fmt: skip
    """One row per due week and recipient, each recipient after the last week queued for them
    (``latest``), oldest week first."""
    rows = [
        Queued(week, scope, address)
        for scope, address in wanted
        for week in weeks_to_queue(now, latest.get((scope, address)), catch_up_weeks)
    ]
    return sorted(rows, key=lambda r: (r.week, r.scope != CITY, r.scope, r.address))


def texts(digest: Digest) -> tuple[str, str]:
    """Subject and body, Hindi first with English: figures only, no visitor's name or number."""
    week = digest.week
    span = f"{week.monday.isoformat()} – {week.sunday.isoformat()}"
    if digest.zone is None:
        hi_scope, en_scope = "पूरा शहर", "the whole city"
    else:
        hi, en = digest.zone_name or (digest.zone, digest.zone)
        hi_scope, en_scope = f"{hi} ज़ोन", f"{en} zone"
    subject = f"साप्ताहिक सारांश · Weekly digest {span}: {hi_scope} · {en_scope}"
    body = (
        f"प्रतिक्रिया, गुरुग्राम पुलिस — {hi_scope} का साप्ताहिक सारांश ({span}) संलग्न PDF में है।\n"
        f"इस सप्ताह की प्रतिक्रियाएँ: {digest.feedback_count}"
        f" (पिछला सप्ताह: {digest.previous_count}); सप्ताह के अंत पर खुले अलर्ट:"
        f" {len(digest.open_alerts)}; समय-सीमा पार निर्देश: {len(digest.overdue)}।\n\n"
        f"Pratikriya, Gurugram Police — the weekly digest of {en_scope} ({span}) is in the"
        f" attached PDF.\nFeedback this week: {digest.feedback_count}"
        f" (previous week: {digest.previous_count}); alerts open at the week's end:"
        f" {len(digest.open_alerts)}; overdue directions: {len(digest.overdue)}.\n"
    )
    return subject, body


def pdf_name(week: Week, scope: str) -> str:
    return f"pratikriya-digest-{week.monday.isoformat()}-{scope.replace(' ', '_')}.pdf"


def retry_at(attempts: int, now: datetime, base_s: float, cap_s: float) -> datetime:
    return now + timedelta(seconds=backoff(attempts, base_s, cap_s))


def check(outbox: Any, settings: DigestMailSettings, now: datetime) -> int:
    """Queue the weeks that are due for every recipient; returns how many rows were new."""
    wanted = recipients(settings.commissioner_emails, outbox.dcp_emails())
    rows = rows_to_queue(now, wanted, outbox.latest_queued(), settings.catch_up_weeks)
    added = outbox.queue(rows) if rows else 0
    if added:
        logger.info("weekly digests queued", extra={"emails": added})
    return added


def send_due(
    outbox: Any, settings: DigestMailSettings, delivery: DeliverySettings, sender: Sender,
    now_fn: Callable[[], datetime], limit: int = 1,
) -> int:  # fmt: skip
    """Send the queued digests that are due, each with its PDF; returns how many were tried.
    A transient failure is retried with the alerts' backoff until ``delivery.max_attempts``."""
    lease = timedelta(seconds=max(delivery.lease_s, LEASE_MIN_S))
    due = outbox.claim_due(now_fn(), limit, lease)
    for item in due:
        digest = outbox.digest(item.week, item.scope, settings.policy)
        subject, body = texts(digest)
        pdf = Attachment(pdf_name(item.week, item.scope), "application/pdf", render(digest))
        message = Outgoing(item.idempotency_key, "email", item.address, subject, body, (pdf,))
        try:
            sender.send(message)
        except PermanentFailure as failure:
            outbox.mark_failed(item.id, str(failure))
        except TransientFailure as failure:
            if item.attempts >= delivery.max_attempts:
                outbox.mark_failed(item.id, str(failure))
            else:
                next_at = retry_at(
                    item.attempts, now_fn(), delivery.backoff_base_s, delivery.backoff_cap_s
                )
                outbox.mark_retry(item.id, str(failure), next_at)
                logger.warning(
                    "weekly digest email will be retried",
                    extra={"digest_email": str(item.id), "attempts": item.attempts,
                           "error": str(failure)},
                )  # fmt: skip
        else:
            outbox.mark_sent(item.id, now_fn())
    return len(due)


class DigestMailer(threading.Thread):
    """The notifier worker's digest timer: every ``check_every_s`` queue what is due, then send
    what is queued; until ``stop`` is set."""

    def __init__(self, step: Callable[[], object], every_s: float, stop: threading.Event):
        super().__init__(name="notifier-digest", daemon=True)
        self.step, self.every_s, self.stop = step, every_s, stop

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.step()
            except psycopg2.Error:  # the database is away: the next check tries again
                logger.warning("weekly digest check failed; will retry", exc_info=True)
            self.stop.wait(self.every_s)
