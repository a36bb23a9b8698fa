"""Intake under load: accepted feedback per second against two baselines, same gunicorn: a
bare Flask app (``bench/bare_app.py``: parse the body, answer 202) and a bare publisher
(``bench/bare_publisher.py``: publish the body to Kafka with acks=all through intake's own
sender and wait, the most this stack can do).

The three apps run under gunicorn with intake's production settings (workers, gthread threads,
timeouts and an access log, taken from ``ops.services``) on free loopback ports, and the same
wrk command drives each in turn: a warm-up, then ``--rounds`` rounds of baseline then intake,
so the machine's noise falls on both. The figure that matters is the median over rounds of
intake's accepted requests per second divided by the baseline's.

Every 202 from intake must be an event on ``feedback.submitted``: the sum of the topic's end
offsets is read before and after each intake run and compared with the 202s. wrk's own count
falls short by the requests in flight when it stops (it drops their answers, intake still
publishes them), so the exact comparison is with the 202s in intake's access log, and wrk's
count must lie within one connection each of it. Events carry the run's tag in their comment,
so a test run writing to the same topic at the same time is told apart from ours.

Needs the test profile's servers (``./pratikriya bench`` starts them) and wrk.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from ops import services
from shared import db
from shared.kafka_io import kafka_security
from shared.signing import sign
from shared.topics import BY_NAME, FEEDBACK_TOPIC, TopicSpec, ensure_topics

REPO = Path(__file__).resolve().parents[1]
LUA_SCRIPT = REPO / "bench" / "post_feedback.lua"
STATION = "GGN-SADAR"
TARGET_RATIO = 0.60  # of the bare Flask app's rate
TARGET_PUBLISHER_RATIO = 0.80  # of the bare publisher's rate
PUBLISH_TOPIC = "bench.publish"
# All load comes from 127.0.0.1, which the production limit (300 an hour) would stop within
# a second; the per-mobile limit stays as it is (the script sends a new number every time).
ADDRESS_LIMIT = 100_000_000
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class WrkResult:
    statuses: dict[int, int]
    p50_ms: float
    p99_ms: float
    duration_s: float
    socket_errors: int
    server_cpu_s: float = 0.0  # CPU time of the app's gunicorn master and workers

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / max(1, sum(self.statuses.values()))

    @property
    def accepted_per_s(self) -> float:
        return self.statuses.get(202, 0) / self.duration_s

    def describe(self) -> str:
        codes = " ".join(f"{code}={n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.accepted_per_s:8.1f} accepted/s  p50 {self.p50_ms:6.2f} ms  "
            f"p99 {self.p99_ms:7.2f} ms  cpu {self.cpu_ms_per_request:5.2f} ms/req  "
            f"[{codes}; socket errors {self.socket_errors}]"
        )


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench intake_load", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="15s", help="wrk -d of every measured run")
    parser.add_argument("--warmup", default="5s", help="wrk -d of the unmeasured first run")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    return parser.parse_args(args)


@functools.cache
def _prctl():
    return ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:
    """Runs in the child before exec: if the benchmark is killed outright (``./pratikriya``
    gives it a quarter of a second after Ctrl-C), the child is sent SIGTERM too. ``_prctl``
    is looked up in the parent, as loading a library in a forked child can deadlock."""
    _prctl()(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def gunicorn(app: str, name: str, workdir: Path, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """Runs ``app`` like ``ops.services`` runs intake, on a free port, until the block ends
    (normally, by an error or by Ctrl-C); yields the port and the master's pid."""
    settings = services.SERVICES["intake"]
    port = free_port()
    metrics_dir = workdir / f"prometheus-{name}"
    metrics_dir.mkdir()
    argv = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(settings.workers), "--worker-class", "gthread",
        "--threads", str(settings.threads), "--timeout", "30", "--graceful-timeout", "20",
        "--access-logfile", str(workdir / f"{name}-access.log"),
        "--chdir", str(REPO),
    ]  # fmt: skip
    log_path = workdir / f"{name}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            preexec_fn=_die_with_parent,
        )
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{_tail(log_path)}")
            time.sleep(0.1)
        yield port, proc.pid
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(25)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def process_tree_cpu_s(pid: int) -> float:
    """User and system CPU seconds of ``pid`` and its live children (gunicorn's workers)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_wrk(
    server: tuple[int, int], duration: str, opts: argparse.Namespace, script_args: list[str]
) -> WrkResult:
    """One wrk run against ``server`` (port, gunicorn pid), with the server's CPU time."""
    port, pid = server
    cpu_before = process_tree_cpu_s(pid)
    argv = [
        "wrk", f"-t{opts.threads}", f"-c{opts.connections}", f"-d{duration}",
        "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}", "--", *script_args,
    ]  # fmt: skip
    done = subprocess.run(
        argv, capture_output=True, text=True, check=True, preexec_fn=_die_with_parent
    )
    fields: dict[str, dict[str, str]] = {}
    for line in done.stdout.splitlines():
        head, _, rest = line.partition(" ")
        if head in ("STATUS", "LATENCY_MS", "SUMMARY"):
            fields[head] = dict(word.split("=", 1) for word in rest.split())
    if set(fields) != {"STATUS", "LATENCY_MS", "SUMMARY"}:
        raise RuntimeError(f"unexpected wrk output:\n{done.stdout}\n{done.stderr}")
    summary = fields["SUMMARY"]
    server_cpu_s = process_tree_cpu_s(pid) - cpu_before
    return WrkResult(
        statuses={int(code): int(n) for code, n in fields["STATUS"].items()},
        p50_ms=float(fields["LATENCY_MS"]["p50"]),
        p99_ms=float(fields["LATENCY_MS"]["p99"]),
        duration_s=float(summary["duration_s"]),
        socket_errors=sum(int(summary[k]) for k in ("connect", "read", "write", "timeout")),
        server_cpu_s=server_cpu_s,
    )


