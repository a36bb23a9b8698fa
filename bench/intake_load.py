"""Intake under load: accepted feedback per second against a bare Flask app, same gunicorn.

Both apps run under gunicorn with intake's production settings (workers, gthread threads,
timeouts and an access log, taken from ``ops.services``) on free loopback ports, and the same
wrk command drives each in turn: a warm-up, then ``--rounds`` rounds of baseline then intake,
so the machine's noise falls on both. The figure that matters is the median over rounds of
intake's accepted requests per second divided by the baseline's.

Every 202 from intake must be an event on ``feedback.submitted``: the sum of the topic's end
offsets is read before and after each intake run and compared with the 202s wrk counted.
Events carry the run's tag in their comment, so a test run writing to the same topic at the
same time is told apart instead of passing for ours.

Needs the test profile's servers (``./pratikriya bench`` starts them) and wrk.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
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
from shared.events import FEEDBACK_TOPIC
from shared.signing import sign

REPO = Path(__file__).resolve().parents[1]
LUA_SCRIPT = REPO / "bench" / "post_feedback.lua"
STATION = "GGN-SADAR"
TARGET_RATIO = 0.60
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

    @property
    def accepted_per_s(self) -> float:
        return self.statuses.get(202, 0) / self.duration_s

    def describe(self) -> str:
        codes = " ".join(f"{code}={n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.accepted_per_s:8.1f} accepted/s  p50 {self.p50_ms:6.2f} ms  "
            f"p99 {self.p99_ms:7.2f} ms  [{codes}; socket errors {self.socket_errors}]"
        )


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench intake_load", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="15s", help="wrk -d of every measured run")
    parser.add_argument("--warmup", default="5s", help="wrk -d of the unmeasured first run")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    return parser.parse_args(args)


def _die_with_parent() -> None:
    """Runs in the child before exec: if the benchmark is killed outright (``./pratikriya``
    gives it a quarter of a second after Ctrl-C), the child is sent SIGTERM too."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def gunicorn(app: str, name: str, workdir: Path, env: dict[str, str]) -> Iterator[int]:
    """Runs ``app`` like ``ops.services`` runs intake, on a free port, until the block ends
    (normally, by an error or by Ctrl-C); yields the port."""
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
        yield port
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


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_wrk(port: int, duration: str, opts: argparse.Namespace, script_args: list[str]) -> WrkResult:
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
    return WrkResult(
        statuses={int(code): int(n) for code, n in fields["STATUS"].items()},
        p50_ms=float(fields["LATENCY_MS"]["p50"]),
        p99_ms=float(fields["LATENCY_MS"]["p99"]),
        duration_s=float(summary["duration_s"]),
        socket_errors=sum(int(summary[k]) for k in ("connect", "read", "write", "timeout")),
    )


class TopicCount:
    """Counts the events on the feedback topic, in all and those carrying a run's tag."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers, enable_auto_commit=False, client_id="bench"
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


def _signed_code(env: dict[str, str]) -> list[str]:
    with db.connection(env["DATABASE_URL"]) as conn, db.transaction(conn) as cur:
        cur.execute("SELECT qr_version FROM stations WHERE code = %s", (STATION,))
        row = cur.fetchone()
    if row is None:
        raise RuntimeError(f"station {STATION} is not seeded")
    version = int(row[0])
    return [STATION, str(version), sign(env["QR_SIGNING_KEY"].encode(), STATION, version)]


def _intake_round(port, opts, script_args, topic, tag) -> tuple[WrkResult, str]:
    before = topic.end_offsets()
    result = run_wrk(port, opts.duration, opts, script_args)
    time.sleep(0.5)  # answers already waited for the acks; this is only for the offsets read
    after = topic.end_offsets()
    added = sum(after[tp] - before[tp] for tp in after)
    ours = topic.tagged(before, after, tag)
    accepted = result.statuses.get(202, 0)
    verdict = "ok" if ours == accepted else "MISMATCH"
    foreign = f", {added - ours} from other producers" if added != ours else ""
    check = f"kafka +{added} events ({ours} of this run{foreign}) vs {accepted} 202s: {verdict}"
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
    bare: list[WrkResult] = []
    intake: list[WrkResult] = []
    checks_ok = True
    topic = TopicCount(env["KAFKA_BOOTSTRAP_SERVERS"])
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pratikriya-bench-") as tmp,
            gunicorn("bench.bare_app:create_app()", "bare", Path(tmp), env) as bare_port,
            gunicorn("services.intake.app:wsgi()", "intake", Path(tmp), intake_env) as port,
        ):
            for name, p in (("bare", bare_port), ("intake", port)):
                warm = run_wrk(p, opts.warmup, opts, script_args)
                print(f"  warm-up {name:<6} {warm.describe()}", flush=True)
            for n in range(1, opts.rounds + 1):
                bare.append(run_wrk(bare_port, opts.duration, opts, script_args))
                print(f"  round {n} bare   {bare[-1].describe()}", flush=True)
                result, check = _intake_round(port, opts, script_args, topic, tag)
                intake.append(result)
                checks_ok &= check.endswith(": ok")
                print(f"  round {n} intake {result.describe()}\n          {check}", flush=True)
    finally:
        topic.close()
    return _rows(bare, intake, checks_ok)


def _rows(bare: list[WrkResult], intake: list[WrkResult], checks_ok: bool) -> list[dict]:
    def row(metric: str, pick, **extra) -> dict:
        pairs = [(pick(b), pick(i)) for b, i in zip(bare, intake, strict=True)]
        return {
            "benchmark": "intake_load",
            "metric": metric,
            "baseline": statistics.median(b for b, _ in pairs),
            "candidate": statistics.median(i for _, i in pairs),
            "ratio": _median_ratio(pairs),
            **extra,
        }

    return [
        row(
            "accepted req/s",
            lambda r: r.accepted_per_s,
            target=TARGET_RATIO,
            note="intake accepts at least 60% of the bare app's rate",
        ),
        row("p50 latency ms", lambda r: r.p50_ms),
        row("p99 latency ms", lambda r: r.p99_ms),
        {
            "benchmark": "intake_load",
            "metric": "every 202 acknowledged by Kafka",
            "baseline": "-",
            "candidate": "yes" if checks_ok else "NO",
            "ratio": "-",
        },
    ]
