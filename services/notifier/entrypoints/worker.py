"""The notifier's worker: ``python -m services.notifier.entrypoints.worker``.

One process, two threads:
* the main thread runs the shared consumer loop on ``station.scores`` as group
  ``notifier``: each event's decision and delivery rows are written in one transaction
  (``usecases.handle_records``), the batch's offsets committed only after it; every
  ``tick`` it runs the rules on the stations with open alerts (escalation, resolution); the
  runtime beats the worker's heartbeat (with the lag) into the database;
  every ``directions_check_s`` it notices the overdue directions (``usecases.overdue``);
* the sender thread sends due deliveries, the alerts' and the overdue directions' (woken at
  once when new ones are written).

SIGTERM or SIGINT: both finish what they are doing, the loop commits and closes, the process
exits. A database or Kafka outage is transient: the batch in hand is retried with backoff
and nothing is committed past it. A message that is not a scores event goes to
``station.scores.dlq`` in the common envelope and is committed past.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import psycopg2
from kafka.errors import KafkaError

from services.notifier.adapters.console import ConsoleSender
from services.notifier.adapters.digest_postgres import PostgresDigestOutbox
from services.notifier.adapters.directions_postgres import PostgresDirections
from services.notifier.adapters.postgres import PostgresAlerts
from services.notifier.adapters.sms import HttpSmsSender
from services.notifier.adapters.smtp import SmtpSender
from services.notifier.adapters.stations import FeedDirectory, build_directory
from services.notifier.config import NotifierConfig, SmsGateway, SmtpServer
from services.notifier.digest_mail import DigestMailer, DigestMailSettings, check, send_due
from services.notifier.ports import Senders
from services.notifier.usecases import Deps, deliver_due, handle_records, tick
from services.notifier.usecases.overdue import notice_overdue
from shared import db, logs
from shared.acked_sender import AckedSender, SendFailed
from shared.clock import utc_now
from shared.consumer import ConsumerLoop, LoopSettings, Periodic, Record, RetryPolicy, StepResult
from shared.consumer.health import HealthReporter
from shared.consumer.kafka_broker import KafkaBroker
from shared.consumer.signals import stop_on_signals
from shared.india import today_in_india
from shared.topics import SCORES_DLQ_TOPIC, SCORES_TOPIC

logger = logging.getLogger(__name__)
GROUP = "notifier"
DLQ_TOPIC = SCORES_DLQ_TOPIC
# Failures worth waiting out: nothing is committed past them.
TRANSIENT = (psycopg2.OperationalError, psycopg2.InterfaceError, KafkaError, SendFailed)


def build_senders(sms: SmsGateway | None, smtp: SmtpServer | None, timeout_s: float) -> Senders:
    console = ConsoleSender()
    return Senders(
        sms=HttpSmsSender(sms, timeout_s) if sms else console,
        email=SmtpSender(smtp, timeout_s) if smtp else console,
    )


class SenderThread(threading.Thread):
    """Sends due deliveries until stopped; ``wake()`` after writing new ones."""

    def __init__(self, config: NotifierConfig, senders: Senders, stop: threading.Event) -> None:
        super().__init__(name="notifier-sender", daemon=True)
        self.config, self.senders, self.stop = config, senders, stop
        self._wake = threading.Event()
        url = config.connections.database_url
        self.alerts = PostgresAlerts(lambda: db.connect(url, application_name="notifier-sender"))
        self.directions = PostgresDirections(
            lambda: db.connect(url, application_name="notifier-sender")
        )

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                tried = deliver_due(self.alerts, self.config, self.senders, utc_now)
                tried += deliver_due(self.directions, self.config, self.senders, utc_now)
            except psycopg2.Error:
                logger.warning("sender cannot reach the database; retrying", exc_info=True)
                self.alerts.close()
                self.directions.close()
                tried = 0
            if tried:
                continue
            self._wake.wait(timeout=0.5)
            self._wake.clear()
        self.alerts.close()
        self.directions.close()


class ScoresWorker:
    """The consumer loop's step and timer over ``alerts``; wakes ``sender`` after writes."""

    def __init__(
        self, alerts: PostgresAlerts, deps: Deps, sender: SenderThread,
        directions: PostgresDirections | None = None, directory: FeedDirectory | None = None,
    ) -> None:  # fmt: skip
        self.alerts, self.deps, self.sender = alerts, deps, sender
        self.directions, self.directory = directions, directory

    def step(self, records: Sequence[Record]) -> StepResult:
        result = handle_records(self.alerts, self.deps, records, utc_now)
        if result.figures.get("alert_decisions"):
            self.sender.wake()
        return result

    def tick(self) -> None:
        if tick(self.alerts, self.deps, utc_now()):
            self.sender.wake()

    def check_directions(self) -> None:
        """Notice the overdue directions (once each) and wake the sender."""
        assert self.directions is not None and self.directory is not None
        if notice_overdue(self.directions, self.directory, self.deps.config, today_in_india()):
            self.sender.wake()


