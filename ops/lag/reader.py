"""Measuring consumer lag: how far each consumer group's committed offsets are behind the
end of each partition, in messages and in seconds.

Used by the ``lag`` command, the operations page's history and the operations service's
``/metrics``. Which groups to ask about, and their topics, come from the caller (the
operations settings, ops/config.py): a group that never committed still has a lag
(everything on its topics), which a listing of commits alone would not show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import RetriableError
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_fixed

from shared.kafka_io import kafka_security

# A consumer group and the topics it reads.
Groups = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class PartitionSample:
    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group has never committed on this partition
    log_end: int
    lag: int
    lag_seconds: float | None  # age of the oldest message not yet consumed; None if no lag
    members: int  # consumers in the group at the time of the sample
    at: float  # when the sample was taken (epoch seconds)


class LagReader:
    """Samples lag for groups; holds an admin client and a plain consumer (no group)."""

    def __init__(self, bootstrap_servers: str, timeout_s: float = 5.0) -> None:
        timeout_ms = int(timeout_s * 1000)
        self._admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id="pratikriya-lag",
            request_timeout_ms=timeout_ms,
            **kafka_security(),
        )
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            client_id="pratikriya-lag",
            group_id=None,
            enable_auto_commit=False,
            request_timeout_ms=max(timeout_ms, 1000) + 500,
            **kafka_security(),
        )

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()

    def _partitions(self, topics: tuple[str, ...]) -> list[TopicPartition]:
        found = []
        for topic in topics:
            for partition in sorted(self._consumer.partitions_for_topic(topic) or ()):
                found.append(TopicPartition(topic, partition))
        return found

    def _oldest_unread_age(self, tp: TopicPartition, offset: int, now: float) -> float | None:
        """Seconds since the message at ``offset`` was written (its Kafka timestamp)."""
        self._consumer.assign([tp])
        self._consumer.seek(tp, offset)
        records = self._consumer.poll(timeout_ms=1000, max_records=1).get(tp, [])
        if not records:
            return None
        return max(0.0, now - records[0].timestamp / 1000)

    # On a broker no group has used yet, the first lookups answer "coordinator not available"
    # while Kafka creates its offsets topic: a few seconds, not an outage.
    @retry(
        retry=retry_if_exception_type(RetriableError),
        stop=stop_after_delay(10),
        wait=wait_fixed(0.5),
        reraise=True,
    )
    def _committed(self, groups: Groups) -> dict:
        return self._admin.list_group_offsets({group: None for group in groups})

    def sample(self, groups: Groups) -> list[PartitionSample]:
        """One sample of every partition of every group's topics (a topic that does not
        exist has none). Raises KafkaError when Kafka cannot be asked."""
        now = time.time()
        committed = self._committed(groups)
        described = self._admin.describe_groups(list(groups))
        samples = []
        for group, topics in groups.items():
            partitions = self._partitions(topics)
            if not partitions:
                continue
            ends = self._consumer.end_offsets(partitions)
            starts = self._consumer.beginning_offsets(partitions)
            members = len((described.get(group) or {}).get("members") or [])
            offsets = committed.get(group) or {}
            for tp in partitions:
                meta = offsets.get(tp)
                position = meta.offset if meta is not None and meta.offset >= 0 else None
                read_from = starts[tp] if position is None else max(position, starts[tp])
                lag = max(0, ends[tp] - read_from)
                age = self._oldest_unread_age(tp, read_from, now) if lag else None
                samples.append(
                    PartitionSample(
                        group, tp.topic, tp.partition, position, ends[tp], lag, age, members, now
                    )
                )
        return samples
