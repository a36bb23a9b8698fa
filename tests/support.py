"""Helpers for tests that use the real servers: test stations, reading topics, waiting."""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from kafka import KafkaConsumer, TopicPartition

from shared import db
from shared.acked_sender import AckedSender
from shared.events import Contact, Personal, Sealed, StationChanged
from shared.kafka_io import kafka_security
from shared.sealing import Opener, Sealer
from shared.signing import sign
from shared.topics import STATIONS_TOPIC

T = TypeVar("T")


def unique_code(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def unique_mobile() -> str:
    return "9" + str(uuid.uuid4().int)[:9]


def create_station(database_url: str, *, zone: str = "East", **fields: Any) -> dict[str, Any]:
    """A station of its own for one test, straight into the registry and, as the QR service
    would announce it, onto the stations topic."""
    code = fields.pop("code", None) or unique_code()
    row = {
        "code": code,
        "name_en": f"Test station {code}",
        "name_hi": f"परीक्षण थाना {code}",
        "zone": zone,
        "qr_version": 1,
        "active": True,
        **fields,
    }
    columns = ", ".join(row)
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            f"INSERT INTO stations ({columns}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
            list(row.values()),
        )
    publish_station(database_url, code, "created")
    return row


def update_station(database_url: str, code: str, **fields: Any) -> None:
    """Change a station's row, then publish its record as the QR service would."""
    sets = ", ".join(f"{k} = %s" for k in fields)
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            f"UPDATE stations SET {sets} WHERE code = %s",  # noqa: S608
            [*fields.values(), code],
        )
    publish_station(database_url, code, "updated")


@functools.cache
def _stations_sender() -> AckedSender:
    # One producer for the whole run: connecting one per test station would cost more than
    # the test.
    return AckedSender(os.environ["KAFKA_BOOTSTRAP_SERVERS"], 10.0, "tests-stations")


def publish_station(database_url: str, code: str, change: str) -> StationChanged:
    """The station's row, with its zone's contacts, onto the stations topic (acknowledged)."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT s.code, s.name_en, s.name_hi, s.zone, s.active, s.qr_version, s.revision,"
            " s.kind, s.address, s.sho_name, s.sho_mobile, s.sho_email,"
            " z.acp_name, z.acp_mobile, z.acp_email, z.dcp_name, z.dcp_mobile, z.dcp_email"
            " FROM stations s LEFT JOIN zones z ON z.code = s.zone WHERE s.code = %s",
            (code,),
        )
        row = cur.fetchone()
    assert row is not None, f"no station {code}"
    people = [value or "" for value in row[9:]]
    record = StationChanged(
        change=change, code=row[0], name_en=row[1], name_hi=row[2], zone=row[3],
        active=row[4], qr_version=row[5], revision=row[6], kind=row[7], address=row[8],
        sho=Contact(*people[0:3]), acp=Contact(*people[3:6]), dcp=Contact(*people[6:9]),
    )  # fmt: skip
    _stations_sender().send_all(STATIONS_TOPIC, [(record.key, record.to_json())])
    return record


@functools.cache
def stack_seal_keys() -> tuple[str, str]:
    """The test stack's sealing keys as ``./pratikriya test`` made them: the intake setting
    (public key) and the analytics one (private keys)."""
    from ops import cli
    from ops.stack import StackConfig

    cfg = StackConfig.from_env()
    env = cli.service_env(cfg)
    cli.ensure_secrets(cfg, env)
    return env["INTAKE_SEAL_PUBLIC_KEY"], env["ANALYTICS_SEAL_KEYS"]


def seal(event_id: uuid.UUID, mobile: str, name: str | None = None) -> Sealed:
    """A name and number sealed for the test stack's analytics consumer, in ``event_id``."""
    return Sealer.from_setting(stack_seal_keys()[0]).seal(Personal(mobile, name), event_id)


def open_sealed(event: dict[str, Any]) -> Personal:
    """The name and number in an event read off a topic (as JSON), opened with the test
    stack's analytics keys."""
    box = Sealed(**event["sealed"])
    return Opener.from_setting(stack_seal_keys()[1]).open(box, uuid.UUID(event["event_id"]))


def feedback_body(station: dict[str, Any], key: bytes, **overrides: Any) -> dict[str, Any]:
    body = {
        "station_code": station["code"],
        "qr_version": station["qr_version"],
        "sig": sign(key, station["code"], station["qr_version"]),
        "rating": 2,
        "name": "Sunita Devi",
        "mobile": unique_mobile(),
        "complaint_date": time.strftime("%Y-%m-%d"),
        "complaint_type": "cyber_fraud",
        "officer_name": "SI Ramesh",
        "comments": "शिकायत दर्ज नहीं हुई, बहुत देर लगी।",
        "cleanliness": 3,
        "staff_available": True,
        "staff_helped": False,
        "problem_resolved": False,
        "language": "hi",
    }
    body.update(overrides)
    return body


class TopicTail:
    """Reads what is written to a topic after this object was made, from every partition."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            enable_auto_commit=False,
            group_id=None,
            **kafka_security(),
        )
        self.topic = topic
        partitions = self.consumer.partitions_for_topic(topic)
        assert partitions, f"topic {topic} does not exist"
        self.partitions = [TopicPartition(topic, p) for p in sorted(partitions)]
        self.consumer.assign(self.partitions)
        self.consumer.seek_to_end()
        for tp in self.partitions:
            self.consumer.position(tp)

    def read_to_end(self, timeout_s: float = 15.0) -> list[Any]:
        """Every record written since the start (or the last read), up to the log end offsets
        as they are now: nothing acknowledged before this call can be missing."""
        end = self.consumer.end_offsets(self.partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while any(self.consumer.position(tp) < end[tp] for tp in self.partitions):
            assert time.monotonic() < deadline, "timed out reading the topic"
            for batch in self.consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records

    def events(self, timeout_s: float = 15.0) -> list[tuple[bytes, dict[str, Any]]]:
        return [(r.key, json.loads(r.value)) for r in self.read_to_end(timeout_s)]

    def close(self) -> None:
        self.consumer.close()


def wait_until(check: Callable[[], T], timeout_s: float = 10.0, interval_s: float = 0.1) -> T:
    """The first truthy result of ``check``; AssertionError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)
