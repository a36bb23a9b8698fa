"""The notifier's use cases: judge a station's scores, run the timer, send what is due.

``handle_scores`` and ``tick`` write every decision and the delivery rows it needs (the
outbox) in one transaction; the consumer commits the scores offset only after it. The
delivery rows are sent later by ``deliver_due``, which never holds a transaction open while
it waits on a gateway.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifier import acklink
from services.notifier.config import NotifierConfig
from services.notifier.domain import RULES, Action, Decision, Judgement, decide, judge
from services.notifier.ports import (
    AlertsDatabase,
    AlertsRepository,
    Clock,
    Directory,
)
from services.notifier.texts import Numbers, render
from shared.consumer import Invalid, Record, StepResult
from shared.events import InvalidEvent, StationScoresUpdated
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
    alerts: AlertsRepository,
    deps: Deps,
    code: str,
    windows: dict[str, WindowStats],
    computed_at: datetime,
    now: datetime,
) -> list[Outcome]:
    """Run both rules for one station and write what they decide (inside ``alerts``'
    transaction): alerts opened, moved or resolved, and their delivery rows."""
    rules = deps.config.rules
    open_now = alerts.open_alerts(code)
    age = max(timedelta(0), now - computed_at)
    outcomes = []
    contacts = None
    for rule in RULES:
        judgement = judge(rule, windows, rules, age=age)
        alert = open_now.get(rule)
        decision = decide(judgement, alert.state if alert else None, now, rules)
        window, observed, baseline = _observed(judgement)
        alert_id = alert.id if alert else None
        if alert is not None and decision.action is not Action.RESOLVE:
            alerts.update_observed(alert.id, window, observed, baseline)
        if decision.action is Action.NONE:
            continue
        if decision.action is Action.RAISE:
            alert_id = uuid.uuid4()
            alerts.insert_alert(
                alert_id, code, rule, window, observed, baseline, judgement.parts(), now
            )
            notice, previous_level = 1, 0
        else:
            assert alert is not None
            previous_level = alert.level
            notice = _move(alerts, alert.id, decision, judgement, previous_level, now)
        contacts = contacts or deps.directory.contacts(code)
        if contacts is None:
            logger.warning(
                "alert for a station the registry does not know",
                extra={"station_code": code, "rule": rule},
            )
        else:
            _write_deliveries(
                alerts, deps, contacts, alert_id, notice, decision, previous_level, judgement, now
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


def _move(
    alerts: AlertsRepository, alert_id, decision: Decision, judgement: Judgement, previous: int, now
) -> int:
    if decision.action is Action.RESOLVE:
        return alerts.resolve(alert_id, now)
    if decision.action is Action.ESCALATE:
        return alerts.escalate(alert_id, decision.level, now)
    return alerts.record_notice(
        alert_id,
        level=decision.level,
        level_changed=decision.level != previous,
        parts=judgement.parts(),
        now=now,
    )


def _write_deliveries(
    alerts: AlertsRepository,
    deps,
    contacts,
    alert_id,
    notice,
    decision,
    previous_level,
    judgement,
    now,
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
            alerts.insert_delivery(
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


def handle_scores(
    database: AlertsDatabase, deps: Deps, event: StationScoresUpdated, now: datetime
) -> list[Outcome]:
    """One scores event: kept (unless newer scores are already kept) and judged, with every
    decision and delivery row in one transaction. A replayed event changes nothing."""
    with database.transaction() as alerts:
        kept = alerts.save_scores(
            event.station_code, event.event_id, event.computed_at, event.windows
        )
        if not kept:
            return []
        return evaluate_station(
            alerts, deps, event.station_code, event.windows, event.computed_at, now
        )


def handle_records(
    database: AlertsDatabase, deps: Deps, records: Sequence[Record], clock: Clock
) -> StepResult:
    """The worker's step: each record of ``station.scores`` handled in its own transaction;
    one that is not a scores event is returned invalid (the runtime dead-letters it). The
    figure ``alert_decisions`` says how many alerts moved (the sender has work)."""
    invalid, decisions = [], 0
    for record in records:
        try:
            event = StationScoresUpdated.from_json(record.value or b"")
        except InvalidEvent as reason:
            invalid.append(Invalid(record, str(reason)))
            continue
        decisions += len(handle_scores(database, deps, event, clock()))
    return StepResult(invalid, {"alert_decisions": float(decisions)})


def tick(database: AlertsDatabase, deps: Deps, now: datetime) -> list[Outcome]:
    """The timer: judge again every station with an open alert on its latest scores, so
    escalation and resolution happen when no new scores arrive. One transaction per station,
    holding the station's scores row: every member of the group ticks, and a member handling
    the station's scores takes the same row, so one station is judged by one at a time (two
    would both raise, or both escalate, the same alert)."""
    with database.transaction() as alerts:
        codes = alerts.stations_with_open_alerts()
    outcomes = []
    for code in codes:
        with database.transaction() as alerts:
            latest = alerts.latest_scores(code, lock=True)
            if latest is None:
                continue
            computed_at, windows = latest
            outcomes += evaluate_station(alerts, deps, code, windows, computed_at, now)
    return outcomes


def acknowledge(database: AlertsDatabase, alert_id: str, by: str, now: datetime) -> str | None:
    """Acknowledge an alert; its status afterwards (None: no such alert)."""
    with database.transaction() as alerts:
        return alerts.acknowledge(alert_id, by, now)