class TopicCount:
    """Counts the events on the feedback topic, in all and those carrying a run's tag."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            enable_auto_commit=False,
            client_id="bench",
            **kafka_security(),
        )
        partitions = self._consumer.partitions_for_topic(FEEDBACK_TOPIC) or set()
        if not partitions:
            raise RuntimeError(f"topic {FEEDBACK_TOPIC} has no partitions")
        self._partitions = [TopicPartition(FEEDBACK_TOPIC, p) for p in sorted(partitions)]
        self._consumer.assign(self._partitions)

    def end_offsets(self) -> dict[TopicPartition, int]:
        return self._consumer.end_offsets(self._partitions)

    def tagged(self, start: dict, end: dict, tag: bytes) -> int:
        """Events between the two offset snapshots whose body contains ``tag``."""
        pending = {tp for tp in self._partitions if end[tp] > start[tp]}
        for tp in pending:
            self._consumer.seek(tp, start[tp])
        found, deadline = 0, time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for tp, records in self._consumer.poll(timeout_ms=500, max_records=5000).items():
                found += sum(1 for r in records if r.offset < end[tp] and tag in r.value)
                if self._consumer.position(tp) >= end[tp]:
                    pending.discard(tp)
        if pending:
            raise RuntimeError("could not read back the benchmark's events within 60 s")
        return found

    def close(self) -> None:
        self._consumer.close()


def ensure_publish_topic(bootstrap_servers: str) -> None:
    """The bare publisher's topic, with the feedback topic's partitions and a day's retention
    (nothing reads it), made as every topic of the system is made."""
    spec = TopicSpec(PUBLISH_TOPIC, BY_NAME[FEEDBACK_TOPIC].partitions, retention_days=1)
    ensure_topics(bootstrap_servers, topics=(spec,), client_id="bench")


def _signed_code(env: dict[str, str]) -> list[str]:
    with db.connection(env["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT qr_version FROM stations WHERE code = %s", (STATION,))
        row = cur.fetchone()
    if row is None:
        raise RuntimeError(f"station {STATION} is not seeded")
    version = int(row[0])
    return [STATION, str(version), sign(env["QR_SIGNING_KEY"].encode(), STATION, version)]


def accepted_in_log(access_log: Path, offset: int) -> tuple[int, int]:
    """202s to the feedback API that gunicorn logged after byte ``offset``; and the new
    offset. Unlike wrk's count, these include answers to requests still in flight when wrk
    stopped, which intake published all the same."""
    with open(access_log, "rb") as log:
        log.seek(offset)
        lines = log.read().splitlines()
        # A line still being written waits for the next read.
        if lines and not lines[-1].endswith(b'"'):
            lines.pop()
        offset += sum(len(line) + 1 for line in lines)
    # 127.0.0.1 - - [time] "POST /api/v1/feedback HTTP/1.1" 202 52 "-" "-"
    accepted = 0
    for line in lines:
        parts = line.split(b'"')
        if len(parts) > 2 and parts[1].startswith(b"POST /api/v1/feedback "):
            accepted += parts[2].split()[:1] == [b"202"]
    return accepted, offset


def _settle(topic: TopicCount, access_log: Path) -> dict[TopicPartition, int]:
    """Waits until the topic and the access log stop growing (requests wrk left in flight
    are answered within intake's publish timeout); returns the end offsets."""
    last = None
    for _ in range(40):
        now = (topic.end_offsets(), access_log.stat().st_size)
        if now == last:
            return now[0]
        last = now
        time.sleep(0.5)
    raise RuntimeError("the feedback topic or intake's access log kept growing after the run")


def _intake_round(server, opts, script_args, topic, tag, access_log) -> tuple[WrkResult, str]:
    before = _settle(topic, access_log)
    _, log_offset = accepted_in_log(access_log, 0)
    result = run_wrk(server, opts.duration, opts, script_args)
    after = _settle(topic, access_log)
    logged, _ = accepted_in_log(access_log, log_offset)
    added = sum(after[tp] - before[tp] for tp in after)
    ours = topic.tagged(before, after, tag)
    seen = result.statuses.get(202, 0)
    ok = ours == logged and seen <= logged <= seen + opts.connections
    foreign = f", {added - ours} from other producers" if added != ours else ""
    check = (
        f"kafka: +{added} events ({ours} of this run{foreign}); 202s: {seen} seen by wrk, "
        f"{logged} in intake's access log (wrk drops answers still in flight when it stops)"
        f": {'ok' if ok else 'MISMATCH'}"
    )
    return result, check


def _median_ratio(pairs: list[tuple[float, float]]) -> float:
    return statistics.median(candidate / base for base, candidate in pairs if base)


def run(args: list[str]) -> list[dict]:
    opts = parse_args(args)
    env = dict(os.environ)
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed")
    run_tag = uuid.uuid4().hex[:12]
    script_args = [*_signed_code(env), run_tag]
    tag = f"(bench {run_tag})".encode()
    intake_env = {**env, "INTAKE_LIMIT_PER_ADDRESS_PER_HOUR": str(ADDRESS_LIMIT)}
    print(
        f"intake_load: wrk -t{opts.threads} -c{opts.connections} -d{opts.duration}, "
        f"{opts.rounds} rounds after a {opts.warmup} warm-up; gunicorn "
        f"{services.SERVICES['intake'].workers} gthread workers x "
        f"{services.SERVICES['intake'].threads} threads for both apps\n"
        f"intake_load: intake runs with INTAKE_LIMIT_PER_ADDRESS_PER_HOUR={ADDRESS_LIMIT} "
        "(all load comes from 127.0.0.1); the per-mobile limit is unchanged and every "
        "request has a new random mobile",
        flush=True,
    )
    _prctl()
    ensure_publish_topic(env["KAFKA_BOOTSTRAP_SERVERS"])
    publisher_env = {**env, "BENCH_PUBLISH_TOPIC": PUBLISH_TOPIC}
    bare: list[WrkResult] = []
    publisher: list[WrkResult] = []
    intake: list[WrkResult] = []
    checks_ok = True
    topic = TopicCount(env["KAFKA_BOOTSTRAP_SERVERS"])
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pratikriya-bench-") as tmp,
            gunicorn("bench.bare_app:create_app()", "bare", Path(tmp), env) as bare_server,
            gunicorn(
                "bench.bare_publisher:create_app()", "publisher", Path(tmp), publisher_env
            ) as publisher_server,
            gunicorn(
                "services.intake.entrypoints.http:wsgi()", "intake", Path(tmp), intake_env
            ) as server,
        ):
            access_log = Path(tmp) / "intake-access.log"
            servers = (("bare", bare_server), ("publisher", publisher_server), ("intake", server))
            for name, each in servers:
                warm = run_wrk(each, opts.warmup, opts, script_args)
                print(f"  warm-up {name:<9} {warm.describe()}", flush=True)
            for n in range(1, opts.rounds + 1):
                bare.append(run_wrk(bare_server, opts.duration, opts, script_args))
                print(f"  round {n} bare      {bare[-1].describe()}", flush=True)
                publisher.append(run_wrk(publisher_server, opts.duration, opts, script_args))
                print(f"  round {n} publisher {publisher[-1].describe()}", flush=True)
                result, check = _intake_round(server, opts, script_args, topic, tag, access_log)
                intake.append(result)
                checks_ok &= check.endswith(": ok")
                print(f"  round {n} intake    {result.describe()}\n          {check}", flush=True)
    finally:
        topic.close()
    return _rows(bare, intake, checks_ok) + _publisher_rows(publisher, intake)


