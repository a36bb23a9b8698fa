"""``StationsFeed``: a reader of the compacted ``stations`` topic that keeps the whole station
registry in memory (the record and its event are in ``shared.events.stations``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from shared.events import InvalidEvent, StationChanged
from shared.kafka_io import kafka_security
from shared.topics import STATIONS_TOPIC

logger = logging.getLogger(__name__)


def _consumer(bootstrap_servers: str, client_id: str, timeout_s: float = 5.0) -> KafkaConsumer:
    # No group: every reader reads the whole topic for itself and commits nothing.
    timeout_ms = max(1000, int(timeout_s * 1000))
    return KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=timeout_ms,
        # Without it the constructor waits 30 s for an unreachable broker.
        bootstrap_timeout_ms=timeout_ms,
        reconnect_backoff_max_ms=2000,
        **kafka_security(),
    )


class StationsFeed:
    """The registry as last read from the ``stations`` topic, kept current by a daemon thread.

    ``start()`` begins reading from the beginning of the topic (nothing connects before);
    ``get`` and ``stations`` answer from memory and never block on Kafka. Of two records for
    one station the higher revision wins, so replays and duplicates are harmless. A record
    that cannot be parsed is logged and skipped: this is a view, there is nothing to commit.
    If Kafka is unreachable the view stays as it was and the thread retries with a pause.
    ``on_change`` is called from the reader thread with each record that changed the view.

    ``caught_up`` tells that everything on the topic when reading began has been read;
    ``current_at`` when the reader last saw itself at the end of the topic; ``sync`` waits
    until everything on the topic now has been read (a change acknowledged a moment ago).
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        on_change: Callable[[StationChanged], None] | None = None,
        poll_ms: int = 500,
        retry_s: float = 2.0,
        topic: str = STATIONS_TOPIC,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._on_change = on_change
        self._poll_ms = poll_ms
        self._retry_s = retry_s
        self._topic = topic
        self._clock = clock
        self._lock = threading.Lock()
        self._progress = threading.Condition(self._lock)
        self._stations: dict[str, StationChanged] = {}
        self._positions: dict[int, int] = {}  # partition -> next offset to read
        self._current_at = float("-inf")
        self._stop = threading.Event()
        self._caught_up = threading.Event()
        self._thread: threading.Thread | None = None
        self._ends_lock = threading.Lock()
        self._ends_client: KafkaConsumer | None = None

    # -- the view --------------------------------------------------------------------------

    def apply(self, record: StationChanged) -> bool:
        """Take ``record`` into the view unless a record of a higher or equal revision is
        there already; True when the view changed."""
        with self._lock:
            held = self._stations.get(record.code)
            if held is not None and held.revision >= record.revision:
                return False
            self._stations[record.code] = record
        if self._on_change is not None:
            self._on_change(record)
        return True

    def get(self, code: str) -> StationChanged | None:
        with self._lock:
            return self._stations.get(code)

    def stations(self) -> dict[str, StationChanged]:
        """A copy of the whole view, by code."""
        with self._lock:
            return dict(self._stations)

    @property
    def caught_up(self) -> bool:
        """True once everything that was on the topic when reading began has been read."""
        return self._caught_up.is_set()

    def wait_caught_up(self, timeout_s: float) -> bool:
        return self._caught_up.wait(timeout_s)

    @property
    def current_at(self) -> float:
        """The clock's time when the reader last found nothing more to read (-inf: never)."""
        with self._lock:
            return self._current_at

    def sync(self, timeout_s: float) -> bool:
        """Wait until every record on the topic at the time of the call is in the view; False
        when that is not so within ``timeout_s`` (Kafka unreachable, the reader not started
        or still reading)."""
        deadline = self._clock() + timeout_s
        if not self._caught_up.wait(timeout_s):
            return False
        with self._lock:
            partitions = [TopicPartition(self._topic, p) for p in self._positions]
        ends = self._end_offsets(partitions, max(0.0, deadline - self._clock()))
        if ends is None:
            return False
        with self._progress:
            return self._progress.wait_for(
                lambda: all(
                    self._positions.get(tp.partition, -1) >= end for tp, end in ends.items()
                ),
                timeout=max(0.0, deadline - self._clock()),
            )

    def _end_offsets(
        self, partitions: list[TopicPartition], timeout_s: float
    ) -> dict[TopicPartition, int] | None:
        # The reader thread owns its consumer (kafka-python's are not thread-safe): the end
        # offsets are asked for by a client of their own, one caller at a time.
        with self._ends_lock:
            try:
                if self._ends_client is None:
                    self._ends_client = _consumer(
                        self._bootstrap, f"{self._client_id}-ends", timeout_s
                    )
                ends: dict[TopicPartition, int] = self._ends_client.end_offsets(
                    partitions, timeout_ms=max(1, int(timeout_s * 1000))
                )
                return ends
            except KafkaError:
                # The client is kept: it reconnects by itself once the broker is back.
                logger.warning("stations feed: end offsets unknown", exc_info=True)
                return None

    # -- the reader thread -----------------------------------------------------------------

    def start(self) -> None:
        """Start the reader thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name=f"stations-feed-{self._client_id}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        with self._ends_lock:
            if self._ends_client is not None:
                self._ends_client.close()
                self._ends_client = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read()
            except KafkaError:
                logger.warning("stations feed: Kafka unreachable, retrying", exc_info=True)
                self._stop.wait(self._retry_s)

    def _read(self) -> None:
        consumer = _consumer(self._bootstrap, self._client_id)
        try:
            partitions = consumer.partitions_for_topic(self._topic)
            if not partitions:
                logger.warning("stations feed: topic missing", extra={"topic": self._topic})
                self._stop.wait(self._retry_s)
                return
            assigned = [TopicPartition(self._topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            consumer.seek_to_beginning()
            ends = consumer.end_offsets(assigned)
            while not self._stop.is_set():
                began = self._clock()
                for batch in consumer.poll(timeout_ms=self._poll_ms).values():
                    for message in batch:
                        self._take(message.value)
                self._record_progress(consumer, assigned, began)
                if not self.caught_up and all(consumer.position(tp) >= ends[tp] for tp in ends):
                    self._caught_up.set()
                    logger.info("stations feed caught up", extra={"stations": len(self._stations)})
        finally:
            consumer.close()

    def _record_progress(
        self, consumer: KafkaConsumer, assigned: list[TopicPartition], began: float
    ) -> None:
        positions = {tp.partition: consumer.position(tp) for tp in assigned}
        highwaters = [consumer.highwater(tp) for tp in assigned]
        at_end = all(
            hw is not None and positions[tp.partition] >= hw
            for tp, hw in zip(assigned, highwaters, strict=True)
        )
        with self._progress:
            self._positions = positions
            if at_end:
                self._current_at = began
            self._progress.notify_all()

    def _take(self, value: bytes | None) -> None:
        if value is None:
            return  # a true tombstone: we never write them; nothing to learn from one
        try:
            record = StationChanged.from_json(value)
        except InvalidEvent as exc:
            logger.warning("stations feed: unusable record skipped", extra={"reason": str(exc)})
            return
        self.apply(record)
