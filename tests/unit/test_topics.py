"""The registry of topics: every topic once, with the settings the broker gets at creation,
the event its values hold and a dead-letter topic that exists."""

from __future__ import annotations

from dataclasses import Field, fields
from typing import Any

from services.intake.config import IntakeConfig
from shared.events import FeedbackSubmitted, StationChanged, StationScoresUpdated
from shared.topics import (
    BY_NAME,
    DEAD_LETTER_TOPICS,
    FEEDBACK_DLQ_TOPIC,
    FEEDBACK_TOPIC,
    SCORES_DLQ_TOPIC,
    SCORES_TOPIC,
    STATIONS_TOPIC,
    TOPICS,
    TopicSpec,
)

DAY_MS = 24 * 3600 * 1000


def fields_of(cls: Any) -> dict[str, Field]:
    return {f.name: f for f in fields(cls)}


def test_the_topics_are_the_five_of_the_contract_with_their_partitions() -> None:
    assert {t.name: t.partitions for t in TOPICS} == {
        "feedback.submitted": 12,
        "feedback.dlq": 3,
        "station.scores": 12,
        "station.scores.dlq": 3,
        "stations": 3,
    }
    assert len(BY_NAME) == len(TOPICS)


def test_each_topic_is_created_with_the_retention_and_cleanup_it_always_had() -> None:
    assert BY_NAME[FEEDBACK_TOPIC].config == {"retention.ms": str(30 * DAY_MS)}
    assert BY_NAME[FEEDBACK_DLQ_TOPIC].config == {"retention.ms": str(90 * DAY_MS)}
    assert BY_NAME[SCORES_TOPIC].config == {}  # the broker's default
    assert BY_NAME[SCORES_DLQ_TOPIC].config == {"retention.ms": str(90 * DAY_MS)}
    assert BY_NAME[STATIONS_TOPIC].config == {"cleanup.policy": "compact"}


def test_each_event_topic_names_its_event_and_each_dead_letter_topic_is_in_the_registry() -> None:
    assert BY_NAME[FEEDBACK_TOPIC].event is FeedbackSubmitted
    assert BY_NAME[SCORES_TOPIC].event is StationScoresUpdated
    assert BY_NAME[STATIONS_TOPIC].event is StationChanged
    assert DEAD_LETTER_TOPICS == (FEEDBACK_DLQ_TOPIC, SCORES_DLQ_TOPIC)
    assert all(name in BY_NAME and BY_NAME[name].event is None for name in DEAD_LETTER_TOPICS)


def test_a_topic_of_a_test_or_benchmark_needs_only_a_name_and_partitions() -> None:
    assert TopicSpec("bench.feedback.x", 12).config == {}


def test_no_topic_with_personal_data_keeps_it_longer_than_the_purge_period() -> None:
    """The purge removes names and numbers after PERSONAL_DATA_RETENTION_DAYS; a topic that
    holds them (sealed, but still theirs) must have dropped them by then, and never keep
    them for the broker's default or forever (compaction)."""
    purge_days = fields_of(IntakeConfig)["retention_days"].default
    personal = {t.name for t in TOPICS if t.personal}

    assert personal == {FEEDBACK_TOPIC, FEEDBACK_DLQ_TOPIC}
    for spec in TOPICS:
        if spec.personal:
            assert spec.retention_days is not None and spec.retention_days <= purge_days
            assert not spec.compacted
