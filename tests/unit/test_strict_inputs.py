"""The review's requests, at each place that reads them: a value with a trailing newline is
not a station code anywhere, numbers are ASCII digits, and signatures in other scripts are
simply not ours (the kit's side of each class is in test_web_kit.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest

from services.analytics.entrypoints.args import days_arg
from services.intake.domain import is_idempotency_key
from services.intake.schemas import FeedbackInputSchema
from services.notifier import acklink
from services.qr.domain import is_station_code, is_zone_code
from services.qr.schemas import ImageQuerySchema, ListQuerySchema, StationSchema
from shared.events import FullMatch, InvalidEvent, StationChanged, StationScoresUpdated
from shared.scores import WindowStats
from shared.signing import sign, verify

KEY = b"k" * 32
TRAILING = ("GGN-X\n", "GGN-X\r\n", "GGN-X\n\n", "\nGGN-X", "GGN-X\x00")


def station_fields(**changes):
    return {"code": "GGN-NEW", "name_en": "New", "name_hi": "नया थाना", "zone": "East", **changes}


def test_full_match_refuses_what_re_match_with_a_dollar_lets_through():
    import re

    assert re.match(r"^[A-Z-]{1,32}$", "GGN-X\n")  # what marshmallow's Regexp relied on
    validator = FullMatch(r"^[A-Z-]{1,32}$")
    assert validator("GGN-X") == "GGN-X"
    for value in TRAILING:
        with pytest.raises(ValidationError):
            validator(value)


@pytest.mark.parametrize("code", TRAILING)
def test_the_registry_refuses_a_station_code_with_a_trailing_newline(code):
    with pytest.raises(ValidationError) as refused:
        StationSchema().load(station_fields(code=code))
    assert set(refused.value.messages) == {"code"}
    assert not is_station_code(code)


@pytest.mark.parametrize("zone", ["East\n", "East\r\n", "East\x00"])
def test_the_registry_refuses_a_zone_with_a_trailing_newline(zone):
    with pytest.raises(ValidationError) as refused:
        StationSchema().load(station_fields(zone=zone))
    assert set(refused.value.messages) == {"zone"}
    with pytest.raises(ValidationError):
        ListQuerySchema().load({"zone": zone})
    assert not is_zone_code(zone)


def test_good_codes_and_zones_still_pass():
    assert StationSchema().load(station_fields())["code"] == "GGN-NEW"
    assert is_station_code("GGN-SADAR") and is_zone_code("Manesar")


@pytest.mark.parametrize("raw", ["१०", "²", "١٠", "10\n", "1e1"])
def test_qr_image_sizes_are_ascii_digits(raw):
    with pytest.raises(ValidationError) as refused:
        ImageQuerySchema().load({"scale": raw})
    assert set(refused.value.messages) == {"scale"}
    assert ImageQuerySchema().load({"scale": "12", "border": "0"}) == {"scale": 12, "border": 0}


@pytest.mark.parametrize("code", TRAILING)
def test_intake_refuses_a_station_code_with_a_trailing_newline(code):
    body = {"station_code": code, "qr_version": 1, "sig": "x" * 16, "rating": 3,
            "mobile": "9876543210", "complaint_type": "theft", "staff_available": True,
            "staff_helped": True, "problem_resolved": True}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        FeedbackInputSchema().load(body)
    assert refused.value.messages == {"station_code": ["invalid_station_code"]}


def test_an_idempotency_key_with_a_trailing_newline_is_not_one():
    assert is_idempotency_key("key-1")
    assert not is_idempotency_key("key-1\n")


def _with_code(raw: bytes, field: str, code: str) -> bytes:
    data = json.loads(raw)
    data[field] = code
    return json.dumps(data).encode()


def test_events_with_a_trailing_newline_in_the_station_code_are_invalid():
    changed = StationChanged(change="created", code="GGN-X", name_en="X", name_hi="एक्स",
                             zone="East", active=True, qr_version=1, revision=1)  # fmt: skip
    scores = StationScoresUpdated("GGN-X", datetime.now(UTC), {"24h": WindowStats()})
    assert StationChanged.from_json(changed.to_json()).code == "GGN-X"
    assert StationScoresUpdated.from_json(scores.to_json()).station_code == "GGN-X"
    with pytest.raises(InvalidEvent):
        StationChanged.from_json(_with_code(changed.to_json(), "code", "GGN-X\n"))
    with pytest.raises(InvalidEvent):
        StationScoresUpdated.from_json(_with_code(scores.to_json(), "station_code", "GGN-X\n"))


@pytest.mark.parametrize("sig", ["é" * 16, "²" * 16, "abcdefghijklmno\u0101"])
def test_a_qr_signature_in_another_script_is_simply_not_genuine(sig):
    assert len(sig) == 16
    assert not verify(KEY, "GGN-SADAR", 1, sig)
    assert verify(KEY, "GGN-SADAR", 1, sign(KEY, "GGN-SADAR", 1))


def test_an_ack_link_with_other_digits_or_a_non_ascii_signature_is_not_valid():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    alert = str(uuid.uuid4())
    exp = int((now + timedelta(days=1)).timestamp())
    good = acklink.signature(KEY, alert, exp)
    assert acklink.valid(KEY, alert, str(exp), good, now)
    for bad_exp in ("²", "१७६७२२५६००", str(exp) + "\n"):
        assert not acklink.valid(KEY, alert, bad_exp, good, now)
    assert not acklink.valid(KEY, alert, str(exp), "é" * len(good), now)


@pytest.mark.parametrize("raw", ["²", "९०", "90\n", "-1", "0", "367"])
def test_analytics_days_are_ascii_digits_from_1_to_366(raw):
    app = Flask(__name__)
    with (
        app.test_request_context("/", query_string={"days": raw}),
        pytest.raises(BadRequest) as refused,
    ):
        days_arg()
    assert refused.value.description == "days must be a whole number from 1 to 366"


def test_analytics_days_default_to_90():
    app = Flask(__name__)
    with app.test_request_context("/"):
        assert days_arg() == 90
    with app.test_request_context("/?days=7"):
        assert days_arg() == 7
