"""Starting and stopping Pratikriya's own processes on one machine.

HTTP services run under gunicorn; workers (Kafka consumers, timers) run as
``python -m <module>``; both from the runtime environment (``.data/runtime``: the locked
dependencies without the test and dev tools; ``PRATIKRIYA_RUNTIME_PYTHON`` names its python).
Each runs detached with a pid file under ``<data>/run`` and a log under ``<data>/logs``; an
HTTP service's start waits until ``/healthz`` answers, a worker's until it has stayed up for
a moment.

A consumer worker runs as N members of its consumer group (``ANALYTICS_CONSUMERS``,
``NOTIFIER_CONSUMERS``; 1 by default), each a process of its own: the first keeps the
worker's name (``analytics-consumer.pid``, ``analytics-consumer.log``), the others are
``<name>-2``, ``<name>-3``... Kafka shares the topic's partitions among them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ops import db_roles, stack
from ops.stack import kafka_users


@dataclass(frozen=True)
class Service:
    name: str
    app: str  # gunicorn's "module:factory()" target
    port_env: str
    default_port: int
    db_role: str  # its own PostgreSQL login (ops/db_roles.py)
    workers: int = 2
    threads: int = 8

    def port(self, env: Mapping[str, str]) -> int:
        return int(env.get(self.port_env) or self.default_port)


@dataclass(frozen=True)
class Worker:
    name: str
    module: str  # run as ``python -m module``; it must stop cleanly on SIGTERM
    db_role: str
    # The setting that says how many members of its consumer group to run (None: one).
    members_env: str | None = None

    def members(self, env: Mapping[str, str]) -> int:
        """How many members to run; a setting that is not a whole number from 1 to 64 is a
        mistake to say, not to guess at."""
        raw = env.get(self.members_env, "") if self.members_env else ""
        if not raw.strip():
            return 1
        if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_MEMBERS:
            raise stack.StackError(
                f"{self.members_env}={raw!r}: give a whole number from 1 to {MAX_MEMBERS}"
            )
        return int(raw)


MAX_MEMBERS = 64


@dataclass(frozen=True)
class Member:
    """One process of a worker: member 1 carries the worker's own name."""

    worker: Worker
    number: int

    @property
    def name(self) -> str:
        return self.worker.name if self.number == 1 else f"{self.worker.name}-{self.number}"

    @property
    def db_role(self) -> str:
        return self.worker.db_role


# The Kafka user each process logs in as (ops/stack/kafka_users.py: its topics and groups).
KAFKA_USERS = {
    "intake": "intake",
    "qr": "qr",
    "analytics": "analytics",
    "notifier": "notifier",
    "ops": "ops",
    "analytics-consumer": "analytics",
    "notifier-worker": "notifier",
}

# Started in this order, stopped in the reverse order.
SERVICES = {
    "intake": Service(
        "intake", "services.intake.entrypoints.http:wsgi()", "INTAKE_PORT", 8001, db_roles.INTAKE
    ),
    "qr": Service("qr", "services.qr.entrypoints.http:wsgi()", "QR_PORT", 8002, db_roles.QR),
    "analytics": Service(
        "analytics",
        "services.analytics.entrypoints.http:wsgi()",
        "ANALYTICS_PORT",
        8003,
        db_roles.ANALYTICS,
    ),
    "notifier": Service(
        "notifier",
        "services.notifier.entrypoints.http:wsgi()",
        "NOTIFIER_PORT",
        8004,
        db_roles.NOTIFIER,
    ),
    # Operations: the page, the lag history and the lag metrics (ops/console).
    "ops": Service("ops", "ops.console.http:wsgi()", "OPS_PORT", 8005, db_roles.OPS),
}
WORKERS: dict[str, Worker] = {
    "analytics-consumer": Worker(
        "analytics-consumer",
        "services.analytics.entrypoints.worker",
        db_roles.CONSUMER,
        members_env="ANALYTICS_CONSUMERS",
    ),
    "notifier-worker": Worker(
        "notifier-worker",
        "services.notifier.entrypoints.worker",
        db_roles.NOTIFIER,
        members_env="NOTIFIER_CONSUMERS",
    ),
}


# Every service role's password (secrets.env): a process gets none of them, only the
# DATABASE_URL of its own role.
DB_PASSWORD_KEYS = frozenset(db_roles.password_key(role) for role in db_roles.SERVICE_ROLES)


def process_env(env: Mapping[str, str], process: Service | Worker | Member) -> dict[str, str]:
    """``env`` with the DATABASE_URL of the process's own role instead of the owner's, and
    without the roles' passwords (another role's would give it another's grants)."""
    child = {k: v for k, v in env.items() if k not in DB_PASSWORD_KEYS}
    child["DATABASE_URL"] = db_roles.service_database_url(env, process.db_role)
    return child


# Secrets only one process may hold: the analytics consumer's private sealing keys.
HELD_BY = {"ANALYTICS_SEAL_KEYS": "analytics-consumer"}


