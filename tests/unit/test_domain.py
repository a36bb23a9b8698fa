"""Is a scanned QR code genuine and current; is a retry the same submission; which day is it."""

import random
import secrets
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.intake.domain import CodeProblem, check_code, fingerprint, india_day
from shared.events import Station
from shared.signing import sign


def a_station(*, qr_version: int = 3, active: bool = True) -> Station:
    code = f"GGN-TEST-{random.randrange(10**6):06d}"
    return Station(code, f"Test {code}", "परीक्षण थाना", "East", active, qr_version)


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


def test_the_current_genuine_code_of_an_active_station_opens_the_form(key: bytes) -> None:
    station = a_station(qr_version=3)

    assert check_code(station, 3, sign(key, station.code, 3), key) is None


def test_an_unknown_station_is_404(key: bytes) -> None:
    problem = check_code(None, 1, sign(key, "GGN-NOWHERE", 1), key)

    assert problem is CodeProblem.UNKNOWN_STATION
    assert problem.value == 404


def test_a_forged_signature_is_403(key: bytes) -> None:
    station = a_station()

    problem = check_code(station, station.qr_version, "AAAAAAAAAAAAAAAA", key)

    assert problem is CodeProblem.FORGED
    assert problem.value == 403


def test_a_signature_made_with_another_key_is_403(key: bytes) -> None:
    station = a_station()
    sig = sign(secrets.token_bytes(32), station.code, station.qr_version)

    assert check_code(station, station.qr_version, sig, key) is CodeProblem.FORGED


def test_another_stations_genuine_signature_is_403(key: bytes) -> None:
    station, other = a_station(), a_station()
    sig = sign(key, other.code + "-X", station.qr_version)

    assert check_code(station, station.qr_version, sig, key) is CodeProblem.FORGED


def test_a_genuine_signature_for_a_version_not_yet_issued_is_403(key: bytes) -> None:
    station = a_station(qr_version=3)

    assert check_code(station, 4, sign(key, station.code, 4), key) is CodeProblem.FORGED


def test_a_genuine_code_from_before_a_rotation_is_410(key: bytes) -> None:
    station = a_station(qr_version=3)

    problem = check_code(station, 2, sign(key, station.code, 2), key)

    assert problem is CodeProblem.REVOKED
    assert problem.value == 410


def test_the_current_code_of_a_deactivated_station_is_410(key: bytes) -> None:
    station = a_station(qr_version=3, active=False)

    assert check_code(station, 3, sign(key, station.code, 3), key) is CodeProblem.REVOKED


def test_a_forged_code_of_a_deactivated_station_is_still_403(key: bytes) -> None:
    station = a_station(active=False)

    assert check_code(station, station.qr_version, "x" * 16, key) is CodeProblem.FORGED


def a_submission() -> dict:
    return {
        "station_code": f"GGN-TEST-{random.randrange(10**6):06d}",
        "rating": 4,
        "mobile": "+919812345678",
        "complaint_date": date(2025, 1, 15),
        "comments": "ठीक",
        "name": None,
    }


def test_the_same_submission_has_the_same_fingerprint_whatever_the_key_order() -> None:
    submission = a_submission()
    reordered = dict(reversed(list(submission.items())))

    assert fingerprint(submission) == fingerprint(reordered)


def test_a_submission_with_any_field_changed_has_another_fingerprint() -> None:
    submission = a_submission()

    assert fingerprint(submission) != fingerprint({**submission, "rating": 5})
    assert fingerprint(submission) != fingerprint({**submission, "comments": "ठीक "})
    assert fingerprint(submission) != fingerprint({**submission, "complaint_date": None})


def test_a_fingerprint_is_a_sha256_hex_digest() -> None:
    digest = fingerprint(a_submission())

    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2025, 1, 1, 18, 29, 59, tzinfo=UTC), date(2025, 1, 1)),
        (datetime(2025, 1, 1, 18, 30, 0, tzinfo=UTC), date(2025, 1, 2)),
        (datetime(2024, 12, 31, 23, 0, tzinfo=UTC), date(2025, 1, 1)),
        (
            datetime(2025, 6, 30, 23, 59, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            date(2025, 6, 30),
        ),
        (datetime(2025, 3, 9, 14, 0, tzinfo=timezone(timedelta(hours=-5))), date(2025, 3, 10)),
    ],
)
def test_the_day_changes_at_midnight_in_india_not_at_utc_midnight(
    moment: datetime, day: date
) -> None:
    assert india_day(moment) == day
