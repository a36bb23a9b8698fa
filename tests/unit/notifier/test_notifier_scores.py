"""The notifier's scores handling with fakes of its ports, driven through the in-memory
broker and the consumer runtime: a spike raises one alert with its deliveries, the cooldown
holds repeats back, a bad message goes to the dead-letter topic, a transient fault is
retried without a second alert."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier import usecases
from services.notifier.config import NotifierConfig
from services.notifier.domain import RuleSettings
from services.notifier.ports import Senders
from shared.consumer import ConsumerLoop, LoopSettings, Message, RetryPolicy
from shared.consumer.memory import InMemoryBroker
from shared.events import StationScoresUpdated
from shared.scores import WindowStats
from tests.unit.notifier.fakes import (
    SHO,
    FakeAlerts,
    FakeDirectory,
    KeepingSender,
    Unreachable,
    station,
)

CODE = "GGN-SADAR"
START = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
USUAL = WindowStats(count=300, unresolved=30, low_ratings=30)
RULES = RuleSettings(
    cooldown=timedelta(hours=6), escalation_delays=(timedelta(days=3), timedelta(days=3))
)


def scores(at: datetime, count: int = 12, unresolved: int = 7, code: str = CODE) -> bytes:
    recent = WindowStats(count=count, unresolved=unresolved)
    return StationScoresUpdated(
        station_code=code, computed_at=at,
        windows={"1h": WindowStats(), "24h": recent, "baseline_30d": USUAL},
    ).to_json()  # fmt: skip


class Notifier:
    """The worker's step on fakes, consuming station.scores from the in-memory broker."""

    def __init__(self) -> None:
        self.now = START
        self.alerts = FakeAlerts()
        config = NotifierConfig.from_env({"QR_SIGNING_KEY": "q" * 20}, rules=RULES)
        self.config = config
        self.deps = usecases.Deps(config, FakeDirectory({CODE: station(CODE)}))
        self.broker = InMemoryBroker()
        self.broker.create_topic("station.scores", 3)
        self.broker.create_topic("station.scores.dlq", 1)
        retry = RetryPolicy((Unreachable,), threading.Event(), max_pause_s=0.0, first_pause_s=0.0)
        self.loop = ConsumerLoop(
            self.broker.consumer("notifier", ["station.scores"]),
            lambda records: usecases.handle_records(self.alerts, self.deps, records, self.clock),
            self.broker, retry, LoopSettings("station.scores.dlq", batch_max_seconds=0.0),
        )  # fmt: skip

    def clock(self) -> datetime:
        return self.now

    def receive(self, *values: bytes) -> int:
        self.broker.publish([Message("station.scores", CODE.encode(), v) for v in values])
        return self.loop.run_once()

    @property
    def repository(self):
        return self.alerts.repository

    def deliveries(self) -> list[tuple[str, str, int]]:
        return sorted((d.channel, d.role, d.notice) for d in self.repository.deliveries.values())

    def committed(self) -> int:
        return sum(self.broker.committed.get("notifier", {}).values())


@pytest.fixture
def notifier() -> Notifier:
    return Notifier()


def test_a_spike_raises_one_alert_with_an_sms_and_an_email_for_the_sho(notifier):
    notifier.receive(scores(START))

    [alert] = notifier.repository.alerts.values()
    assert (alert.station_code, alert.rule, alert.status, alert.level) == (
        CODE, "unresolved", "open", 0,
    )  # fmt: skip
    assert alert.observed["part"] == 7 and alert.observed["count"] == 12
    assert notifier.deliveries() == [("email", "sho", 1), ("sms", "sho", 1)]
    sms = next(d for d in notifier.repository.deliveries.values() if d.channel == "sms")
    assert sms.address == SHO.mobile and "7" in sms.body
    assert notifier.committed() == 1


def test_the_same_event_again_changes_nothing(notifier):
    event = scores(START)
    notifier.receive(event)

    notifier.receive(event)

    assert len(notifier.repository.alerts) == 1
    assert len(notifier.deliveries()) == 2


def test_within_the_cooldown_a_still_high_station_is_not_told_again_and_after_it_once(
    notifier,
):
    notifier.receive(scores(START))
    notifier.now = START + timedelta(hours=1)
    notifier.receive(scores(START + timedelta(hours=1), count=13, unresolved=7))

    assert notifier.deliveries() == [("email", "sho", 1), ("sms", "sho", 1)]

    notifier.now = START + timedelta(hours=7)
    notifier.receive(scores(START + timedelta(hours=7), count=13, unresolved=7))

    assert len(notifier.repository.alerts) == 1
    assert notifier.deliveries() == [
        ("email", "sho", 1), ("email", "sho", 2), ("sms", "sho", 1), ("sms", "sho", 2),
    ]  # fmt: skip


def test_a_message_that_is_not_a_scores_event_goes_to_the_dead_letter_topic(notifier):
    assert notifier.receive(b"{not json", scores(START)) == 2

    [letter] = notifier.broker.records("station.scores.dlq")
    headers = dict(letter.headers)
    assert letter.value == b"{not json" and letter.key == CODE.encode()
    assert headers["dlq.reason"].startswith(b"not a station scores event")
    assert headers["dlq.origin.topic"] == b"station.scores"
    assert len(notifier.repository.alerts) == 1
    assert notifier.committed() == 2


def test_a_database_outage_is_retried_and_raises_no_second_alert(notifier):
    notifier.alerts.fail_next = 2

    notifier.receive(scores(START), scores(START + timedelta(minutes=1), count=13))

    assert len(notifier.repository.alerts) == 1
    assert len(notifier.deliveries()) == 2
    assert notifier.committed() == 2


def test_due_deliveries_are_sent_once_and_marked_sent(notifier):
    notifier.receive(scores(START))
    sms, email = KeepingSender(), KeepingSender()

    tried = usecases.deliver_due(
        notifier.alerts, notifier.config, Senders(sms, email), notifier.clock
    )

    assert tried == 2
    assert [m.address for m in sms.sent] == [SHO.mobile]
    assert [m.address for m in email.sent] == [SHO.email]
    assert {d.status for d in notifier.repository.deliveries.values()} == {"sent"}
    assert (
        usecases.deliver_due(notifier.alerts, notifier.config, Senders(sms, email), notifier.clock)
        == 0
    )
