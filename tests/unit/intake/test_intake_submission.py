"""Intake's submission use cases over fakes: what is published, what is refused, and what
a visitor or client is told."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from services.intake.domain import CodeProblem, Station
from services.intake.usecases import (
    IdempotencyConflict,
    Invalid,
    InvalidCode,
    RateLimited,
    Unavailable,
    open_form,
    submit_feedback,
)
from shared.events import Personal
from shared.mobile import mobile_hash
from shared.signing import sign
from tests.unit.intake.fakes import OPENER, World, a_world

SIGNING_KEY = secrets.token_bytes(32)
HASH_KEY = secrets.token_bytes(32)


def a_station(code: str | None = None, *, qr_version: int = 2, active: bool = True) -> Station:
    code = code or f"GGN-U{uuid.uuid4().hex[:6].upper()}"
    return Station(code, f"Station {code}", "परीक्षण थाना", "East", active, qr_version)


def body(station: Station, **overrides: Any) -> dict[str, Any]:
    values = {
        "station_code": station.code,
        "qr_version": station.qr_version,
        "sig": sign(SIGNING_KEY, station.code, station.qr_version),
        "rating": 2,
        "name": "Sunita Devi",
        "mobile": "98123 45678",
        "complaint_type": "cyber_fraud",
        "comments": "शिकायत दर्ज नहीं हुई",
        "staff_available": True,
        "staff_helped": False,
        "problem_resolved": False,
    }
    values.update(overrides)
    return values


@pytest.fixture
def station() -> Station:
    return a_station()


@pytest.fixture
def world(station: Station) -> World:
    return a_world(station, signing_key=SIGNING_KEY, mobile_hash_key=HASH_KEY)


def submit(
    world: World, payload: dict[str, Any], key: str | None = None, address: str = "10.0.0.1"
):
    return submit_feedback(world.deps, payload, client_address=address, idempotency_key=key)


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("intake_feedback_rejected_total", {"reason": reason}) or 0.0


def test_accepted_feedback_is_published_once_as_one_event_without_the_signature(world, station):
    accepted = submit(world, body(station))

    [event] = world.publisher.events
    assert str(event.event_id) == accepted.event_id and not accepted.replayed
    assert event.station_code == station.code and event.rating == 2
    assert OPENER.open(event.sealed, event.event_id) == Personal("+919812345678", "Sunita Devi")
    assert event.mobile_hash == mobile_hash(HASH_KEY, "+919812345678")
    assert event.submitted_at == world.clock.now
    assert "sig" not in json.loads(event.to_json())


def test_the_published_event_carries_the_name_and_number_only_sealed(world, station):
    submit(world, body(station))

    [event] = world.publisher.events
    raw = event.to_json()
    assert b"Sunita" not in raw and b"9812345678" not in raw
    assert json.loads(raw)["sealed"]["kid"] == "t1"
    assert "name" not in json.loads(raw) and "mobile" not in json.loads(raw)


def test_a_retry_with_the_same_key_publishes_nothing_and_returns_the_first_id(world, station):
    first = submit(world, body(station), key="k-1")
    again = submit(world, body(station), key="k-1")

    assert again.event_id == first.event_id and again.replayed
    assert len(world.publisher.events) == 1


def test_the_same_key_with_different_feedback_is_a_conflict(world, station):
    submit(world, body(station), key="k-2")

    with pytest.raises(IdempotencyConflict):
        submit(world, body(station, rating=5), key="k-2")
    assert len(world.publisher.events) == 1


def test_one_mobile_may_rate_one_station_three_times_an_india_day(world, station):
    other = a_station()
    world.stations.stations[other.code] = other
    for _ in range(3):
        submit(world, body(station))

    with pytest.raises(RateLimited, match="mobile"):
        submit(world, body(station))
    submit(world, body(other))  # another station: its own limit
    world.clock.now += timedelta(days=1)
    submit(world, body(station))  # the next day in India
    assert len(world.publisher.events) == 5


def test_one_address_is_limited_per_hour_and_invalid_submissions_count_against_it(station):
    world = a_world(station, signing_key=SIGNING_KEY, mobile_hash_key=HASH_KEY,
                    per_address_per_hour=2)  # fmt: skip
    submit(world, body(station, mobile="9812300001"))
    with pytest.raises(Invalid):
        submit(world, body(station, rating=9))

    with pytest.raises(RateLimited, match="address"):
        submit(world, body(station, rating=9))
    with pytest.raises(RateLimited, match="address"):
        submit(world, body(station, mobile="9812300002"))
    submit(world, body(station, mobile="9812300003"), address="10.0.0.2")
    assert len(world.publisher.events) == 2


def test_invalid_feedback_is_refused_with_an_error_code_per_field(world, station):
    before = rejected("invalid")

    with pytest.raises(Invalid) as refused:
        submit(world, {**body(station, rating=7, mobile="555"), "nickname": "x"})

    assert set(refused.value.errors) == {"rating", "mobile", "nickname"}
    assert refused.value.errors["rating"] == ["rating_range"]
    assert world.publisher.events == []
    assert rejected("invalid") == before + 1


def test_with_kafka_down_it_is_unavailable_the_claim_is_given_back_and_a_retry_is_the_same_event(
    world, station
):
    hashed = mobile_hash(HASH_KEY, "+919812345678")
    world.publisher.down = True

    with pytest.raises(Unavailable):
        submit(world, body(station), key="k-3")
    assert world.limits.claims(station.code, hashed, world.clock.now) == 0
    pending = world.limits.records["k-3"]
    world.publisher.down = False
    accepted = submit(world, body(station), key="k-3")

    assert accepted.event_id == pending.event_id
    assert [str(e.event_id) for e in world.publisher.events] == [pending.event_id]
    assert world.limits.claims(station.code, hashed, world.clock.now) == 1


def test_with_the_limits_store_down_it_is_unavailable_and_nothing_is_published(world, station):
    world.limits.down = True

    with pytest.raises(Unavailable):
        submit(world, body(station))
    assert world.publisher.events == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("forged", CodeProblem.FORGED),
        ("rotated", CodeProblem.REVOKED),
        ("deactivated", CodeProblem.REVOKED),
        ("unknown", CodeProblem.UNKNOWN_STATION),
    ],
)
def test_a_forged_rotated_deactivated_or_unknown_code_is_refused(station, change, problem):
    payload = body(station)
    if change == "forged":
        payload["sig"] = sign(secrets.token_bytes(32), station.code, station.qr_version)
    elif change == "rotated":
        station = Station(**{**station.__dict__, "qr_version": station.qr_version + 1})
    elif change == "deactivated":
        station = Station(**{**station.__dict__, "active": False})
    else:
        station = a_station()
    world = a_world(station, signing_key=SIGNING_KEY, mobile_hash_key=HASH_KEY)
    before = rejected(problem.name.lower())

    with pytest.raises(InvalidCode) as refused:
        submit(world, payload)
    with pytest.raises(InvalidCode):
        open_form(world.deps, payload["station_code"], payload["qr_version"], payload["sig"])

    assert refused.value.problem is problem
    assert world.publisher.events == []
    assert rejected(problem.name.lower()) == before + 2


def test_an_unreadable_registry_is_unavailable(world, station):
    world.stations.down = True

    with pytest.raises(Unavailable):
        submit(world, body(station))
    with pytest.raises(Unavailable):
        open_form(world.deps, station.code, station.qr_version, body(station)["sig"])