def _compared(metric: str, base: list[WrkResult], intake: list[WrkResult], pick, **extra) -> dict:
    """One row: ``pick`` of a baseline's runs and of intake's, round by round."""
    pairs = [(pick(b), pick(i)) for b, i in zip(base, intake, strict=True)]
    return {
        "benchmark": "intake_load",
        "metric": metric,
        "baseline": statistics.median(b for b, _ in pairs),
        "candidate": statistics.median(i for _, i in pairs),
        "ratio": _median_ratio(pairs),
        **extra,
    }


def _publisher_rows(publisher: list[WrkResult], intake: list[WrkResult]) -> list[dict]:
    """Intake against the bare publisher."""
    return [
        _compared(
            "accepted req/s vs bare publisher",
            publisher,
            intake,
            lambda r: r.accepted_per_s,
            target=TARGET_PUBLISHER_RATIO,
            note="intake accepts at least 80% of the rate of an app that only publishes",
        ),
        _compared(
            "server CPU ms/request vs bare publisher",
            publisher,
            intake,
            lambda r: r.cpu_ms_per_request,
        ),
    ]


def _rows(bare: list[WrkResult], intake: list[WrkResult], checks_ok: bool) -> list[dict]:
    """Intake against the bare Flask app, and the check of every 202."""
    return [
        _compared(
            "accepted req/s",
            bare,
            intake,
            lambda r: r.accepted_per_s,
            target=TARGET_RATIO,
            note="intake accepts at least 60% of the bare app's rate",
        ),
        _compared("p50 latency ms", bare, intake, lambda r: r.p50_ms),
        _compared("p99 latency ms", bare, intake, lambda r: r.p99_ms),
        _compared("server CPU ms/request", bare, intake, lambda r: r.cpu_ms_per_request),
        {
            "benchmark": "intake_load",
            "metric": "every 202 acknowledged by Kafka",
            "baseline": "-",
            "candidate": "yes" if checks_ok else "NO",
            "ratio": "-",
        },
    ]
