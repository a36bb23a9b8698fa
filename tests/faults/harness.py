"""What the fault scenarios share: the running pipeline they take over and give back, a load of
real submissions to intake, and the end-of-scenario check that what was accepted is what was
counted.

The check (``assert_accepted_is_counted``), for the stations a scenario used:
  1. the event ids intake answered 202 for (or, where a scenario writes to Kafka itself, the ids
     it had acknowledged) equal the event ids in PostgreSQL's ``feedback``;
  2. ``station_hourly_buckets`` equal a recount, in Python, of those ``feedback`` rows;
  3. each station's Redis windows (``analytics:station:<code>``) and its ranking sums
     (``analytics:sums:<window>``) equal the windows of that recount at the moment Redis says
     they were computed (``computed_at``), so a stale or double-counted value cannot pass;
  4. and the analytics group has committed every record on ``feedback.submitted``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from ops import services, stack
from services.analytics.domain import PUBLIC_WINDOWS, hour_of, windows_from_buckets
from shared import db
from shared.kafka_io import kafka_security
from shared.redis_io import redis_client
from shared.scores import WindowStats
from shared.topics import FEEDBACK_TOPIC
from tests.support import wait_until

logger = logging.getLogger(__name__)

ANALYTICS_GROUP = "analytics"
REDIS_PREFIX = "analytics"


# ------------------------------------------------------------------------- the running pipeline


def process_environ(pid: int) -> dict[str, str] | None:
    """The environment a running process was started with (None if it is gone)."""
    try:
        raw = open(f"/proc/{pid}/environ", "rb").read()  # noqa: SIM115 - one read
    except OSError:
        return None
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def _process(name: str) -> services.Service | services.Worker:
    return services.SERVICES.get(name) or services.WORKERS[name]


class Pipeline:
    """Our own services and workers, run with the scenarios' settings for as long as the
    fault tests last. Whatever ran before is stopped, and started again afterwards with the
    environment it had (read from /proc), so the tests after ours find what they left."""

    def __init__(self, cfg: stack.StackConfig, env: Mapping[str, str]) -> None:
        self.cfg = cfg
        self.env = dict(env)
        self._before: dict[str, dict[str, str] | None] = {}

    def take_over(self, names: Iterable[str]) -> None:
        for name in names:
            pid = services.service_pid(self.cfg, _process(name))
            self._before[name] = process_environ(pid) if pid else None
            services.stop_service(self.cfg, name)
            self.start(name)

    def hand_back(self) -> None:
        for name, environ in reversed(self._before.items()):
            services.stop_service(self.cfg, name)
            if environ is not None:
                # A process's own environment holds its logins but not the secrets they
                # were made from (ops/services.py keeps those from it): the run's secrets,
                # then its own settings over them.
                self.start(name, {**self.env, **environ})

    def start(self, name: str, env: Mapping[str, str] | None = None) -> None:
        env = self.env if env is None else env
        if name in services.SERVICES:
            services.start_service(self.cfg, name, env)
        else:
            services.start_worker(self.cfg, name, env)

    def pid(self, name: str) -> int | None:
        return services.service_pid(self.cfg, _process(name))

    def kill(self, name: str) -> int:
        """SIGKILL the worker ``name``: no chance to finish or commit anything."""
        pid = self.pid(name)
        assert pid, f"{name} is not running"
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: self.pid(name) is None, timeout_s=10, interval_s=0.02)
        return pid

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{services.SERVICES['intake'].port(self.env)}"


# --------------------------------------------------------------------------- load on intake


@dataclass
class IntakeLoad:
    """Submissions POSTed to intake from a few threads, each retried with the same
    Idempotency-Key while intake answers 503 (as the form does), so that every submission
    ends with a 202 and its event id, or in ``unexpected``. Paced: each thread sends at most
    one request every ``pace_s``."""

    url: str
    bodies: list[dict]
    threads: int = 4
    pace_s: float = 0.05
    retry_pause_s: float = 0.25
    deadline_s: float = 150.0
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> event id
    statuses: Counter = field(default_factory=Counter)
    unexpected: list[tuple[int, str]] = field(default_factory=list)
    unavailable_without_retry_after: int = 0
    requests: int = 0
    # (monotonic time the request was sent, its status), every request in order of answer
    answers: list[tuple[float, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._queue = [(str(uuid.uuid4()), body) for body in self.bodies]
        self._workers = [
            threading.Thread(target=self._run, name=f"intake-load-{n}", daemon=True)
            for n in range(self.threads)
        ]
        self._ends_at = 0.0

    def start(self) -> IntakeLoad:
        self._ends_at = time.monotonic() + self.deadline_s
        for worker in self._workers:
            worker.start()
        return self

    def join(self) -> None:
        for worker in self._workers:
            worker.join(timeout=max(1.0, self._ends_at - time.monotonic() + 5))
        assert not any(w.is_alive() for w in self._workers), "intake load did not finish"

    @property
    def accepted_ids(self) -> set[str]:
        with self._lock:
            return set(self.accepted.values())

    def count(self, status: int) -> int:
        with self._lock:
            return self.statuses[status]

    def stop(self) -> None:
        """Send no new submission; those under way still end as they would (join waits)."""
        with self._lock:
            self._queue.clear()

    def sent_at(self, status: int) -> list[float]:
        """When each request that was answered ``status`` was sent."""
        with self._lock:
            return [at for at, answered in self.answers if answered == status]

    def _take(self) -> tuple[str, dict] | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None

    def _run(self) -> None:
        host, port = self.url.removeprefix("http://").split(":")
        while (item := self._take()) is not None:
            key, body = item
            while time.monotonic() < self._ends_at:
                started = time.monotonic()
                status, headers, answer = _post(host, int(port), body, key)
                with self._lock:
                    self.requests += 1
                    self.statuses[status] += 1
                    self.answers.append((started, status))
                    if status == 202:
                        self.accepted[key] = answer["id"]
                    elif status == 503 and not headers.get("retry-after"):
                        self.unavailable_without_retry_after += 1
                    elif status != 503:
                        self.unexpected.append((status, json.dumps(answer)[:200]))
                if status != 503:
                    break
                time.sleep(self.retry_pause_s)  # a visitor pressing Submit again
            time.sleep(max(0.0, self.pace_s - (time.monotonic() - started)))


def _post(host: str, port: int, body: dict, key: str) -> tuple[int, dict[str, str], dict]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/v1/feedback",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        answer = connection.getresponse()
        raw = answer.read()
        headers = {k.lower(): v for k, v in answer.getheaders()}
    except OSError as failure:
        return 0, {}, {"error": repr(failure)}
    finally:
        connection.close()
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {"raw": raw[:200].decode(errors="replace")}
    return answer.status, headers, payload


# ------------------------------------------------------------------ Kafka offsets of the group


def end_offsets(bootstrap: str, topic: str = FEEDBACK_TOPIC) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, **kafka_security())
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def committed_offsets(
    bootstrap: str, group: str = ANALYTICS_GROUP, topic: str = FEEDBACK_TOPIC
) -> dict[int, int]:
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="faults-offsets", **kafka_security()
    )
    try:
        offsets = admin.list_group_offsets({group: None}).get(group) or {}
    finally:
        admin.close()
    mine = {tp: m for tp, m in offsets.items() if tp.topic == topic and m.offset >= 0}
    return {tp.partition: m.offset for tp, m in mine.items()}


def behind(bootstrap: str, since: Mapping[int, int]) -> int:
    """Records on the topic after ``since`` not yet committed by the analytics group."""
    ends, done = end_offsets(bootstrap), committed_offsets(bootstrap)
    return sum(max(0, ends[p] - max(done.get(p, 0), since.get(p, 0))) for p in ends)


def committed_since(bootstrap: str, since: Mapping[int, int]) -> int:
    done = committed_offsets(bootstrap)
    return sum(max(0, done.get(p, 0) - offset) for p, offset in since.items())


def wait_caught_up(bootstrap: str, timeout_s: float = 90.0) -> dict[int, int]:
    """Wait until the analytics group has committed everything on the topic; the offsets."""

    def caught_up() -> dict[int, int] | None:
        ends, done = end_offsets(bootstrap), committed_offsets(bootstrap)
        return ends if all(done.get(p, 0) >= end for p, end in ends.items() if end) else None

    return wait_until(caught_up, timeout_s=timeout_s, interval_s=0.5)


# ---------------------------------------------------------------- accepted equals counted


def stored_ids(database_url: str, codes: list[str]) -> set[str]:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT event_id::text FROM feedback WHERE station_code = ANY(%s)", (codes,))
        return {row[0] for row in cur.fetchall()}


def stored_count(database_url: str, codes: list[str]) -> int:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT count(*) FROM feedback WHERE station_code = ANY(%s)", (codes,))
        return cur.fetchone()[0]


Buckets = dict[tuple[str, datetime], WindowStats]


def recount(database_url: str, codes: list[str]) -> Buckets:
    """The hourly sums, counted here one ``feedback`` row at a time."""
    sums: dict[tuple[str, datetime], Counter] = {}
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "SELECT station_code, submitted_at, rating, problem_resolved, staff_available,"
            " staff_helped, cleanliness FROM feedback WHERE station_code = ANY(%s)",
            (codes,),
        )
        for code, at, rating, resolved, available, helped, clean in cur.fetchall():
            bucket = sums.setdefault((code, hour_of(at)), Counter())
            bucket.update(
                count=1,
                rating_sum=rating,
                low_ratings=int(rating <= 2),
                unresolved=int(not resolved),
                staff_available=int(available),
                staff_helped=int(helped),
                cleanliness_sum=clean or 0,
                cleanliness_count=int(clean is not None),
            )
    names = WindowStats.__dataclass_fields__
    return {key: WindowStats(**{n: c[n] for n in names}) for key, c in sums.items()}


def stored_buckets(database_url: str, codes: list[str]) -> Buckets:
    names = list(WindowStats.__dataclass_fields__)
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            f"SELECT station_code, hour, {', '.join(names)} FROM station_hourly_buckets"  # noqa: S608
            " WHERE station_code = ANY(%s)",
            (codes,),
        )
        return {(row[0], row[1]): WindowStats(*row[2:]) for row in cur.fetchall()}


def redis_mismatches(redis_url: str, codes: list[str], buckets: Buckets) -> list[str]:
    """Stations whose Redis windows or ranking sums differ from ``buckets`` (empty if none)."""
    from services.analytics.adapters.redis import ScoresCache

    client = redis_client(redis_url)
    cache = ScoresCache(client, REDIS_PREFIX)
    wrong = []
    for code in codes:
        computed_at = client.hget(f"{REDIS_PREFIX}:station:{code}", "computed_at")
        if computed_at is None:
            wrong.append(f"{code}: no scores in Redis")
            continue
        mine = {hour: stats for (c, hour), stats in buckets.items() if c == code}
        expected = windows_from_buckets(mine, datetime.fromisoformat(computed_at))
        if cache.read_station(code) != expected:
            wrong.append(f"{code}: windows differ from the recount")
        for window in PUBLIC_WINDOWS:
            sums = client.hget(f"{REDIS_PREFIX}:sums:{window}", code)
            if sums != f"{expected[window].count}:{expected[window].rating_sum}":
                wrong.append(f"{code}: ranking sums of {window} are {sums}")
    return wrong


def assert_accepted_is_counted(
    env: Mapping[str, str], accepted: set[str], codes: list[str], timeout_s: float = 90.0
) -> float:
    """Wait (bounded) until PostgreSQL holds exactly the accepted ids and Redis agrees, then
    assert all three parts of the check; returns the seconds it took to get there."""
    started = time.monotonic()
    database_url, redis_url = env["DATABASE_URL"], env["REDIS_URL"]
    with contextlib.suppress(AssertionError):
        wait_until(lambda: stored_ids(database_url, codes) >= accepted, timeout_s, 0.25)
    stored = stored_ids(database_url, codes)
    assert not accepted - stored, f"{len(accepted - stored)} accepted events are not stored"
    assert not stored - accepted, f"{len(stored - accepted)} stored events were never accepted"
    counted = recount(database_url, codes)
    assert stored_buckets(database_url, codes) == counted
    with contextlib.suppress(AssertionError):
        wait_until(lambda: not redis_mismatches(redis_url, codes, counted), 20, 0.25)
    assert redis_mismatches(redis_url, codes, counted) == []
    # The pipeline caught up by itself: the group committed everything on the topic (a
    # consumer stuck after storing a batch would pass the checks above).
    wait_caught_up(env["KAFKA_BOOTSTRAP_SERVERS"], timeout_s=60)
    return time.monotonic() - started


def stations_known_to_intake(intake_url: str, stations: list[dict], key: bytes) -> None:
    """Wait until every intake worker opens the form of each station (a running intake
    learns a station added to the registry on a miss, at most every 5 s per worker)."""
    from tests.e2e.notifier.test_notifier_from_intake import known_to_intake

    for station in stations:
        known_to_intake(intake_url, station, key)


def varied_bodies(stations: list[dict], key: bytes, count: int, seed: int) -> list[dict]:
    """``count`` submissions spread over the stations, with varied answers."""
    from tests.support import feedback_body

    rng = random.Random(seed)
    return [
        feedback_body(
            stations[n % len(stations)],
            key,
            rating=rng.randint(1, 5),
            problem_resolved=rng.random() < 0.5,
            staff_helped=rng.random() < 0.6,
            cleanliness=rng.randint(1, 5),
        )
        for n in range(count)
    ]
