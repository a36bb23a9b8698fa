"""A visitor's feedback reaches Kafka exactly once, on the real broker."""

from __future__ import annotations

import uuid

import pytest

from shared.events import Personal
from shared.mobile import mobile_hash
from tests.support import feedback_body, open_sealed

pytestmark = pytest.mark.integration


def test_a_post_makes_exactly_one_event_with_every_field_keyed_by_station(
    client, station, signing_key, feedback_tail, intake_config
):
    body = feedback_body(station, signing_key, mobile="+91 98123-45678")

    answer = client.post("/api/v1/feedback", json=body)

    assert answer.status_code == 202
    assert answer.json["status"] == "accepted"
    events = feedback_tail.events()
    assert len(events) == 1
    key, event = events[0]
    assert key == station["code"].encode()
    assert event["event_id"] == answer.json["id"]
    assert event["schema_version"] == 2
    assert event["submitted_at"].endswith("+00:00")
    assert "name" not in event and "mobile" not in event
    assert open_sealed(event) == Personal("+919812345678", body["name"])
    assert event["mobile_hash"] == mobile_hash(intake_config.mobile_hash_key, "+919812345678")
    for field in (
        "station_code", "qr_version", "rating", "complaint_date", "complaint_type",
        "officer_name", "comments", "cleanliness", "staff_available", "staff_helped",
        "problem_resolved", "language",
    ):  # fmt: skip
        assert event[field] == body[field], field
    assert "sig" not in event


def test_a_retried_post_with_the_same_idempotency_key_returns_the_same_id_and_no_second_event(
    client, station, signing_key, feedback_tail
):
    body = feedback_body(station, signing_key)
    key = str(uuid.uuid4())

    first = client.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": key})
    second = client.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": key})

    assert first.status_code == second.status_code == 202
    assert second.json["id"] == first.json["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert [e["event_id"] for _, e in feedback_tail.events()] == [first.json["id"]]


def test_the_same_idempotency_key_with_different_feedback_is_refused(
    client, station, signing_key, feedback_tail
):
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/feedback",
        json=feedback_body(station, signing_key),
        headers={"Idempotency-Key": key},
    )
    other = client.post(
        "/api/v1/feedback",
        json=feedback_body(station, signing_key, rating=5),
        headers={"Idempotency-Key": key},
    )

    assert first.status_code == 202
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json["error"]
    assert [e["event_id"] for _, e in feedback_tail.events()] == [first.json["id"]]


def test_without_kafka_intake_answers_503_and_the_same_submission_succeeds_once_it_is_back(
    client, station, signing_key, feedback_tail, stack_config
):
    """One broker outage, seen by an API client and by a visitor on the form."""
    from ops import stack

    body = feedback_body(station, signing_key)
    key = str(uuid.uuid4())
    form = {
        **{k: str(v) for k, v in feedback_body(station, signing_key).items()},
        "staff_available": "yes",
        "staff_helped": "no",
        "problem_resolved": "no",
        "form_token": uuid.uuid4().hex,
        "comments": "थाने में कोई नहीं मिला",
    }
    # The visitor opened the form before the broker went down: intake has read the stations
    # topic, its one source of the registry, and keeps it in memory through the outage.
    opened = client.get(f"/s/{station['code']}?v={body['qr_version']}&sig={body['sig']}")
    assert opened.status_code == 200
    stack.stop_kafka(stack_config)
    try:
        refused = client.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": key})
        refused_form = client.post(f"/s/{station['code']}", data=form)
    finally:
        stack.start_kafka(stack_config)

    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) > 0
    assert "retry" in refused.json["error"]
    page = refused_form.get_data(as_text=True)
    assert refused_form.status_code == 503
    assert 'name="rating"' in page and "थाने में कोई नहीं मिला" in page  # input kept
    assert form["form_token"] in page  # so pressing Submit again is the same submission
    assert feedback_tail.events() == []

    accepted = client.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": key})
    accepted_form = client.post(f"/s/{station['code']}", data=form)
    assert accepted.status_code == 202
    assert accepted_form.status_code == 200
    events = feedback_tail.events()
    assert len(events) == 2
    assert accepted.json["id"] in {e["event_id"] for _, e in events}