def digest_mailer(
    config: NotifierConfig, settings: DigestMailSettings, senders: Senders, stop: threading.Event
) -> tuple[DigestMailer, PostgresDigestOutbox]:
    """The weekly digest's timer thread (``digest_mail``) and its outbox connection."""
    url = config.connections.database_url
    outbox = PostgresDigestOutbox(lambda: db.connect(url, application_name="notifier-digest"))

    def step() -> None:
        check(outbox, settings, utc_now())
        while send_due(outbox, settings, config.delivery, senders.email, utc_now):
            pass

    return DigestMailer(step, settings.check_every_s, stop), outbox


def run(
    config: NotifierConfig,
    stop: threading.Event | None = None,
    senders: Senders | None = None,
    group: str = GROUP,
    digest: DigestMailSettings | None = None,
) -> None:
    """Consume, decide, tick and send until ``stop`` is set."""
    stop = stop or threading.Event()
    kafka, url = config.connections.kafka_bootstrap_servers, config.connections.database_url
    directory = build_directory(kafka)
    senders = senders or build_senders(config.sms, config.smtp, config.delivery.timeout_s)
    alerts = PostgresAlerts(lambda: db.connect(url, application_name="notifier"))
    health = HealthReporter(lambda: db.connect(url, application_name="notifier"), group)
    dlq = AckedSender(kafka, timeout_s=5.0, client_id="notifier-dlq")
    directions = PostgresDirections(lambda: db.connect(url, application_name="notifier"))
    sender = SenderThread(config, senders, stop)
    mailer, digest_outbox = digest_mailer(
        config, digest or DigestMailSettings.from_env(), senders, stop
    )
    worker = ScoresWorker(
        alerts, Deps(config=config, directory=directory), sender, directions, directory
    )
    broker = KafkaBroker(
        kafka, group_id=group, topics=[SCORES_TOPIC], client_id="notifier", max_poll_records=100
    )
    loop = ConsumerLoop(
        broker, worker.step, dlq, RetryPolicy(TRANSIENT, stop, max_pause_s=2.0),
        LoopSettings(DLQ_TOPIC, batch_max_records=100, batch_max_seconds=0.2,
                     heartbeat_s=min(config.tick_s, 10.0)),
        health=health, periodic=[
            Periodic("tick", config.tick_s, worker.tick),
            Periodic("directions", config.directions_check_s, worker.check_directions),
        ],
    )  # fmt: skip
    try:
        sender.start()
        mailer.start()
        loop.run()
    finally:
        stop.set()
        sender.join(timeout=config.delivery.timeout_s + 5)
        mailer.join(timeout=config.delivery.timeout_s + 5)
        digest_outbox.close()
        dlq.close()
        alerts.close()
        directions.close()
        health.close()
        directory.close()


def main() -> None:
    config = NotifierConfig.from_env()
    logs.configure_logging("notifier-worker", config.log_level)
    stop = stop_on_signals(threading.Event())
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
