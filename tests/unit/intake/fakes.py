"""In-memory stand-ins for intake's ports (services.intake.ports): no sockets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.intake.domain import Admission, IdempotencyRecord, Station, Verdict, india_day
from services.intake.ports import LimitsUnavailable, PublishFailed, RegistryUnavailable
from services.intake.usecases import Deps
from shared.events import FeedbackSubmitted
from shared.sealing import Opener, Sealer, generate

# The analytics consumer's key pair of these tests: intake gets the public half only; the
# tests open what it published with the private half, as the consumer would.
SEAL_KEYS = generate("t1")
OPENER = Opener.from_setting(SEAL_KEYS.private)


class FakeStations:
    def __init__(self, *stations: Station) -> None:
        self.stations = {s.code: s for s in stations}
        self.down = False

    def get(self, code: str) -> Station | None:
        if self.down:
            raise RegistryUnavailable("the registry is down")
        return self.stations.get(code)

    def ready(self) -> bool:
        return not self.down


class FakeLimits:
    """The Redis adapter's rules over dictionaries: fixed windows per address and hour and
    per station, mobile and India day; a record under an idempotency key is kept unless one
    is there already."""

    def __init__(self, *, per_address_per_hour: int = 300, per_mobile_per_day: int = 3) -> None:
        self.per_address = per_address_per_hour
        self.per_mobile = per_mobile_per_day
        self.addresses: Counter[tuple[str, str]] = Counter()
        self.mobiles: Counter[tuple[str, str, str]] = Counter()
        self.records: dict[str, IdempotencyRecord] = {}
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise LimitsUnavailable("the limits store is down")

    def _mobile(self, station_code: str, mobile_hash: str, now: datetime) -> tuple[str, str, str]:
        return station_code, mobile_hash, india_day(now).isoformat()

    def allow_address(self, address: str, now: datetime) -> bool:
        self._check()
        key = (address, f"{now:%Y%m%d%H}")
        self.addresses[key] += 1
        return self.addresses[key] <= self.per_address

    def admit(
        self,
        *,
        address: str,
        station_code: str,
        mobile_hash: str,
        idempotency_key: str | None,
        pending: IdempotencyRecord,
        now: datetime,
    ) -> Admission:
        self._check()
        address_key = (address, f"{now:%Y%m%d%H}")
        mobile_key = self._mobile(station_code, mobile_hash, now)
        self.addresses[address_key] += 1
        self.mobiles[mobile_key] += 1
        prior = None
        if idempotency_key:
            prior = self.records.get(idempotency_key)
            self.records.setdefault(idempotency_key, pending)
        if self.addresses[address_key] > self.per_address:
            self.mobiles[mobile_key] -= 1
            return Admission(Verdict.ADDRESS_LIMIT, prior)
        if self.mobiles[mobile_key] > self.per_mobile:
            self.mobiles[mobile_key] -= 1
            return Admission(Verdict.MOBILE_LIMIT, prior)
        return Admission(Verdict.ADMITTED, prior)

    def release(self, station_code: str, mobile_hash: str, now: datetime) -> None:
        self._check()
        self.mobiles[self._mobile(station_code, mobile_hash, now)] -= 1

    def remember(self, idempotency_key: str, record: IdempotencyRecord) -> None:
        self._check()
        self.records[idempotency_key] = record

    def claims(self, station_code: str, mobile_hash: str, now: datetime) -> int:
        """How many submissions of this number count against its limit today."""
        return self.mobiles[self._mobile(station_code, mobile_hash, now)]

    def ready(self) -> bool:
        return not self.down


class FakePublisher:
    """Keeps what was acknowledged; while ``down`` it acknowledges nothing."""

    def __init__(self) -> None:
        self.events: list[FeedbackSubmitted] = []
        self.down = False

    def publish(self, event: FeedbackSubmitted) -> None:
        if self.down:
            raise PublishFailed("no broker")
        self.events.append(event)

    def ready(self) -> bool:
        return not self.down

    def close(self) -> None:
        pass


@dataclass
class FixedClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 10, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    """Everything the use cases touch, to be inspected by the test."""

    deps: Deps
    stations: FakeStations
    limits: FakeLimits
    publisher: FakePublisher
    clock: FixedClock


def a_world(*stations: Station, signing_key: bytes, mobile_hash_key: bytes, **limits: int) -> World:
    directory = FakeStations(*stations)
    fake_limits = FakeLimits(**limits)
    publisher = FakePublisher()
    clock = FixedClock()
    sealer = Sealer.from_setting(SEAL_KEYS.public)
    deps = Deps(directory, fake_limits, publisher, clock, signing_key, mobile_hash_key, sealer)
    return World(deps, directory, fake_limits, publisher, clock)
