"""The notifier's use cases: judge a station's scores, run the timer, send what is due.

``handle_scores`` and ``tick`` write every decision and the delivery rows it needs (the
outbox) in one transaction; the consumer commits the scores offset only after it. The
delivery rows are sent later by ``deliver_due``, which never holds a transaction open while
it waits on a gateway.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifier import acklink, store
from services.notifier.config import NotifierConfig
from services.notifier.domain import RULES, Action, Decision, Judgement, backoff, decide, judge
from services.notifier.recipients import Directory
from services.notifier.senders import Outgoing, PermanentFailure, Senders, TransientFailure
from services.notifier.texts import Numbers, render
from shared import db
from shared.events import StationScoresUpdated
from shared.scores import WindowStats

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    config: NotifierConfig
    directory: Directory


@dataclass(frozen=True)
class Outcome:
    station_code: str
    rule: str
    action: Action
    alert_id: uuid.UUID | None


def _observed(j: Judgement) -> tuple[str, dict, dict]:
    worst = j.worst
    observed = {
        "part": worst.part,
        "count": worst.count,
        "share": round(worst.share, 4),
        "p_value": worst.p_value,
        "windows": {
            c.window: {"part": c.part, "count": c.count, "p_value": c.p_value} for c in j.checks
        },
    }
    baseline = {
        "part": j.baseline_part,
        "count": j.baseline_count,
        "share": round(j.baseline_share, 4) if j.baseline_share is not None else None,
    }
    return worst.window, observed, baseline


def evaluate_station(
    cur,
    deps: Deps,
    code: str,
    windows: dict[str, WindowStats],
    computed_at: datetime,
    now: datetime,
) -> list[Outcome]:
    """Run both rules for one station and write what they decide (inside ``cur``'s
    transaction): alerts opened, moved or resolved, and their delivery rows."""
    rules = deps.config.rules
    alerts = store.open_alerts(cur, code)
    age = max(timedelta(0), now - computed_at)
    outcomes = []
    contacts = None
    for rule in RULES:
        judgement = judge(rule, windows, rules, age=age)
        alert = alerts.get(rule)
        decision = decide(judgement, alert.state if alert else None, now, rules)
        window, observed, baseline = _observed(judgement)
        alert_id = alert.id if alert else None
        if alert is not None and decision.action is not Action.RESOLVE:
            store.update_observed(cur, alert.id, window, observed, baseline)
        if decision.action is Action.NONE:
            continue
        if decision.action is Action.RAISE:
            alert_id = uuid.uuid4()
            store.insert_alert(
                cur, alert_id, code, rule, window, observed, baseline, judgement.parts(), now
            )
            notice, previous_level = 1, 0
        else:
            assert alert is not None
            previous_level = alert.level
            notice = _move(cur, alert.id, decision, judgement, previous_level, now)
        contacts = contacts or deps.directory.contacts(code)
        if contacts is None:
            logger.warning(
                "alert for a station the registry does not know",
                extra={"station_code": code, "rule": rule},
            )
        else:
            _write_deliveries(
                cur, deps, contacts, alert_id, notice, decision, previous_level, judgement, now
            )
        logger.info(
            "alert decision",
            extra={
                "station_code": code,
                "rule": rule,
                "action": decision.action.value,
                "level": decision.level,
                "alert_id": str(alert_id),
            },
        )
        outcomes.append(Outcome(code, rule, decision.action, alert_id))
    return outcomes


def _move(cur, alert_id, decision: Decision, judgement: Judgement, previous: int, now) -> int:
    if decision.action is Action.RESOLVE:
        return store.resolve(cur, alert_id, now)
    if decision.action is Action.ESCALATE:
        return store.escalate(cur, alert_id, decision.level, now)
    return store.record_notice(
        cur,
        alert_id,
        level=decision.level,
        level_changed=decision.level != previous,
        parts=judgement.parts(),
        now=now,
    )


def _write_deliveries(
    cur, deps, contacts, alert_id, notice, decision, previous_level, judgement, now
) -> None:
    config = deps.config
    worst = judgement.worst
    numbers = Numbers(
        judgement.rule, worst.window, worst.part, worst.count, judgement.baseline_share
    )
    dashboard = f"{config.analytics_public_url}/stations/{contacts.code}"
    expires = now + timedelta(days=config.ack_link_days)
    ack_url = acklink.link(config.public_url, config.ack_key, str(alert_id), expires)
    kind = decision.action.value
    message = render(
        kind, contacts, numbers, level=decision.level, dashboard_url=dashboard, ack_url=ack_url
    )
    for role in decision.recipients(previous_level):
        officer = contacts.officers.get(role)
        if officer is None:
            continue
        for channel, address in (("sms", officer.mobile), ("email", officer.email)):
            if not address:
                logger.warning(
                    "officer has no address for this channel",
                    extra={"station_code": contacts.code, "role": role, "channel": channel},
                )
                continue
            store.insert_delivery(
                cur,
                alert_id=alert_id,
                notice=notice,
                kind=kind,
                level=decision.level,
                role=role,
                channel=channel,
                address=address,
                subject=message.subject if channel == "email" else "",
                body=message.sms if channel == "sms" else message.email,
            )


def handle_scores(conn, deps: Deps, event: StationScoresUpdated, now: datetime) -> list[Outcome]:
    """One scores event: kept (unless newer scores are already kept) and judged, with every
    decision and delivery row in one transaction. A replayed event changes nothing."""
    with db.transaction(conn) as cur:
        kept = store.save_scores(
            cur, event.station_code, event.event_id, event.computed_at, event.windows
        )
        if not kept:
            return []
        return evaluate_station(
            cur, deps, event.station_code, event.windows, event.computed_at, now
        )


def tick(conn, deps: Deps, now: datetime) -> list[Outcome]:
    """The timer: judge again every station with an open alert on its latest scores, so
    escalation and resolution happen when no new scores arrive. One transaction per station."""
    with db.transaction(conn) as cur:
        codes = store.stations_with_open_alerts(cur)
    outcomes = []
    for code in codes:
        with db.transaction(conn) as cur:
            latest = store.latest_scores(cur, code)
            if latest is None:
                continue
            computed_at, windows = latest
            outcomes += evaluate_station(cur, deps, code, windows, computed_at, now)
    return outcomes


def deliver_due(conn, config: NotifierConfig, senders: Senders, now_fn, limit: int = 20) -> int:
    """Send the deliveries that are due; returns how many were tried. Each is claimed (an
    attempt counted, hidden for the lease) and committed before sending, then marked sent,
    retried later with exponential backoff, or failed."""
    settings = config.delivery
    with db.transaction(conn) as cur:
        due = store.claim_due(cur, now_fn(), limit, timedelta(seconds=settings.lease_s))
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
            _finish(conn, delivery, "failed", str(failure), now_fn())
        except TransientFailure as failure:
            if delivery.attempts >= settings.max_attempts:
                _finish(conn, delivery, "failed", str(failure), now_fn())
            else:
                wait = backoff(delivery.attempts, settings.backoff_base_s, settings.backoff_cap_s)
                with db.transaction(conn) as cur:
                    store.mark_retry(
                        cur, delivery.id, str(failure), now_fn() + timedelta(seconds=wait)
                    )
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
            _finish(conn, delivery, "sent", None, now_fn())
    return len(due)


def _finish(conn, delivery, outcome: str, error: str | None, now: datetime) -> None:
    with db.transaction(conn) as cur:
        if outcome == "sent":
            store.mark_sent(cur, delivery.id, now)
        else:
            store.mark_failed(cur, delivery.id, error or "")
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


def acknowledge(conn, alert_id: str, by: str, now: datetime) -> str | None:
    """Acknowledge an alert; its status afterwards (None: no such alert)."""
    with db.transaction(conn) as cur:
        return store.acknowledge(cur, alert_id, by, now)
