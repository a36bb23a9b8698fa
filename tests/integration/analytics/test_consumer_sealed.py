"""Names and numbers sealed on Kafka, on the real servers: a feedback submitted through intake
shows neither on ``feedback.submitted`` nor, once refused, on ``feedback.dlq``; the analytics
consumer opens the box and stores both in ``feedback_personal``, with keys of before and after
a rotation; a box that does not open is dead-lettered and never counted."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import replace

import pytest

from shared import db
from shared.events import Personal, Sealed
from shared.sealing import Opener, Sealer, generate
from shared.topics import FEEDBACK_DLQ_TOPIC, FEEDBACK_TOPIC
from tests.integration.analytics.conftest import drain, make_event
from tests.support import TopicTail, feedback_body, stack_seal_keys

pytestmark = pytest.mark.integration

NAME = "Kamla Devi Sehrawat"
MOBILE = "+919812345670"


def personal_of(database_url: str, event_id: str) -> tuple[str | None, str | None] | None:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT name, mobile FROM feedback_personal WHERE event_id = %s", (event_id,))
        row = cur.fetchone()
    return None if row is None else (row[0], row[1])


def counted(database_url: str, event_id: str) -> int:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM feedback WHERE event_id = %s", (event_id,))
        return int(cur.fetchone()[0])


def assert_holds_no_identity(record) -> None:
    """Nothing of the name or number in the key, the value or the headers."""
    wire = (record.key or b"") + (record.value or b"")
    wire += b"".join(k.encode() + v for k, v in record.headers or [])
    for secret in (NAME, "Kamla", MOBILE, MOBILE[3:], MOBILE[5:]):
        assert secret.encode() not in wire


def moved(value: bytes) -> bytes:
    """The record's value under an event id of its own, its box left as intake sealed it (for
    the old id)."""
    data = json.loads(value)
    data["event_id"] = str(uuid.uuid4())
    return json.dumps(data, ensure_ascii=False).encode()


def copied(value: bytes) -> bytes:
    """The record's value under an event id of its own, for the test's topic (the original may
    already be counted by a consumer of the real topic): intake's box, opened with the stack's
    key for the event it was sealed for, is sealed again for the new id with the same key."""
    data = json.loads(value)
    personal = Opener.from_setting(stack_seal_keys()[1]).open(
        Sealed(**data["sealed"]), uuid.UUID(data["event_id"])
    )
    data = json.loads(moved(value))
    box = Sealer.from_setting(stack_seal_keys()[0]).seal(personal, uuid.UUID(data["event_id"]))
    data["sealed"] = {"kid": box.kid, "box": box.box}
    return json.dumps(data, ensure_ascii=False).encode()


def tampered(value: bytes) -> bytes:
    """A copy with one byte of its box changed."""
    data = json.loads(copied(value))
    box = bytearray(base64.b64decode(data["sealed"]["box"]))
    box[40] ^= 0xFF
    data["sealed"]["box"] = base64.b64encode(bytes(box)).decode()
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture
def submitted(infra, client, station, signing_key):
    """A feedback POSTed to the real intake, as its record on ``feedback.submitted``."""
    tail = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], FEEDBACK_TOPIC)
    try:
        answer = client.post(
            "/api/v1/feedback",
            json=feedback_body(station, signing_key, name=NAME, mobile=MOBILE[3:]),
        )
        assert answer.status_code == 202
        [record] = [
            r for r in tail.read_to_end() if json.loads(r.value)["event_id"] == answer.json["id"]
        ]
    finally:
        tail.close()
    return record


def test_a_raw_read_of_feedback_submitted_shows_no_name_or_number(submitted):
    assert_holds_no_identity(submitted)
    event = json.loads(submitted.value)
    assert not {"name", "mobile"} & set(event)
    assert event["sealed"]["kid"] == stack_seal_keys()[0].split(":")[0]


def test_the_consumer_opens_what_intake_sealed_and_stores_name_and_number(
    infra, submitted, make_consumer, publish
):
    value = copied(submitted.value)
    publish(value, key=submitted.key)

    drain(make_consumer(), 1)

    event_id = json.loads(value)["event_id"]
    assert personal_of(infra["DATABASE_URL"], event_id) == (NAME, MOBILE)


def test_a_tampered_box_goes_to_feedback_dlq_as_ciphertext_and_is_never_counted(
    infra, submitted, make_consumer, publish, analytics_config
):
    """The consumer dead-letters to the real ``feedback.dlq``: the record there keeps the
    original value, so it keeps only the box."""
    dlq = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], FEEDBACK_DLQ_TOPIC)
    try:
        config = replace(analytics_config, dlq_topic=FEEDBACK_DLQ_TOPIC)
        bad = tampered(submitted.value)
        publish(bad, key=submitted.key)
        consumer = make_consumer(config)
        drain(consumer, 1)
        publish(bad, key=submitted.key)  # delivered again
        drain(consumer, 1)

        letters = [r for r in dlq.read_to_end() if r.value == bad]
    finally:
        dlq.close()
    assert len(letters) == 2
    for letter in letters:
        assert_holds_no_identity(letter)
        assert dict(letter.headers)["dlq.reason"].decode().startswith("sealed personal data:")
    event_id = json.loads(bad)["event_id"]
    assert counted(infra["DATABASE_URL"], event_id) == 0
    assert personal_of(infra["DATABASE_URL"], event_id) is None


def test_a_box_moved_onto_another_event_goes_to_feedback_dlq_and_is_never_counted(
    infra, submitted, make_consumer, publish, analytics_config
):
    """Intake's box, unchanged, under another event id: a copy of a visitor's identity onto a
    forged event does not open."""
    dlq = TopicTail(infra["KAFKA_BOOTSTRAP_SERVERS"], FEEDBACK_DLQ_TOPIC)
    try:
        config = replace(analytics_config, dlq_topic=FEEDBACK_DLQ_TOPIC)
        forged = moved(submitted.value)
        publish(forged, key=submitted.key)
        drain(make_consumer(config), 1)
        [letter] = [r for r in dlq.read_to_end() if r.value == forged]
    finally:
        dlq.close()
    assert dict(letter.headers)["dlq.reason"].decode().endswith("sealed for another event")
    event_id = json.loads(forged)["event_id"]
    assert counted(infra["DATABASE_URL"], event_id) == 0
    assert personal_of(infra["DATABASE_URL"], event_id) is None


def test_after_a_rotation_events_of_the_old_key_and_of_the_new_one_both_open(
    infra, submitted, make_consumer, publish, analytics_config
):
    """A new key k-new first, the stack's key kept: intake already seals with the new one,
    while the topic still holds events sealed with the old."""
    new = generate("knew")
    code = json.loads(submitted.value)["station_code"]
    after = make_event(code, name="Asha", mobile="+919000000013")
    box = Sealer.from_setting(new.public).seal(Personal(after.mobile, "Asha"), after.event_id)
    after = replace(after, sealed=box)
    rotated = replace(analytics_config, seal_keys=f"{new.private},{stack_seal_keys()[1]}")
    before = copied(submitted.value)
    publish(before, key=submitted.key)
    publish(after)

    drain(make_consumer(rotated), 2)

    assert personal_of(infra["DATABASE_URL"], json.loads(before)["event_id"]) == (
        NAME, MOBILE,
    )  # fmt: skip
    assert personal_of(infra["DATABASE_URL"], str(after.event_id)) == ("Asha", "+919000000013")
