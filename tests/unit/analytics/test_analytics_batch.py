"""Analytics' batch use case with fakes of its ports, driven through the in-memory broker:
each event counted once however often it is delivered, buckets only for rows really
inserted, poison to the dead-letter topic, a transient fault retried with nothing committed
past it; the sealed name and number opened (across a key rotation) and stored apart, a box
that does not open dead-lettered."""

from __future__ import annotations

import base64
import threading
import uuid
from datetime import timedelta

import pytest

from services.analytics.config import AnalyticsConfig
from services.analytics.domain import RankingPolicy, hour_of
from services.analytics.entrypoints.worker import FeedbackWorker
from services.analytics.usecases import Deps
from shared.config import Connections
from shared.consumer import Message, RetryPolicy, Stopped
from shared.consumer.memory import InMemoryBroker
from shared.events import FeedbackSubmitted, Personal, Sealed, StationScoresUpdated
from shared.sealing import Opener, Sealer, generate
from tests.unit.analytics.fakes import (
    Clock,
    FakeDatabase,
    FakeHealth,
    FakeScoresCache,
    Unreachable,
)
from tests.unit.analytics.purge_fakes import FakeMonths, FakePersonalData, FakeTextKeys

STATION = "GGN-SADAR"
OLD_KEYS, KEYS = generate("k1"), generate("k2")
SEALER = Sealer.from_setting(KEYS.public)
CONFIG = AnalyticsConfig(
    connections=Connections(),
    feedback_topic="feedback.submitted",
    dlq_topic="feedback.dlq",
    scores_topic="station.scores",
    batch_max_events=100,
    batch_max_seconds=0.0,
)


def feedback(rating: int = 4, sealer: Sealer = SEALER, **fields) -> FeedbackSubmitted:
    personal = Personal(fields.pop("mobile", "+919812345678"), fields.pop("name", "Sunita Devi"))
    event_id = fields.pop("event_id", uuid.uuid4())
    values = {
        "event_id": event_id, "station_code": STATION, "qr_version": 1, "rating": rating,
        "sealed": sealer.seal(personal, event_id), "mobile_hash": uuid.uuid4().hex * 2,
        "complaint_type": "theft",
        "staff_available": True, "staff_helped": True, "problem_resolved": rating > 2,
        "submitted_at": Clock().now - timedelta(minutes=5),
    }  # fmt: skip
    values.update(fields)
    return FeedbackSubmitted(**values)


