"""Log lines: one JSON object each, and never a visitor's name or mobile number."""

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from shared.logs import REDACTED, JsonFormatter, PersonalDataFilter, scrub, sensitive

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, Lines]]:
    """A logger of its own whose filtered JSON output the test can read back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(JsonFormatter("intake"))
    logger = logging.getLogger(f"tests.unit.logs.{uuid.uuid4().hex}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    try:
        yield logger, lines
    finally:
        logger.removeHandler(handler)
        handler.close()


def raw_output(lines: Lines) -> str:
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines())


MOBILE_FORMS = [
    "9812345678",
    "+919812345678",
    "919812345678",
    "+91 98123 45678",
    "+91-98123-45678",
    "+91 9812345678",
    "098123 45678",
    "09812345678",
    "0091 9812345678",
    "98123-45678",
    "98 12 34 56 78",
]


@pytest.mark.parametrize("mobile", MOBILE_FORMS)
def test_a_mobile_number_in_the_message_is_redacted(log, mobile: str) -> None:
    logger, lines = log

    logger.warning("visitor %s could not be texted", mobile)

    (line,) = lines()
    assert line["msg"].startswith("visitor ")
    assert REDACTED in line["msg"]
    assert "98123" not in line["msg"]
    assert "45678" not in line["msg"]


@pytest.mark.parametrize("mobile", ["98123.45678", "(981) 234-5678", "+91 (98123) 45678"])
def test_a_mobile_number_written_in_a_form_intake_accepts_is_redacted(log, mobile: str) -> None:
    # Intake accepts dots and brackets between the digits, so a number can be written so.
    logger, lines = log

    logger.warning("visitor typed %s", mobile)

    assert mobile not in raw_output(lines)
    assert "5678" not in raw_output(lines)


@pytest.mark.parametrize("field", ["mobile", "phone", "mobile_number", "msisdn"])
def test_a_mobile_passed_as_an_extra_field_is_redacted(log, field: str) -> None:
    logger, lines = log

    logger.info("feedback received", extra={field: "+919812345678"})

    (line,) = lines()
    assert line[field] == REDACTED
    assert "9812345678" not in raw_output(lines)


def test_a_name_passed_as_extra_name_never_reaches_a_log_line(log) -> None:
    # ``name`` is a LogRecord attribute (the logger's name): logging refuses it in ``extra``.
    logger, lines = log

    with pytest.raises(KeyError):
        logger.info("feedback received", extra={"name": "Asha Devi"})

    assert lines() == []


@pytest.mark.parametrize("field", ["visitor_name", "complainant_name", "Visitor_Name"])
def test_a_name_passed_as_an_extra_field_is_redacted(log, field: str) -> None:
    logger, lines = log

    logger.info("feedback received", extra={field: "Asha Devi"})

    (line,) = lines()
    assert line[field] == REDACTED
    assert "Asha" not in raw_output(lines)


def test_personal_data_nested_in_an_extra_dict_or_list_is_redacted(log) -> None:
    logger, lines = log

    logger.info(
        "feedback received",
        extra={
            "visitor": {"name": "आशा देवी", "contact": {"Mobile": "9812345678"}},
            "notes": ["call back on 98123 45678", {"phone": "+917012345678"}],
            "payload": {"comments": "my number is +91-99887-76655", "rating": 2},
        },
    )

    (line,) = lines()
    output = raw_output(lines)
    assert line["visitor"]["name"] == REDACTED
    assert line["visitor"]["contact"]["Mobile"] == REDACTED
    assert line["payload"]["rating"] == 2
    for personal in ("आशा", "9812345678", "98123", "7012345678", "99887"):
        assert personal not in output


def test_a_mobile_number_in_an_exception_is_redacted(log) -> None:
    logger, lines = log
    number = "98123" + "45678"

    try:
        raise ValueError(f"SMS gateway refused {number}")
    except ValueError:
        logger.exception("could not send the SMS")

    (line,) = lines()
    assert "SMS gateway refused" in line["exc"]
    assert "ValueError" in line["exc"]
    assert number not in raw_output(lines)


def test_a_visitor_name_registered_as_sensitive_is_redacted_from_the_message(log) -> None:
    logger, lines = log
    name = f"Asha {uuid.uuid4().hex[:6]}"

    with sensitive(name, "+919812345678"):
        logger.info("feedback from %s accepted", name)
        logger.info("note", extra={"detail": f"said {name} at the desk"})

    msg, note = lines()
    assert msg["msg"] == f"feedback from {REDACTED} accepted"
    assert note["detail"] == f"said {REDACTED} at the desk"


def test_a_hindi_name_registered_as_sensitive_is_redacted_from_an_exception(log) -> None:
    logger, lines = log
    name = "सुनीता कुमारी"

    with sensitive(name):
        try:
            raise RuntimeError(f"could not store comment by {name}")
        except RuntimeError:
            logger.exception("store failed")

    assert name not in raw_output(lines)
    assert "सुनीता" not in raw_output(lines)


def test_a_sensitive_value_is_redacted_only_within_its_block(log) -> None:
    logger, lines = log
    word = f"Ramesh{uuid.uuid4().hex[:6]}"

    with sensitive(word):
        logger.info("inside %s", word)
    logger.info("outside %s", word)

    inside, outside = lines()
    assert inside["msg"] == f"inside {REDACTED}"
    assert outside["msg"] == f"outside {word}"


def test_one_letter_or_empty_sensitive_values_do_not_blank_out_ordinary_text(log) -> None:
    logger, lines = log

    with sensitive("A", "", None, " "):
        logger.info("A visitor at GGN-SADAR")

    (line,) = lines()
    assert line["msg"] == "A visitor at GGN-SADAR"


def test_nested_sensitive_blocks_redact_both_values(log) -> None:
    logger, lines = log

    with sensitive("Kamla"), sensitive("Devi Prasad"):
        logger.info("Kamla and Devi Prasad")

    (line,) = lines()
    assert line["msg"] == f"{REDACTED} and {REDACTED}"


def test_ordinary_numbers_ids_and_times_are_not_redacted(log) -> None:
    logger, lines = log
    event_id = "3f2b8c1e-4d5a-4b6c-9e7f-a1b2c3d4e5f6"

    logger.info(
        "processed %d events up to %s",
        1234567,
        "2025-01-31T10:15:30+05:30",
        extra={
            "count": 1234567,
            "event_id": event_id,
            "epoch_ms": 1700000000123,
            "epoch_text": "1700000000",
            "station": "GGN-SEC-56",
            "port": 9092,
        },
    )

    (line,) = lines()
    assert line["msg"] == "processed 1234567 events up to 2025-01-31T10:15:30+05:30"
    assert line["count"] == 1234567
    assert line["event_id"] == event_id
    assert line["epoch_ms"] == 1700000000123
    assert line["epoch_text"] == "1700000000"
    assert line["station"] == "GGN-SEC-56"
    assert line["port"] == 9092


@pytest.mark.parametrize(
    "event_id",
    [
        "cd859754-1799-41bc-b937-556701011fc3",
        "a3d91552-5151-4c6c-9a19-e7439b4371c2",
        "0f6e2d4c-8b1a-4c3d-9e5f-ab9812345678",
    ],
)
def test_an_event_id_is_logged_whole_whatever_digits_it_holds(log, event_id: str) -> None:
    # Event ids are random UUIDs; about one in fifty has ten digits in a row somewhere.
    logger, lines = log

    logger.info("feedback accepted %s", event_id, extra={"event_id": event_id})

    (line,) = lines()
    assert line["msg"] == f"feedback accepted {event_id}"
    assert line["event_id"] == event_id


def test_every_record_is_one_json_object_on_one_line_with_the_standard_fields(log) -> None:
    logger, lines = log

    logger.info("first")
    logger.warning("second\nwith a new line", extra={"station": "GGN-SADAR"})

    first, second = lines()
    for line in (first, second):
        assert line["service"] == "intake"
        assert line["logger"] == logger.name
        assert datetime.fromisoformat(line["ts"]).utcoffset() is not None
    assert (first["level"], first["msg"]) == ("info", "first")
    assert (second["level"], second["msg"]) == ("warning", "second\nwith a new line")
    assert second["station"] == "GGN-SADAR"


def test_hindi_in_a_log_line_is_written_as_is(log) -> None:
    logger, lines = log

    logger.info("सदर थाना")

    (line,) = lines()
    assert line["msg"] == "सदर थाना"


def test_scrub_leaves_text_without_personal_data_unchanged() -> None:
    text = "rating 5 for GGN-SADAR at 2025-01-31 10:15, 42 events"

    assert scrub(text) == text
