"""Start and stop Kafka, PostgreSQL and Redis for one machine, without Docker.

All state lives under one data folder (default ``<repo>/.data``, env ``PRATIKRIYA_DATA_DIR``):

    <data>/run/            pid files and locks
    <data>/logs/           console output of the servers we start ourselves
    <data>/kafka/          libs/ (jars copied by Maven), server.properties, cluster.id,
                           data/ (log.dirs), logs/server.log (Log4j 2)
    <data>/postgres/       data/ (the cluster), run/ (unix socket), postgres.log
    <data>/redis/          append-only files; redis.log

Every ``start_*`` is idempotent and returns only once the server accepts connections; every
``stop_*`` is idempotent, asks politely first and kills after a bounded wait. Servers are
started in their own session so they outlive the Python process that started them. Failures
raise :class:`StackError` with the tail of the log that explains them.

Command line: ``python -m ops.stack up|down|status``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import grp
import hashlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_DIR = Path(__file__).resolve().parents[1]

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_DATABASE_URL = "postgresql://pratikriya:pratikriya@127.0.0.1:5432/pratikriya"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

KAFKA_START_TIMEOUT = 60.0
POSTGRES_START_TIMEOUT = 60
REDIS_START_TIMEOUT = 15.0
STOP_TIMEOUT = 30.0
KAFKA_STARTED_LINE = "Kafka Server started"


class StackError(RuntimeError):
    """A server could not be started or stopped; the message says why and shows its log."""


@dataclass(frozen=True)
class StackConfig:
    repo_dir: Path
    data_dir: Path
    kafka_host: str
    kafka_port: int
    kafka_controller_port: int
    postgres_host: str
    postgres_port: int
    postgres_db: str
    postgres_user: str
    postgres_password: str = field(repr=False)
    redis_host: str
    redis_port: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StackConfig:
        """Read the stack's settings from the same variables the services use."""
        repo_dir = REPO_DIR
        data_dir = Path(env.get("PRATIKRIYA_DATA_DIR") or repo_dir / ".data").resolve()
        bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_KAFKA_BOOTSTRAP
        kafka_host, kafka_port = _split_host_port(bootstrap.split(",")[0].strip())
        controller = env.get("KAFKA_CONTROLLER_PORT")
        db = urlsplit(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        redis = urlsplit(env.get("REDIS_URL") or DEFAULT_REDIS_URL)
        return cls(
            repo_dir=repo_dir,
            data_dir=data_dir,
            kafka_host=kafka_host,
            kafka_port=kafka_port,
            kafka_controller_port=int(controller) if controller else kafka_port + 1,
            postgres_host=db.hostname or "127.0.0.1",
            postgres_port=db.port or 5432,
            postgres_db=unquote(db.path.lstrip("/")) or "pratikriya",
            postgres_user=unquote(db.username or "pratikriya"),
            postgres_password=unquote(db.password or ""),
            redis_host=redis.hostname or "127.0.0.1",
            redis_port=redis.port or 6379,
        )


def _split_host_port(entry: str) -> tuple[str, int]:
    """``host:port``, ``PLAINTEXT://host:port`` or ``[::1]:port`` -> (host, port)."""
    entry = entry.split("://", 1)[-1]
    host, _, port = entry.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


# --------------------------------------------------------------------------- process helpers
# pid_alive, port_open, wait_for, tail, spawn and terminate are shared with ops/services.py.


def _run_dir(cfg: StackConfig) -> Path:
    path = cfg.data_dir / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _logs_dir(cfg: StackConfig) -> Path:
    path = cfg.data_dir / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _locked(cfg: StackConfig, name: str) -> Iterator[None]:
    """Serialise start/stop of one server between processes (parallel test workers)."""
    with open(_run_dir(cfg) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs; reaps it if it is our own exited child (else it stays a zombie)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat_line.rpartition(")")[2].split()[0] not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _our_pid(pid_file: Path, marker: str) -> int | None:
    """The pid in ``pid_file`` if that process still runs and is ours (``marker`` in argv)."""
    pid = _read_pid(pid_file)
    if pid is not None and pid_alive(pid) and marker in _cmdline(pid):
        return pid
    return None


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def tail(path: Path, lines: int = 30) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return f"--- last lines of {path} ---\n" + "\n".join(text.splitlines()[-lines:])


def _error(message: str, *logs: Path) -> StackError:
    return StackError("\n".join([message, *(tail(log) for log in logs)]))


def spawn(argv: list[str], log: Path, env: Mapping[str, str] | None = None) -> int:
    """Start ``argv`` detached (own session, stdin /dev/null, output appended to ``log``).

    posix_spawn rather than Popen: the server outlives us, and a Popen object dropped while
    its child runs warns (ResourceWarning) in every test that starts a server.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    env = dict(os.environ if env is None else env)
    return os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True)


def terminate(pid: int, first: signal.Signals, timeout: float = STOP_TIMEOUT) -> None:
    """Send ``first``, wait up to ``timeout`` seconds, then SIGKILL; return once it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, first)
    if wait_for(lambda: not pid_alive(pid), timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not wait_for(lambda: not pid_alive(pid), 10):
        raise StackError(f"process {pid} survived SIGKILL")


def _port_taken(what: str, host: str, port: int, env_var: str, hint: str = "") -> StackError:
    return StackError(
        f"cannot start {what}: {host}:{port} is already in use by a program this data folder "
        f"did not start{hint}. Stop that program, or choose another port with {env_var}."
    )


# --------------------------------------------------------------------------------- kafka


def _kafka_dir(cfg: StackConfig) -> Path:
    return cfg.data_dir / "kafka"


def _kafka_pid_file(cfg: StackConfig) -> Path:
    return _run_dir(cfg) / "kafka.pid"


def _kafka_props(cfg: StackConfig) -> Path:
    return _kafka_dir(cfg) / "server.properties"


def _kafka_log(cfg: StackConfig) -> Path:
    return _kafka_dir(cfg) / "logs" / "server.log"


def _kafka_console_log(cfg: StackConfig) -> Path:
    return _logs_dir(cfg) / "kafka.out"


def ensure_kafka_jars(cfg: StackConfig) -> Path:
    """Copy the broker's jars into ``<data>/kafka/libs`` with Maven; return that folder.

    Copies again only when ``ops/kafka/pom.xml`` changed (its hash is kept in a stamp file).
    Raises StackError if Maven is missing or fails (Maven's output is in the message).
    """
    pom = cfg.repo_dir / "ops" / "kafka" / "pom.xml"
    libs = _kafka_dir(cfg) / "libs"
    stamp = libs / ".pom.sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError("cannot fetch Kafka's jars: Maven (mvn) is not installed")
    staging = libs.with_name("libs.new")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
    ]
    print("fetching Kafka's jars with Maven ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not any(staging.glob("kafka_2.13-*.jar")):
        output = (done.stdout + done.stderr).strip().splitlines()[-30:]
        raise StackError("Maven could not copy Kafka's jars:\n" + "\n".join(output))
    (staging / stamp.name).write_text(digest + "\n")
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return libs


def _kafka_properties(cfg: StackConfig) -> str:
    host, port, ctrl = cfg.kafka_host, cfg.kafka_port, cfg.kafka_controller_port
    # Static quorum (controller.quorum.voters, storage formatted without --standalone): the
    # voter's address is then not written into the formatted storage, so changing
    # KAFKA_CONTROLLER_PORT later needs no re-format.
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{ctrl}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{ctrl}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(_kafka_dir(cfg) / "data"),
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    lines = [f"{key}={value}" for key, value in settings.items()]
    return "# Written by ops/stack.py on every start; edit StackConfig, not this file.\n" + (
        "\n".join(lines) + "\n"
    )


def _new_cluster_id() -> str:
    """What ``kafka-storage random-uuid`` prints, without starting a JVM for it."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka avoids ids that look like a CLI option
            return text


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise StackError("cannot start Kafka: no java found (install openjdk-17-jre-headless)")
    return java


def _class_archive(java: str, libs: Path) -> list[str]:
    """JVM options for a class-data archive of the broker (AppCDS), which halves its start.

    The first start asks the JVM to write the archive when it exits (adds a few seconds to
    that stop); later starts map it. The archive lives in libs/ (gone when the jars are
    fetched again) and its name carries the JVM's identity, so a new JDK makes a new one.
    """
    binary = Path(java).resolve()
    tag = hashlib.sha256(f"{binary}:{binary.stat().st_mtime_ns}".encode()).hexdigest()[:12]
    archive = libs / f"kafka-{tag}.jsa"
    if archive.is_file():
        return [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
    for stale in libs.glob("kafka-*.jsa"):  # made by a JVM that is no longer installed
        stale.unlink()
    return [f"-XX:ArchiveClassesAtExit={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]


def _kafka_java(cfg: StackConfig, libs: Path, main: str, *args: str) -> list[str]:
    java = _java()
    log4j = cfg.repo_dir / "ops" / "kafka" / "log4j2.xml"
    archive = _class_archive(java, libs) if main == "kafka.Kafka" else []
    return [
        java,
        *archive,
        "-Xmx512m",
        "-Xms256m",
        "-server",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        f"-Dkafka.logs.dir={_kafka_log(cfg).parent}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


def _format_kafka_storage(cfg: StackConfig, libs: Path) -> None:
    data = _kafka_dir(cfg) / "data"
    if (data / "meta.properties").is_file():
        return
    id_file = _kafka_dir(cfg) / "cluster.id"
    if not id_file.is_file():
        id_file.write_text(_new_cluster_id() + "\n")
    cluster_id = id_file.read_text().strip()
    command = _kafka_java(
        cfg,
        libs,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster_id,
        "-c",
        str(_kafka_props(cfg)),
        "--ignore-formatted",
    )
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackError("cannot format Kafka's storage:\n" + (done.stdout + done.stderr)[-3000:])


def _check_kafka_ports(cfg: StackConfig) -> None:
    for port, var in (
        (cfg.kafka_port, "KAFKA_BOOTSTRAP_SERVERS"),
        (cfg.kafka_controller_port, "KAFKA_CONTROLLER_PORT"),
    ):
        if port_open(cfg.kafka_host, port):
            raise _port_taken("Kafka", cfg.kafka_host, port, var)


def kafka_running(cfg: StackConfig) -> bool:
    """True if our broker runs and accepts connections on its client port."""
    pid = _our_pid(_kafka_pid_file(cfg), str(_kafka_props(cfg)))
    return pid is not None and port_open(cfg.kafka_host, cfg.kafka_port)


def _spawn_kafka(cfg: StackConfig) -> tuple[int, int] | None:
    """Start the broker unless it runs; return (pid, log offset) to wait on, or None."""
    pid = _our_pid(_kafka_pid_file(cfg), str(_kafka_props(cfg)))
    if pid is not None:
        return (pid, -1)  # ours, maybe still starting: wait for its port only
    _check_kafka_ports(cfg)
    libs = ensure_kafka_jars(cfg)
    _kafka_log(cfg).parent.mkdir(parents=True, exist_ok=True)
    _kafka_props(cfg).write_text(_kafka_properties(cfg))
    _format_kafka_storage(cfg, libs)
    log = _kafka_log(cfg)
    offset = log.stat().st_size if log.exists() else 0
    argv = _kafka_java(cfg, libs, "kafka.Kafka", str(_kafka_props(cfg)))
    pid = spawn(argv, _kafka_console_log(cfg))
    _kafka_pid_file(cfg).write_text(f"{pid}\n")
    return (pid, offset)


def _kafka_said_started(cfg: StackConfig, offset: int) -> bool:
    log = _kafka_log(cfg)
    try:
        with open(log, "rb") as f:
            f.seek(offset if f.seek(0, os.SEEK_END) >= offset else 0)
            return KAFKA_STARTED_LINE.encode() in f.read()
    except OSError:
        return False


def _wait_kafka(cfg: StackConfig, pid: int, offset: int) -> None:
    def ready() -> bool:
        if not pid_alive(pid):
            raise _error("Kafka exited while starting", _kafka_log(cfg), _kafka_console_log(cfg))
        said = offset < 0 or _kafka_said_started(cfg, offset)
        return said and port_open(cfg.kafka_host, cfg.kafka_port)

    if not wait_for(ready, KAFKA_START_TIMEOUT, interval=0.2):
        raise _error(
            f"Kafka did not start within {KAFKA_START_TIMEOUT:.0f} s",
            _kafka_log(cfg),
            _kafka_console_log(cfg),
        )


def start_kafka(cfg: StackConfig) -> None:
    """Start the single-node KRaft broker; return once it accepts clients."""
    with _locked(cfg, "kafka"):
        if kafka_running(cfg):
            return
        started = _spawn_kafka(cfg)
        if started is not None:
            _wait_kafka(cfg, *started)


def stop_kafka(cfg: StackConfig) -> None:
    """Stop our broker (SIGTERM for a clean shutdown, SIGKILL after 30 s)."""
    with _locked(cfg, "kafka"):
        pid = _our_pid(_kafka_pid_file(cfg), str(_kafka_props(cfg)))
        if pid is not None:
            terminate(pid, signal.SIGTERM)
        _kafka_pid_file(cfg).unlink(missing_ok=True)


# ------------------------------------------------------------------------------ postgres


@dataclass(frozen=True)
class _Postgres:
    bindir: Path
    home: Path  # <data>/postgres
    pgdata: Path
    socket_dir: Path
    log: Path
    superuser: str


def _postgres(cfg: StackConfig) -> _Postgres:
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "pg_ctl").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise StackError("cannot start PostgreSQL: not installed (apt-get install postgresql)")
    home = cfg.data_dir / "postgres"
    superuser = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    return _Postgres(
        versions[-1], home, home / "data", home / "run", home / "postgres.log", superuser
    )


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres OS user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _pg_run(argv: list[str], input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_postgres(argv), input=input_text, capture_output=True, text=True, check=False, cwd="/"
    )


def _grant_traverse(path: Path, user: str) -> None:
    """Let ``user`` reach ``path``: add o+x to each parent folder it cannot search."""
    entry = pwd.getpwnam(user)
    groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem} | {entry.pw_gid}
    for folder in reversed(path.parents):
        info = folder.stat()
        if info.st_uid == entry.pw_uid and info.st_mode & stat.S_IXUSR:
            continue
        if info.st_gid in groups and info.st_mode & stat.S_IXGRP:
            continue
        if info.st_mode & stat.S_IXOTH:
            continue
        folder.chmod(info.st_mode | stat.S_IXOTH)
        print(
            f"granted traverse permission (o+x) on {folder} so PostgreSQL can reach its data",
            file=sys.stderr,
        )


def _prepare_postgres_dirs(pg: _Postgres) -> None:
    for folder in (pg.home, pg.socket_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        _grant_traverse(pg.home, "postgres")
        for path in (pg.home, pg.socket_dir):
            shutil.chown(path, "postgres", "postgres")
        pg.log.touch()
        shutil.chown(pg.log, "postgres", "postgres")


def _initdb(pg: _Postgres) -> None:
    if (pg.pgdata / "PG_VERSION").is_file():
        return
    done = _pg_run(
        [
            str(pg.bindir / "initdb"),
            "-D",
            str(pg.pgdata),
            "-U",
            pg.superuser,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
        ]
    )
    if done.returncode != 0:
        raise StackError("initdb failed:\n" + (done.stdout + done.stderr)[-3000:])
    with open(pg.pgdata / "postgresql.conf", "a") as conf:
        conf.write("\ninclude_if_exists = 'pratikriya.conf'\n")


def _write_postgres_settings(cfg: StackConfig, pg: _Postgres) -> None:
    settings = pg.pgdata / "pratikriya.conf"
    settings.write_text(
        "# Written by ops/stack.py on every start.\n"
        f"listen_addresses = '{cfg.postgres_host}'\n"
        f"port = {cfg.postgres_port}\n"
        f"unix_socket_directories = '{pg.socket_dir}'\n"
    )
    if os.geteuid() == 0:
        shutil.chown(settings, "postgres", "postgres")


def _postmaster_pid(pg: _Postgres) -> int | None:
    """The postmaster of our cluster, if it runs."""
    pid = _read_pid(pg.pgdata / "postmaster.pid")
    if pid is not None and pid_alive(pid) and str(pg.pgdata) in _cmdline(pid):
        return pid
    return None


def postgres_running(cfg: StackConfig) -> bool:
    """True if our cluster runs and accepts TCP connections (False if not even installed)."""
    try:
        pg = _postgres(cfg)
    except StackError:
        return False
    return _postmaster_pid(pg) is not None and port_open(cfg.postgres_host, cfg.postgres_port)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def psql_superuser(cfg: StackConfig, sql: str, database: str = "postgres") -> str:
    """Run ``sql`` (psql script, may use backslash commands) as the PostgreSQL superuser
    through our unix socket; return psql's unaligned, tuples-only output.

    Raises StackError with psql's message if any statement fails (ON_ERROR_STOP).
    """
    pg = _postgres(cfg)
    done = _pg_run(
        [
            str(pg.bindir / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(pg.socket_dir),
            "-p",
            str(cfg.postgres_port),
            "-U",
            pg.superuser,
            "-d",
            database,
            "-f",
            "-",
        ],
        input_text=sql,
    )
    if done.returncode != 0:
        raise StackError(f"psql as superuser failed: {done.stderr.strip()}")
    return done.stdout


def _ensure_app_role(cfg: StackConfig) -> None:
    """The application's login role (not superuser) and its database, owned by it."""
    role, db = _quote_literal(cfg.postgres_user), _quote_literal(cfg.postgres_db)
    ident = _quote_ident(cfg.postgres_user)
    password = _quote_literal(cfg.postgres_password)
    # Sent on stdin, never in argv, so the password does not show in `ps`. A psql script with
    # \gexec cannot take bind parameters; every value is quoted by the helpers above.
    script = f"""
SELECT format('CREATE ROLE %I', {role}) WHERE NOT EXISTS
  (SELECT 1 FROM pg_roles WHERE rolname = {role}) \\gexec
ALTER ROLE {ident} WITH LOGIN NOSUPERUSER NOCREATEROLE PASSWORD {password};
SELECT format('CREATE DATABASE %I OWNER %I', {db}, {role}) WHERE NOT EXISTS
  (SELECT 1 FROM pg_database WHERE datname = {db}) \\gexec
"""  # noqa: S608 (values quoted with _quote_literal/_quote_ident)
    psql_superuser(cfg, script)


def _check_postgres_port(cfg: StackConfig) -> None:
    if port_open(cfg.postgres_host, cfg.postgres_port):
        hint = " (Debian's own cluster 'main'? `pg_lsclusters` lists it)"
        raise _port_taken("PostgreSQL", cfg.postgres_host, cfg.postgres_port, "DATABASE_URL", hint)


def start_postgres(cfg: StackConfig) -> None:
    """Start our PostgreSQL cluster (initdb on first use) and ensure the app role and db."""
    with _locked(cfg, "postgres"):
        pg = _postgres(cfg)
        if _postmaster_pid(pg) is None:
            _check_postgres_port(cfg)
            _prepare_postgres_dirs(pg)
            _initdb(pg)
            _write_postgres_settings(cfg, pg)
            done = _pg_run(
                [
                    str(pg.bindir / "pg_ctl"),
                    "start",
                    "-D",
                    str(pg.pgdata),
                    "-l",
                    str(pg.log),
                    "-w",
                    "-t",
                    str(POSTGRES_START_TIMEOUT),
                ]
            )
            if done.returncode != 0:
                raise _error("PostgreSQL did not start: " + done.stdout.strip(), pg.log)
        if not wait_for(
            lambda: port_open(cfg.postgres_host, cfg.postgres_port), POSTGRES_START_TIMEOUT
        ):
            raise _error("PostgreSQL runs but does not accept TCP connections", pg.log)
        _ensure_app_role(cfg)


def stop_postgres(cfg: StackConfig) -> None:
    """Stop our cluster: SIGINT (PostgreSQL's "fast" shutdown: SIGTERM would wait for every
    client to disconnect), SIGKILL after 30 s."""
    with _locked(cfg, "postgres"):
        pid = _postmaster_pid(_postgres(cfg))
        if pid is not None:
            terminate(pid, signal.SIGINT)


# --------------------------------------------------------------------------------- redis


def _redis_pid_file(cfg: StackConfig) -> Path:
    return _run_dir(cfg) / "redis.pid"


def _redis_log(cfg: StackConfig) -> Path:
    return cfg.data_dir / "redis" / "redis.log"


def _redis_pid(cfg: StackConfig) -> int | None:
    # Redis rewrites its process title to "redis-server <host>:<port>".
    pid = _our_pid(_redis_pid_file(cfg), "redis-server")
    if pid is not None and f":{cfg.redis_port}" in _cmdline(pid):
        return pid
    return None


def _redis_pong(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_running(cfg: StackConfig) -> bool:
    """True if our Redis runs and answers PING."""
    return _redis_pid(cfg) is not None and _redis_pong(cfg.redis_host, cfg.redis_port)


def _check_redis_port(cfg: StackConfig) -> None:
    if port_open(cfg.redis_host, cfg.redis_port):
        hint = (
            " (another Redis: Debian's redis-server service?)"
            if _redis_pong(cfg.redis_host, cfg.redis_port)
            else ""
        )
        raise _port_taken("Redis", cfg.redis_host, cfg.redis_port, "REDIS_URL", hint)


def start_redis(cfg: StackConfig) -> None:
    """Start our Redis (append-only file, fsync every second); return once it answers PING."""
    with _locked(cfg, "redis"):
        if redis_running(cfg):
            return
        pid = _redis_pid(cfg)
        if pid is None:
            _check_redis_port(cfg)
            server = shutil.which("redis-server") or "/usr/bin/redis-server"
            folder = cfg.data_dir / "redis"
            folder.mkdir(parents=True, exist_ok=True)
            argv = [
                server,
                "--port",
                str(cfg.redis_port),
                "--bind",
                cfg.redis_host,
                "--dir",
                str(folder),
                "--daemonize",
                "no",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--logfile",
                str(_redis_log(cfg)),
            ]
            pid = spawn(argv, _logs_dir(cfg) / "redis.out")
            _redis_pid_file(cfg).write_text(f"{pid}\n")

        def ready() -> bool:
            if not pid_alive(pid):
                raise _error(
                    "Redis exited while starting", _redis_log(cfg), _logs_dir(cfg) / "redis.out"
                )
            return _redis_pong(cfg.redis_host, cfg.redis_port)

        if not wait_for(ready, REDIS_START_TIMEOUT):
            raise _error("Redis did not answer PING in time", _redis_log(cfg))


def stop_redis(cfg: StackConfig) -> None:
    """Stop our Redis (SIGTERM flushes the append-only file), SIGKILL after 30 s."""
    with _locked(cfg, "redis"):
        pid = _redis_pid(cfg)
        if pid is not None:
            terminate(pid, signal.SIGTERM)
        _redis_pid_file(cfg).unlink(missing_ok=True)


# ----------------------------------------------------------------------------------- all


def _check_ports(cfg: StackConfig) -> None:
    """Refuse before starting anything if a port we need is held by a stranger."""
    if _our_pid(_kafka_pid_file(cfg), str(_kafka_props(cfg))) is None:
        _check_kafka_ports(cfg)
    if _postmaster_pid(_postgres(cfg)) is None:
        _check_postgres_port(cfg)
    if _redis_pid(cfg) is None:
        _check_redis_port(cfg)


def start_all(cfg: StackConfig) -> None:
    """Start all three (nothing, if a port is taken); the JVM boots while PostgreSQL and
    Redis start."""
    _check_ports(cfg)
    with _locked(cfg, "kafka"):
        started = None if kafka_running(cfg) else _spawn_kafka(cfg)
        start_postgres(cfg)
        start_redis(cfg)
        if started is not None:
            _wait_kafka(cfg, *started)


def stop_all(cfg: StackConfig) -> None:
    """Stop all three; each stop is attempted even if an earlier one failed."""
    errors = []
    for stop in (stop_kafka, stop_redis, stop_postgres):
        try:
            stop(cfg)
        except StackError as exc:
            errors.append(str(exc))
    if errors:
        raise StackError("\n".join(errors))


def status(cfg: StackConfig) -> dict[str, bool]:
    """Which of our servers run and answer: {"kafka": ..., "postgres": ..., "redis": ...}."""
    return {
        "kafka": kafka_running(cfg),
        "postgres": postgres_running(cfg),
        "redis": redis_running(cfg),
    }


def _describe(cfg: StackConfig) -> dict[str, str]:
    return {
        "kafka": f"{cfg.kafka_host}:{cfg.kafka_port}",
        "postgres": f"{cfg.postgres_host}:{cfg.postgres_port}/{cfg.postgres_db}",
        "redis": f"{cfg.redis_host}:{cfg.redis_port}",
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in ("up", "down", "status"):
        print("usage: python -m ops.stack up|down|status", file=sys.stderr)
        return 2
    cfg = StackConfig.from_env()
    try:
        {"up": start_all, "down": stop_all, "status": lambda _cfg: None}[args[0]](cfg)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = _describe(cfg)
    for name, up in status(cfg).items():
        print(f"{name:<9} {'up' if up else 'down':<5} {where[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