def env_for(name: str, env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without the secrets another process holds alone."""
    return {k: v for k, v in env.items() if HELD_BY.get(k, name) == name}


def runtime_python(env: Mapping[str, str]) -> str:
    """The interpreter of the runtime environment the services run from."""
    python = env.get("PRATIKRIYA_RUNTIME_PYTHON") or str(
        stack.REPO_DIR / ".data" / "runtime" / "bin" / "python"
    )
    if not os.access(python, os.X_OK):
        raise stack.StackError(f"no runtime environment at {python}: run ./pratikriya up once")
    return python


def _pid_file(cfg: stack.StackConfig, service: Service | Worker | Member) -> Path:
    return cfg.data_dir / "run" / f"{service.name}.pid"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def service_pid(cfg: stack.StackConfig, service: Service | Worker | Member) -> int | None:
    path = _pid_file(cfg, service)
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if stack.pid_alive(pid) else None


def start_service(cfg: stack.StackConfig, name: str, env: Mapping[str, str]) -> int:
    """Start ``name`` under gunicorn unless it already runs; returns its port."""
    service = SERVICES[name]
    port = service.port(env)
    if service_pid(cfg, service) and _healthy(port):
        return port
    if stack.port_open("127.0.0.1", port):
        raise stack.StackError(
            f"port {port} for {name} is taken by another program; set {service.port_env}"
        )
    run, logs = cfg.data_dir / "run", cfg.data_dir / "logs"
    run.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    # prometheus-client's multiprocess mode: each worker writes here, /metrics adds them up.
    metrics_dir = run / f"prometheus-{name}"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    child_env = {
        **kafka_users.login_env(process_env(env_for(name, env), service), KAFKA_USERS[name]),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    argv = [
        runtime_python(env), "-m", "gunicorn", service.app,
        "--bind", f"{env.get('BIND_HOST', '127.0.0.1')}:{port}",
        "--workers", str(service.workers), "--worker-class", "gthread",
        "--threads", str(service.threads), "--timeout", "30", "--graceful-timeout", "20",
        "--pid", str(_pid_file(cfg, service)),
        # Its default socket path is per user, so two installations would fight over it.
        "--no-control-socket",
        "--access-logfile", str(logs / f"{name}-access.log"),
        "--chdir", str(cfg.repo_dir),
    ]  # fmt: skip
    log = logs / f"{name}.log"
    pid = stack.spawn(argv, log, child_env)
    if not stack.wait_for(lambda: _healthy(port) or not stack.pid_alive(pid), 30):
        raise stack.StackError(f"{name} did not answer on port {port}\n{stack.tail(log)}")
    if not _healthy(port):
        raise stack.StackError(f"{name} exited at start\n{stack.tail(log)}")
    return port


def start_worker(cfg: stack.StackConfig, name: str, env: Mapping[str, str]) -> int:
    """Start worker ``name``'s members (as many as its setting says) unless they already
    run, and stop the members past that number; returns the first member's pid."""
    worker = WORKERS[name]
    count = worker.members(env)
    pids = [start_member(cfg, name, env, number) for number in range(1, count + 1)]
    for member in running_members(cfg, name):
        if member.number > count:
            stop_member(cfg, member)
    return pids[0]


def start_member(cfg: stack.StackConfig, name: str, env: Mapping[str, str], number: int) -> int:
    """Start member ``number`` of worker ``name`` unless it already runs; returns its pid."""
    worker = WORKERS[name]
    member = Member(worker, number)
    pid = service_pid(cfg, member)
    if pid:
        return pid
    logs = cfg.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    _pid_file(cfg, member).parent.mkdir(parents=True, exist_ok=True)
    log = logs / f"{member.name}.log"
    # The secrets a worker holds alone are held by each of its members.
    child_env = kafka_users.login_env(process_env(env_for(name, env), member), KAFKA_USERS[name])
    pid = stack.spawn([runtime_python(env), "-m", worker.module], log, child_env)
    _pid_file(cfg, member).write_text(f"{pid}\n")
    # A worker that cannot start (bad settings, unreachable servers) exits at once.
    if stack.wait_for(lambda: not stack.pid_alive(pid), 2.0):
        raise stack.StackError(f"{member.name} exited at start\n{stack.tail(log)}")
    return pid


def running_members(cfg: stack.StackConfig, name: str) -> list[Member]:
    """The members of worker ``name`` that have a pid file, whatever the setting says now
    (``down`` stops those an earlier ``up`` started with a larger number)."""
    worker = WORKERS[name]
    pattern = re.compile(rf"{re.escape(name)}(?:-(\d+))?\.pid")
    numbers = []
    for path in (cfg.data_dir / "run").glob(f"{name}*.pid"):
        found = pattern.fullmatch(path.name)
        if found:
            numbers.append(int(found.group(1) or 1))
    return [Member(worker, n) for n in sorted(numbers)]


def members_status(cfg: stack.StackConfig, name: str, env: Mapping[str, str]) -> dict[str, bool]:
    """Member name -> running, for the members the setting asks for and any other that has
    a pid file."""
    worker = WORKERS[name]
    wanted = {Member(worker, n) for n in range(1, worker.members(env) + 1)}
    members = sorted(wanted | set(running_members(cfg, name)), key=lambda m: m.number)
    return {m.name: service_pid(cfg, m) is not None for m in members}


def stop_member(cfg: stack.StackConfig, member: Member) -> None:
    pid = service_pid(cfg, member)
    if pid:
        stack.terminate(pid, signal.SIGTERM)
    _pid_file(cfg, member).unlink(missing_ok=True)


def stop_service(cfg: stack.StackConfig, name: str) -> None:
    """Stop the HTTP service or worker ``name`` (every member of it) with SIGTERM: each
    finishes what it is doing."""
    if name in WORKERS:
        members = running_members(cfg, name)
        # All asked at once, so the group rebalances once rather than once per member.
        for member in members:
            pid = service_pid(cfg, member)
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        for member in reversed(members):
            stop_member(cfg, member)
        return
    service = SERVICES[name]
    pid = service_pid(cfg, service)
    if pid:
        stack.terminate(pid, signal.SIGTERM)
    _pid_file(cfg, service).unlink(missing_ok=True)


def ensure_environment(env: dict[str, str]) -> None:
    """Keep our own packages importable in the children, whatever the caller's directory."""
    repo = str(stack.REPO_DIR)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if repo not in paths:
        env["PYTHONPATH"] = os.pathsep.join([repo, *paths])
