"""Every Kafka topic of the system, in one registry: its name, partitions, retention, the
event its values hold and where messages go that can never be processed.

``ensure_topics`` creates what is missing from this registry (``./pratikriya up`` and the
test command run it); producers and consumers name topics by the constants below, never by
a literal.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.events import FeedbackSubmitted, StationChanged, StationScoresUpdated
from shared.kafka_io import kafka_security

FEEDBACK_TOPIC = "feedback.submitted"
FEEDBACK_DLQ_TOPIC = "feedback.dlq"
SCORES_TOPIC = "station.scores"
SCORES_DLQ_TOPIC = "station.scores.dlq"
STATIONS_TOPIC = "stations"

_DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    """One topic. ``event`` is the type whose ``from_json`` reads its values (None for a
    dead-letter topic: it holds the refused messages as they came); ``dead_letter`` is the
    topic its consumers send those to (None where a reader only skips them)."""

    name: str
    partitions: int
    retention_days: int | None = None  # None: the broker's default (7 days)
    compacted: bool = False
    event: type | None = None
    dead_letter: str | None = None
    # Holds visitors' names and numbers (sealed): kept no longer than the purge period.
    personal: bool = False

    @property
    def config(self) -> dict[str, str]:
        """The topic-level settings the broker is given at creation."""
        config = {}
        if self.retention_days is not None:
            config["retention.ms"] = str(self.retention_days * _DAY_MS)
        if self.compacted:
            config["cleanup.policy"] = "compact"
        return config


# Partition counts are fixed here, not left to broker defaults: keys (station codes) map to
# partitions by count, so changing it later reorders a station's events.
TOPICS = (
    TopicSpec(
        FEEDBACK_TOPIC,
        12,
        30,
        event=FeedbackSubmitted,
        dead_letter=FEEDBACK_DLQ_TOPIC,
        personal=True,
    ),
    TopicSpec(FEEDBACK_DLQ_TOPIC, 3, 90, personal=True),
    TopicSpec(SCORES_TOPIC, 12, event=StationScoresUpdated, dead_letter=SCORES_DLQ_TOPIC),
    TopicSpec(SCORES_DLQ_TOPIC, 3, 90),
    # The whole registry, one record per station: readers skip a record they cannot use.
    TopicSpec(STATIONS_TOPIC, 3, compacted=True, event=StationChanged),
)
BY_NAME = {spec.name: spec for spec in TOPICS}
DEAD_LETTER_TOPICS = tuple(spec.dead_letter for spec in TOPICS if spec.dead_letter)


def ensure_topics(
    bootstrap_servers: str,
    replication_factor: int = 1,
    topics: tuple[TopicSpec, ...] = TOPICS,
    client_id: str = "pratikriya-setup",
    min_insync_replicas: int = 1,
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created now. On a cluster
    (replication factor 3) ``min_insync_replicas`` 2 makes an acks=all write wait for two."""
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap_servers, client_id=client_id, **kafka_security()
    )
    try:
        existing = set(admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        for spec in missing:
            # Another process may create it between list and create: that is what we wanted.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [
                        NewTopic(
                            spec.name,
                            num_partitions=spec.partitions,
                            replication_factor=replication_factor,
                            topic_configs={
                                **spec.config,
                                **(
                                    {"min.insync.replicas": str(min_insync_replicas)}
                                    if min_insync_replicas > 1
                                    else {}
                                ),
                            },
                        )
                    ]
                )
        return [t.name for t in missing]
    finally:
        admin.close()
