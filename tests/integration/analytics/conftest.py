"""Fixtures for the analytics consumer on the real servers: topics, consumer group and Redis
prefix of each test's own, so tests neither see nor disturb one another."""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from kafka import KafkaProducer

from shared.events import FeedbackSubmitted
from shared.kafka_io import kafka_security
from shared.topics import TopicSpec, ensure_topics
from tests.support import TopicTail, seal, unique_mobile


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def topics(infra) -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    names = {
        "feedback": f"test.feedback.{tag}",
        "dlq": f"test.dlq.{tag}",
        "scores": f"test.scores.{tag}",
    }
    ensure_topics(
        infra["KAFKA_BOOTSTRAP_SERVERS"],
        topics=tuple(TopicSpec(name, 3) for name in names.values()),
    )
    return names


@pytest.fixture
def analytics_config(infra, topics):
    from services.analytics.config import AnalyticsConfig

    return AnalyticsConfig.from_env(
        infra,
        feedback_topic=topics["feedback"],
        dlq_topic=topics["dlq"],
        scores_topic=topics["scores"],
        group_id=f"test-analytics-{uuid.uuid4().hex[:8]}",
        redis_prefix=f"test-analytics-{uuid.uuid4().hex[:8]}",
        batch_max_events=50,
        batch_max_seconds=0.2,
        retry_max_pause_s=0.2,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture
def make_consumer(analytics_config, clock):
    """Consumers of the test's group, closed at the end."""
    from services.analytics.entrypoints.worker import FeedbackWorker, build_deps

    made = []

    def make(config=None, **deps_overrides):
        config = config or analytics_config
        deps = build_deps(config, clock=clock, **deps_overrides)
        consumer = FeedbackWorker(config, deps)
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        with contextlib.suppress(Exception):  # already closed by the test
            consumer.close()


@pytest.fixture
def producer(infra):
    producer = KafkaProducer(
        bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], acks="all", **kafka_security()
    )
    yield producer
    producer.close()


@pytest.fixture
def publish(producer, topics):
    """Put events (or raw bytes, keyed by a station code) on the test's feedback topic."""

    def send(*items, key: bytes = b"X") -> None:
        for item in items:
            if isinstance(item, FeedbackSubmitted):
                producer.send(topics["feedback"], key=item.key, value=item.to_json())
            else:
                producer.send(topics["feedback"], key=key, value=item)
        producer.flush()

    return send


@pytest.fixture
def scores_tail(infra, topics):
    tail = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], topics["scores"])
    yield tail
    tail.close()


@pytest.fixture
def feedback_tail(infra, topics):
    tail = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], topics["feedback"])
    yield tail
    tail.close()


@pytest.fixture
def dlq_tail(infra, topics):
    tail = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], topics["dlq"])
    yield tail
    tail.close()


@dataclass(frozen=True)
class MadeEvent(FeedbackSubmitted):
    """An event as a test made it: on the wire only the sealed box (``to_json`` is the
    event's), and beside it the clear name and number the test sealed, for its assertions."""

    name: str | None = None
    mobile: str = ""


def make_event(station_code: str, **fields) -> MadeEvent:
    name = fields.pop("name", "Sunita Devi")
    mobile = fields.pop("mobile", "+91" + unique_mobile())
    event_id = fields.pop("event_id", uuid.uuid4())
    values = {
        "event_id": event_id,
        "station_code": station_code,
        "qr_version": 1,
        "rating": 4,
        "name": name,
        "mobile": mobile,
        "sealed": seal(event_id, mobile, name),
        "mobile_hash": uuid.uuid4().hex + uuid.uuid4().hex,
        "complaint_type": "theft",
        "staff_available": True,
        "staff_helped": True,
        "problem_resolved": True,
        "officer_name": "SI Ramesh",
        "comments": "ठीक है",
        "cleanliness": 4,
    }
    values.update(fields)
    return MadeEvent(**values)


def drain(consumer, expected: int, max_batches: int = 200) -> int:
    """Run batches until ``expected`` records were processed; returns how many were."""
    seen = 0
    for _ in range(max_batches):
        seen += consumer.run_once()
        if seen >= expected:
            return seen
    raise AssertionError(f"only {seen} of {expected} records arrived")


@pytest.fixture
def police_app(analytics_config):
    """The analytics HTTP app in-process, its gate on the real database."""
    from services.analytics.entrypoints.http import create_app

    return create_app(analytics_config)


def signed_in(app, who) -> tuple[object, str]:
    """A test client of ``app`` signed in through /login as ``who`` (a tests.police Officer),
    and the CSRF token its forms carry."""
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={
        "username": who.username, "password": who.password, "csrf_token": _csrf(login),
    })  # fmt: skip
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client, _csrf(client.get("/account/password").get_data(as_text=True))


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found[1]
