"""Submitting the form: what page comes next, over fakes."""

from __future__ import annotations

import pytest

from services.intake.domain import CodeProblem
from services.intake.usecases import InvalidCode, RateLimited, Unavailable, submit_from_form
from tests.unit.intake.fakes import World, a_world
from tests.unit.intake.test_intake_submission import HASH_KEY, SIGNING_KEY, a_station, body


@pytest.fixture
def station():
    return a_station()


@pytest.fixture
def world(station) -> World:
    return a_world(station, signing_key=SIGNING_KEY, mobile_hash_key=HASH_KEY)


def post(world: World, payload, token: str = "form-token-1"):  # noqa: S107 - not a secret
    return submit_from_form(world.deps, payload, form_token=token, client_address="10.0.0.9")


def test_a_double_tap_on_submit_is_one_feedback_with_one_reference(world, station):
    first = post(world, body(station))
    second = post(world, body(station))

    assert first.event_id is not None and second.event_id == first.event_id
    assert first.station == station
    assert len(world.publisher.events) == 1


def test_an_answer_changed_after_it_was_accepted_is_new_feedback(world, station):
    first = post(world, body(station))
    changed = post(world, body(station, rating=5))

    assert changed.event_id not in (None, first.event_id)
    assert [e.rating for e in world.publisher.events] == [2, 5]


def test_invalid_input_gives_the_form_back_with_error_codes(world, station):
    outcome = post(world, body(station, mobile="12345"))

    assert outcome.event_id is None and outcome.station == station
    assert outcome.errors == {"mobile": ["invalid_mobile"]}
    assert world.publisher.events == []


def test_with_kafka_down_the_form_comes_back_with_the_banner_and_the_claim_is_given_back(
    world, station
):
    world.publisher.down = True
    refused = post(world, body(station))
    world.publisher.down = False
    accepted = post(world, body(station))

    assert refused.unavailable and refused.event_id is None
    assert accepted.event_id == world.limits.records["form-token-1"].event_id
    assert len(world.publisher.events) == 1


def test_a_form_without_a_version_is_forged_and_a_closed_station_revoked(station):
    world = a_world(station, signing_key=SIGNING_KEY, mobile_hash_key=HASH_KEY)
    with pytest.raises(InvalidCode) as forged:
        post(world, {**body(station), "qr_version": "x"})

    closed = a_world(station.__class__(**{**station.__dict__, "active": False}),
                     signing_key=SIGNING_KEY, mobile_hash_key=HASH_KEY)  # fmt: skip
    with pytest.raises(InvalidCode) as revoked:
        post(closed, body(station))

    assert (forged.value.problem, revoked.value.problem) == (CodeProblem.FORGED,
                                                             CodeProblem.REVOKED)  # fmt: skip


def test_over_the_mobile_limit_the_form_is_refused(world, station):
    for n in range(3):
        post(world, body(station), token=f"t-{n}")

    with pytest.raises(RateLimited):
        post(world, body(station), token="t-4")


def test_an_unreadable_registry_gives_the_unavailable_page(world, station):
    world.stations.down = True

    with pytest.raises(Unavailable):
        post(world, body(station))
