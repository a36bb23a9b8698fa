"""The rights page's one-time codes on a controlled clock, over fakes: expiry, the hourly
limits per number and per address, wrong tries, and the token the right code gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.rights import GivenFeedback, Refusal, Rights, StoredCode
from shared.mobile import mobile_hash

KEY = b"rights-test-mobile-hash-key"
MOBILE = "+919812345678"
OTHER = "+917000000001"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeCodes:
    def __init__(self) -> None:
        self.counters: dict[tuple[str, int], int] = {}
        self.codes: dict[str, StoredCode] = {}

    def count(self, key: str, now: datetime, window_s: int) -> int:
        slot = (key, int(now.timestamp()) // window_s)
        self.counters[slot] = self.counters.get(slot, 0) + 1
        return self.counters[slot]

    def put(self, mobile_key: str, code: StoredCode, ttl_s: int) -> None:
        self.codes[mobile_key] = code

    def get(self, mobile_key: str) -> StoredCode | None:
        return self.codes.get(mobile_key)

    def wrong_try(self, mobile_key: str) -> int:
        code = self.codes[mobile_key]
        self.codes[mobile_key] = replace(code, tries=code.tries + 1)
        return code.tries + 1

    def drop(self, mobile_key: str) -> None:
        self.codes.pop(mobile_key, None)


class FakeRecords:
    def __init__(self) -> None:
        self.rows: dict[str, list[GivenFeedback]] = {}
        self.erased: list[tuple[str, datetime]] = []

    def given(self, mobile_hash: str) -> list[GivenFeedback]:
        return list(self.rows.get(mobile_hash, []))

    def erase(self, mobile_hash: str, now: datetime) -> int:
        rows = self.rows.get(mobile_hash, [])
        kept = [r for r in rows if r.identity_kept]
        self.rows[mobile_hash] = [replace(r, identity_kept=False) for r in rows]
        self.erased.append((mobile_hash, now))
        return len(kept)


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_code(self, mobile: str, text: str) -> None:
        self.sent.append((mobile, text))

    def last_code(self, mobile: str) -> str:
        text = [t for m, t in self.sent if m == mobile][-1]
        return next(word for word in text.replace(",", " ").split() if word.isdigit()
                    and len(word) == 6)  # fmt: skip


def given(station: str = "GGN-SEC29") -> GivenFeedback:
    return GivenFeedback("e1", station, "सेक्टर 29", "Sector 29", datetime(2026, 2, 1).date(), 4,
                         "other", "good", True)  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(clock):
    rights = Rights(FakeCodes(), FakeRecords(), FakeSender(), clock, KEY)
    return rights


def sender(rights: Rights) -> FakeSender:
    assert isinstance(rights.sender, FakeSender)
    return rights.sender


def test_the_code_sent_by_sms_opens_that_numbers_feedback_and_no_other(world):
    world.records.rows[mobile_hash(KEY, MOBILE)] = [given()]
    world.records.rows[mobile_hash(KEY, OTHER)] = [given("GGN-OTHER")]
    world.send_code(MOBILE, "10.0.0.1", "hi")

    token = world.verify(MOBILE, sender(world).last_code(MOBILE))

    assert [f.station_code for f in world.given(token)] == ["GGN-SEC29"]
    assert world.holder(token) == mobile_hash(KEY, MOBILE)


def test_the_code_is_stored_only_as_a_keyed_hash(world):
    world.send_code(MOBILE, "10.0.0.1", "en")
    code = sender(world).last_code(MOBILE)

    stored = world.codes.codes[mobile_hash(KEY, MOBILE)]
    assert code not in stored.digest and len(stored.digest) == 64
    assert MOBILE not in repr(world.codes.codes) + repr(world.codes.counters)


def test_a_code_works_once(world):
    world.send_code(MOBILE, "10.0.0.1", "hi")
    code = sender(world).last_code(MOBILE)
    world.verify(MOBILE, code)

    with pytest.raises(Refusal) as again:
        world.verify(MOBILE, code)
    assert again.value.reason == "code_expired"


def test_a_code_expires_after_ten_minutes(world, clock):
    world.send_code(MOBILE, "10.0.0.1", "hi")
    code = sender(world).last_code(MOBILE)
    clock.advance(minutes=10)

    with pytest.raises(Refusal) as late:
        world.verify(MOBILE, code)
    assert (late.value.reason, late.value.status) == ("code_expired", 403)


def test_a_code_still_works_just_before_ten_minutes(world, clock):
    world.send_code(MOBILE, "10.0.0.1", "hi")
    clock.advance(minutes=9, seconds=59)

    assert world.verify(MOBILE, sender(world).last_code(MOBILE))


def test_a_new_code_replaces_the_earlier_one(world):
    world.send_code(MOBILE, "10.0.0.1", "hi")
    first = sender(world).last_code(MOBILE)
    world.new_code = lambda: "000000" if first != "000000" else "111111"
    world.send_code(MOBILE, "10.0.0.1", "hi")

    with pytest.raises(Refusal):
        world.verify(MOBILE, first)


def test_five_wrong_tries_kill_the_code_even_for_the_right_one_after(world):
    world.new_code = lambda: "123456"
    world.send_code(MOBILE, "10.0.0.1", "hi")
    reasons = []
    for _ in range(5):
        with pytest.raises(Refusal) as wrong:
            world.verify(MOBILE, "654321")
        reasons.append(wrong.value.reason)

    with pytest.raises(Refusal) as dead:
        world.verify(MOBILE, "123456")
    assert reasons == ["code_wrong"] * 4 + ["code_dead"]
    assert dead.value.reason == "code_expired"  # gone: a new one must be asked for


def test_four_wrong_tries_leave_the_right_code_working(world):
    world.new_code = lambda: "123456"
    world.send_code(MOBILE, "10.0.0.1", "hi")
    for bad in ("000000", "12345", "१२३४५६", "abcdef"):
        with pytest.raises(Refusal):
            world.verify(MOBILE, bad)

    assert world.verify(MOBILE, "123456")


def test_at_most_three_codes_per_number_per_hour(world, clock):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        world.send_code(MOBILE, address, "hi")
    with pytest.raises(Refusal) as fourth:
        world.send_code(MOBILE, "10.0.0.4", "hi")
    clock.advance(hours=1)
    world.send_code(MOBILE, "10.0.0.4", "hi")

    assert (fourth.value.reason, fourth.value.status) == ("too_many_codes", 429)
    assert len(sender(world).sent) == 4


def test_at_most_ten_codes_per_address_per_hour(world, clock):
    numbers = [f"+9198000000{i:02d}" for i in range(11)]
    for number in numbers[:10]:
        world.send_code(number, "10.0.0.9", "hi")
    with pytest.raises(Refusal) as eleventh:
        world.send_code(numbers[10], "10.0.0.9", "hi")
    world.send_code(numbers[10], "10.0.0.10", "hi")  # another address may

    assert eleventh.value.status == 429
    assert [m for m, _ in sender(world).sent] == numbers


def test_the_token_expires_after_fifteen_minutes(world, clock):
    world.send_code(MOBILE, "10.0.0.1", "hi")
    token = world.verify(MOBILE, sender(world).last_code(MOBILE))
    clock.advance(minutes=14, seconds=59)
    world.given(token)
    clock.advance(seconds=1)

    with pytest.raises(Refusal) as late:
        world.given(token)
    assert late.value.reason == "token_expired"


def test_an_altered_token_opens_nothing(world):
    world.send_code(MOBILE, "10.0.0.1", "hi")
    token = world.verify(MOBILE, sender(world).last_code(MOBILE))
    hashed, until, mac = token.split(".")
    other = mobile_hash(KEY, OTHER)

    for forged in (f"{other}.{until}.{mac}", f"{hashed}.{int(until) + 3600}.{mac}", "", "a.b.c"):
        assert world.holder(forged) is None
        with pytest.raises(Refusal):
            world.erase(forged)
    assert world.records.erased == []


def test_erasing_names_the_tokens_number_and_the_time(world, clock):
    hashed = mobile_hash(KEY, MOBILE)
    world.records.rows[hashed] = [given(), replace(given(), identity_kept=False)]
    world.send_code(MOBILE, "10.0.0.1", "hi")
    token = world.verify(MOBILE, sender(world).last_code(MOBILE))

    assert world.erase(token) == 1
    assert world.records.erased == [(hashed, clock.now)]
    assert not any(f.identity_kept for f in world.given(token))


def test_the_sms_says_the_code_in_hindi_and_english(world):
    world.new_code = lambda: "042017"
    world.send_code(MOBILE, "10.0.0.1", "hi")

    ((to, text),) = sender(world).sent
    assert to == MOBILE and "042017" in text and "कोड" in text and "code" in text