class Pipeline:
    """The worker on fakes: the in-memory broker, database, cache and health."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.broker = InMemoryBroker()
        for name, partitions in (("feedback.submitted", 3), ("feedback.dlq", 1),
                                 ("station.scores", 3)):  # fmt: skip
            self.broker.create_topic(name, partitions)
        self.database = FakeDatabase(stations=[STATION])
        self.cache = FakeScoresCache()
        self.health = FakeHealth()
        self.personal = FakePersonalData()
        self.text_keys = FakeTextKeys()
        self.months = FakeMonths()
        self.stopping = threading.Event()
        self.deps = Deps(
            database=self.database, cache=self.cache, publisher=self.broker,
            policy=RankingPolicy(), scores_topic="station.scores",
            retry=RetryPolicy((Unreachable,), self.stopping, max_pause_s=0.0, first_pause_s=0.0),
            clock=self.clock, opener=Opener.from_setting(f"{KEYS.private},{OLD_KEYS.private}"),
        )  # fmt: skip

    def worker(self) -> FeedbackWorker:
        consumer = self.broker.consumer("analytics", ["feedback.submitted"])
        return FeedbackWorker(
            CONFIG, self.deps, broker=consumer, health=self.health, personal=self.personal,
            text_keys=self.text_keys, months=self.months,
        )  # fmt: skip

    def publish(self, *items: FeedbackSubmitted | bytes) -> None:
        self.broker.publish([
            Message("feedback.submitted", STATION.encode(),
                    item if isinstance(item, bytes) else item.to_json())
            for item in items
        ])  # fmt: skip

    def committed(self) -> int:
        return sum(self.broker.committed.get("analytics", {}).values())

    def end(self) -> int:
        return sum(self.broker.end_offsets("feedback.submitted").values())


@pytest.fixture
def pipeline() -> Pipeline:
    return Pipeline()


def test_an_event_delivered_twice_is_counted_once(pipeline):
    event = feedback(rating=1)
    pipeline.publish(event, feedback(rating=5))
    crashed = pipeline.worker()
    assert crashed.run_once(commit=False) == 2  # stored, then the worker died before commit
    pipeline.publish(event)  # and the producer retried it too

    replaying = pipeline.worker()
    assert replaying.run_once() == 3

    windows = pipeline.cache.read_station(STATION)
    assert windows["24h"].count == 2 and windows["24h"].low_ratings == 1
    assert len(pipeline.database.feedback.facts) == 2
    assert pipeline.committed() == pipeline.end() == 3


def test_buckets_grow_only_by_the_rows_really_inserted(pipeline):
    old = feedback(rating=2)
    pipeline.publish(old)
    pipeline.worker().run_once()
    pipeline.publish(old, feedback(rating=4, cleanliness=5))

    pipeline.worker().run_once()

    [bucket] = pipeline.database.feedback.buckets.values()
    assert (bucket.count, bucket.rating_sum, bucket.cleanliness_count) == (2, 6, 1)
    assert pipeline.health.figures["events_inserted"] == 2  # one per batch, never the repeat
    assert pipeline.health.figures["events_consumed"] == 3


def test_scores_of_the_touched_station_are_published_after_the_batch(pipeline):
    pipeline.publish(feedback(rating=1), feedback(rating=3))

    pipeline.worker().run_once()

    mine = [r for r in pipeline.broker.records("station.scores") if r.key == STATION.encode()]
    latest = StationScoresUpdated.from_json(mine[-1].value)
    assert (latest.windows["24h"].count, latest.windows["24h"].low_ratings) == (2, 1)


def test_poison_goes_to_the_dead_letter_topic_and_the_line_keeps_moving(pipeline):
    pipeline.publish(b"{not json", feedback(station_code="NO-SUCH-PS"), feedback())

    pipeline.worker().run_once()

    letters = pipeline.broker.records("feedback.dlq")
    reasons = sorted(dict(r.headers)["dlq.reason"].decode() for r in letters)
    assert reasons[0].startswith("not JSON")
    assert reasons[1] == "unknown station NO-SUCH-PS"
    assert b"{not json" in {r.value for r in letters}  # the original value, unchanged
    assert {dict(r.headers)["dlq.origin.topic"] for r in letters} == {b"feedback.submitted"}
    assert pipeline.cache.read_station(STATION)["24h"].count == 1
    assert pipeline.health.figures["dlq:not_json"] == pipeline.health.figures[
        "dlq:unknown_station"] == 1  # fmt: skip
    assert pipeline.committed() == pipeline.end() == 3


def test_a_transient_fault_is_retried_and_the_batch_committed_once_it_passes(pipeline):
    worker = pipeline.worker()
    worker.run_once()  # the start-up rebuild
    pipeline.publish(feedback(), feedback())
    pipeline.database.fail_next = 3

    assert worker.run_once() == 2

    assert pipeline.database.failures == 3
    assert pipeline.cache.read_station(STATION)["24h"].count == 2
    assert pipeline.committed() == 2


def test_a_fault_that_outlasts_the_worker_commits_nothing_past_it(pipeline):
    worker = pipeline.worker()
    worker.run_once()
    pipeline.publish(feedback(), feedback())
    pipeline.database.fail_next = 10**9
    original = pipeline.database.transaction

    def failing_then_stop():
        if pipeline.database.failures >= 3:
            pipeline.stopping.set()  # as SIGTERM would, while it waits
        return original()

    pipeline.database.transaction = failing_then_stop  # type: ignore[method-assign]

    with pytest.raises(Stopped):
        worker.run_once()
    assert pipeline.committed() == 0
    assert pipeline.cache.read_station(STATION)["24h"].count == 0


def test_an_hour_later_the_station_s_window_slides_without_new_feedback(pipeline):
    pipeline.publish(feedback(submitted_at=pipeline.clock.now - timedelta(hours=23)))
    worker = pipeline.worker()
    worker.run_once()
    assert pipeline.cache.read_station(STATION)["24h"].count == 1

    pipeline.clock.now += timedelta(hours=1)
    worker.refresh()

    assert hour_of(pipeline.clock.now) != hour_of(pipeline.clock.now - timedelta(hours=1))
    assert pipeline.cache.read_station(STATION)["24h"].count == 0
    assert pipeline.cache.read_station(STATION)["7d"].count == 1


def test_the_sealed_name_and_number_are_opened_and_stored_apart_from_the_facts(pipeline):
    event = feedback(name="कमला देवी", mobile="+919000000007")
    pipeline.publish(event)

    pipeline.worker().run_once()

    stored = pipeline.database.feedback
    assert stored.personal[event.event_id] == Personal("+919000000007", "कमला देवी")
    assert stored.facts[event.event_id].facts()["rating"] == 4


def test_after_a_key_rotation_events_sealed_with_the_old_key_still_open(pipeline):
    before = feedback(sealer=Sealer.from_setting(OLD_KEYS.public), mobile="+919000000001")
    after = feedback(mobile="+919000000002")
    pipeline.publish(before, after)

    pipeline.worker().run_once()

    personal = pipeline.database.feedback.personal
    assert personal[before.event_id].mobile == "+919000000001"
    assert personal[after.event_id].mobile == "+919000000002"
    assert pipeline.broker.records("feedback.dlq") == []
    assert pipeline.cache.read_station(STATION)["24h"].count == 2


def test_a_box_that_does_not_open_goes_to_the_dead_letter_topic_counted_nowhere(pipeline):
    unknown = feedback(sealer=Sealer.from_setting(generate("k9").public))
    sealed = feedback().sealed
    raw = bytearray(base64.b64decode(sealed.box))
    raw[0] ^= 1
    tampered = feedback(sealed=Sealed(sealed.kid, base64.b64encode(bytes(raw)).decode()))
    good = feedback()
    pipeline.publish(unknown, tampered, good)

    pipeline.worker().run_once()
    pipeline.publish(unknown)  # delivered again: still not counted
    pipeline.worker().run_once()

    letters = pipeline.broker.records("feedback.dlq")
    reasons = sorted(dict(r.headers)["dlq.reason"].decode() for r in letters)
    assert reasons == [
        "sealed personal data: the box of key k2 does not open",
        "sealed personal data: unknown key k9",
        "sealed personal data: unknown key k9",
    ]
    assert {r.value for r in letters} == {unknown.to_json(), tampered.to_json()}
    assert set(pipeline.database.feedback.facts) == {good.event_id}
    assert pipeline.cache.read_station(STATION)["24h"].count == 1
    assert pipeline.health.figures["dlq:sealed"] == 3
    assert pipeline.committed() == pipeline.end() == 4


def test_the_worker_will_not_start_without_a_private_key_and_reads_them_from_the_env():
    from services.analytics.entrypoints.worker import build_deps
    from shared.sealing import SealKeyError

    with pytest.raises(SealKeyError):
        build_deps(CONFIG)
    config = AnalyticsConfig.from_env({"ANALYTICS_SEAL_KEYS": f"{KEYS.private},{OLD_KEYS.private}"})
    assert config.seal_keys == f"{KEYS.private},{OLD_KEYS.private}"
    assert AnalyticsConfig.from_env({}).seal_keys == ""  # the web app needs none


def test_the_worker_keys_feedback_stored_before_the_text_keys_on_its_timer_and_closes_them():
    pipeline = Pipeline()
    pipeline.text_keys.stale = CONFIG.rekey_batch_rows * 2 + 5
    pipeline.publish(feedback())
    worker = pipeline.worker()

    worker.run_once()
    worker.close()

    assert pipeline.text_keys.stale == 0
    assert pipeline.text_keys.closed


def test_the_worker_makes_the_feedback_months_ahead_before_its_first_batch_and_closes_them():
    pipeline = Pipeline()
    pipeline.publish(feedback())
    worker = pipeline.worker()

    worker.run_once()
    worker.run_once()  # the timer is hours long: asked once
    worker.close()

    assert pipeline.months.asked == [(pipeline.clock().date(), 2)]
    assert pipeline.months.closed
