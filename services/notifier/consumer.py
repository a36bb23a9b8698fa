"""The notifier's worker: ``python -m services.notifier.consumer``.

One process, two threads:
* the main loop consumes ``station.scores`` as group ``notifier``, writes each decision and
  its delivery rows in one transaction and only then commits the offset; every ``tick`` it
  runs the rules on the stations with open alerts (escalation, resolution) and beats its
  heartbeat (with the consumer lag) into the database;
* the sender thread sends due deliveries (woken at once when new ones are written).

SIGTERM or SIGINT: both finish what they are doing, the loop commits and closes, the process
exits. A database outage is transient: nothing is committed past the failed event, which is
read again after a pause. A message that is not a scores event goes to ``station.scores.dlq``
with the reason and is committed past.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import UTC, datetime

import psycopg2
from kafka import OffsetAndMetadata
from kafka.errors import KafkaError

from services.notifier import store
from services.notifier.config import NotifierConfig
from services.notifier.recipients import build_directory
from services.notifier.senders import Senders, build_senders
from services.notifier.usecases import Deps, deliver_due, handle_scores, tick
from shared import db, logs
from shared.acked_sender import AckedSender, SendFailed
from shared.events import InvalidEvent, StationScoresUpdated
from shared.kafka_io import manual_consumer
from shared.topics import SCORES_DLQ_TOPIC, SCORES_TOPIC

logger = logging.getLogger(__name__)
GROUP = "notifier"
DLQ_TOPIC = SCORES_DLQ_TOPIC
# Failures worth waiting out: nothing is committed past them.
TRANSIENT = (psycopg2.Error, KafkaError, SendFailed)


def now_utc() -> datetime:
    return datetime.now(UTC)


class SenderThread(threading.Thread):
    """Sends due deliveries until stopped; ``wake()`` after writing new ones."""

    def __init__(self, config: NotifierConfig, senders: Senders, stop: threading.Event) -> None:
        super().__init__(name="notifier-sender", daemon=True)
        self.config, self.senders, self.stop = config, senders, stop
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        conn = None
        while not self.stop.is_set():
            try:
                conn = conn or db.connect(
                    self.config.connections.database_url, application_name="notifier-sender"
                )
                tried = deliver_due(conn, self.config, self.senders, now_utc)
            except psycopg2.Error:
                logger.warning("sender cannot reach the database; retrying", exc_info=True)
                conn = _close(conn)
                tried = 0
            if tried:
                continue
            self._wake.wait(timeout=0.5)
            self._wake.clear()
        _close(conn)


def _close(conn) -> None:
    if conn is not None:
        try:
            conn.close()
        except psycopg2.Error:
            logger.debug("closing a broken connection failed", exc_info=True)


def _lag(consumer) -> int:
    assigned = list(consumer.assignment())
    if not assigned:
        return 0
    ends = consumer.end_offsets(assigned)
    return sum(max(0, ends[tp] - consumer.position(tp)) for tp in assigned)


def run(
    config: NotifierConfig,
    stop: threading.Event | None = None,
    senders: Senders | None = None,
    group: str = GROUP,
) -> None:
    """Consume, decide, tick and send until ``stop`` is set."""
    stop = stop or threading.Event()
    kafka = config.connections.kafka_bootstrap_servers
    directory = build_directory(kafka)
    deps = Deps(config=config, directory=directory)
    senders = senders or build_senders(config.sms, config.smtp, config.delivery.timeout_s)
    consumer = manual_consumer(
        kafka,
        group_id=group,
        topics=[SCORES_TOPIC],
        client_id="notifier",
        max_poll_records=100,
        # A worker that died (SIGKILL, power) is replaced after 10 s rather than kafka-python's
        # 45 s: until then its partitions' scores wait, and so do alerts.
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3_000,
    )
    dlq = AckedSender(kafka, timeout_s=5.0, client_id="notifier-dlq")
    sender = SenderThread(config, senders, stop)
    conn = None
    next_tick = 0.0
    try:
        sender.start()
        while not stop.is_set():
            records = consumer.poll(timeout_ms=200)
            try:
                conn = conn or db.connect(
                    config.connections.database_url, application_name="notifier"
                )
                wrote = _process(conn, deps, consumer, dlq, records)
                if time.monotonic() >= next_tick:
                    wrote |= bool(tick(conn, deps, now_utc()))
                    with db.transaction(conn) as cur:
                        store.heartbeat(cur, now_utc(), _lag(consumer))
                    next_tick = time.monotonic() + config.tick_s
            except TRANSIENT:
                logger.warning(
                    "database or Kafka unavailable; will read the events again", exc_info=True
                )
                conn = _close(conn)
                stop.wait(2.0)
                continue
            if wrote:
                sender.wake()
    finally:
        stop.set()
        sender.join(timeout=config.delivery.timeout_s + 5)
        consumer.close(autocommit=False)
        dlq.close()
        _close(conn)
        directory.close()


def _process(conn, deps: Deps, consumer, dlq, records) -> bool:
    """Handle a poll's records, each in its own transaction, then commit the offsets of those
    handled (one commit per poll, not per event). On a transient failure the handled ones are
    committed, every partition is rewound to its first event not handled, and the error goes
    on: nothing is committed past it."""
    wrote = False
    pending = {tp: list(batch) for tp, batch in records.items()}
    done: dict = {}
    try:
        for tp, batch in pending.items():
            while batch:
                record = batch[0]
                wrote |= _one(conn, deps, dlq, record)
                done[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
                batch.pop(0)
    except TRANSIENT:
        for tp, batch in pending.items():
            if batch:
                consumer.seek(tp, batch[0].offset)
        if done:
            consumer.commit(done)
        raise
    if done:
        consumer.commit(done)
    return wrote


def _one(conn, deps: Deps, dlq, record) -> bool:
    try:
        event = StationScoresUpdated.from_json(record.value)
    except InvalidEvent as invalid:
        logger.error(
            "not a scores event; sent to the dead-letter topic",
            extra={"reason": str(invalid), "offset": record.offset},
        )
        dlq.send_all(
            DLQ_TOPIC,
            [(record.key, record.value)],
            headers=[("reason", str(invalid).encode())],
        )
        return False
    return bool(handle_scores(conn, deps, event, now_utc()))


def main() -> None:
    config = NotifierConfig.from_env()
    logs.configure_logging("notifier-worker", config.log_level)
    stop = threading.Event()

    def shutdown(signum, frame) -> None:
        logger.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    logger.info(
        "notifier worker starting",
        extra={
            "sms": "gateway" if config.sms else "console",
            "email": "smtp" if config.smtp else "console",
        },
    )
    run(config, stop)


if __name__ == "__main__":
    main()
