"""The single-node KRaft broker: its jars (Maven), its properties, its storage, its JVM.

Clients must log in (SCRAM over SASL_PLAINTEXT on the client port) and may do only what
their ACLs allow; the users and their ACLs are in ops/stack/kafka_users.py. The controller
port, which answers admin requests too (``--bootstrap-controller``), lets in only the
broker's own user (SASL/PLAIN, KAFKA_CONTROLLER_PASSWORD).

<data>/kafka/   libs/ (jars copied by Maven), server.properties (0600: the broker's own
                login), cluster.id, data/ (log.dirs), logs/server.log (Log4j 2)
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from ops.stack import kafka_users
from ops.stack.config import StackConfig, StackError
from ops.stack.process import (
    error_with_logs,
    locked,
    logs_dir,
    our_pid,
    pid_alive,
    port_open,
    port_taken,
    private_dir,
    run_dir,
    spawn,
    terminate,
    wait_for,
)

KAFKA_START_TIMEOUT = 60.0
KAFKA_STARTED_LINE = "Kafka Server started"


def _kafka_dir(cfg: StackConfig) -> Path:
    return cfg.data_dir / "kafka"


def _kafka_pid_file(cfg: StackConfig) -> Path:
    return run_dir(cfg) / "kafka.pid"


def _kafka_props(cfg: StackConfig) -> Path:
    return _kafka_dir(cfg) / "server.properties"


def _kafka_log(cfg: StackConfig) -> Path:
    return _kafka_dir(cfg) / "logs" / "server.log"


def _kafka_console_log(cfg: StackConfig) -> Path:
    return logs_dir(cfg) / "kafka.out"


def broker_pid(cfg: StackConfig) -> int | None:
    """Our broker's pid, if it runs (its argv names our properties file)."""
    return our_pid(_kafka_pid_file(cfg), str(_kafka_props(cfg)))


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


def _sasl_stamp(cfg: StackConfig) -> Path:
    """Written when the storage is formatted with the admin's SCRAM credential."""
    return _kafka_dir(cfg) / "data" / "pratikriya-sasl"


def _kafka_properties(cfg: StackConfig, admin_password: str, controller_password: str) -> str:
    host, port, ctrl = cfg.kafka_host, cfg.kafka_port, cfg.kafka_controller_port
    # Static quorum (controller.quorum.voters, storage formatted without --standalone): the
    # voter's address is then not written into the formatted storage, so changing
    # KAFKA_CONTROLLER_PORT later needs no re-format.
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{ctrl}",
        # Clients log in with SCRAM on the client listener (SASL_PLAINTEXT: one machine, on
        # 127.0.0.1; a deployment across machines uses SASL_SSL).
        "listeners": f"SASL_PLAINTEXT://{host}:{port},CONTROLLER://{host}:{ctrl}",
        "advertised.listeners": f"SASL_PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "SASL_PLAINTEXT",
        "listener.security.protocol.map": (
            "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
        ),
        "sasl.enabled.mechanisms": kafka_users.MECHANISM,
        "sasl.mechanism.inter.broker.protocol": kafka_users.MECHANISM,
        f"listener.name.sasl_plaintext.{kafka_users.MECHANISM.lower()}.sasl.jaas.config": (
            kafka_users.jaas(kafka_users.ADMIN, admin_password)
        ),
        # The controller listener answers admin requests too (ACLs, SCRAM credentials,
        # configs: --bootstrap-controller), so it lets in only the broker's own login, with
        # PLAIN (SCRAM's credentials live in the metadata the controller itself serves).
        "listener.name.controller.sasl.enabled.mechanisms": kafka_users.CONTROLLER_MECHANISM,
        "sasl.mechanism.controller.protocol": kafka_users.CONTROLLER_MECHANISM,
        f"listener.name.controller.{kafka_users.CONTROLLER_MECHANISM.lower()}.sasl.jaas.config": (
            kafka_users.controller_jaas(controller_password)
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        # No User:ANONYMOUS: no listener lets a client in without a login.
        "super.users": f"User:{kafka_users.ADMIN};User:{kafka_users.CONTROLLER}",
        "allow.everyone.if.no.acl.found": "false",
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
    return "# Written by ops/stack/kafka.py on every start; edit StackConfig, not this file.\n" + (
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


def _format_kafka_storage(cfg: StackConfig, libs: Path, admin_password: str) -> None:
    data = _kafka_dir(cfg) / "data"
    if (data / "meta.properties").is_file():
        if not _sasl_stamp(cfg).is_file():
            raise StackError(
                f"Kafka's storage in {data} was formatted before Kafka required logins, and"
                " its admin user can only be created by a new format: stop the stack"
                f" (./pratikriya down) and remove {data} (its records are lost)"
            )
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
        "--add-scram",
        f"{kafka_users.MECHANISM}=[name={kafka_users.ADMIN},password={admin_password}]",
    )
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).replace(admin_password, "***")
        raise StackError("cannot format Kafka's storage:\n" + output[-3000:])
    _sasl_stamp(cfg).write_text(f"{kafka_users.MECHANISM} {kafka_users.ADMIN}\n")


def check_kafka_ports(cfg: StackConfig) -> None:
    for port, var in (
        (cfg.kafka_port, "KAFKA_BOOTSTRAP_SERVERS"),
        (cfg.kafka_controller_port, "KAFKA_CONTROLLER_PORT"),
    ):
        if port_open(cfg.kafka_host, port):
            raise port_taken("Kafka", cfg.kafka_host, port, var)


def kafka_running(cfg: StackConfig) -> bool:
    """True if our broker runs and accepts connections on its client port."""
    pid = broker_pid(cfg)
    return pid is not None and port_open(cfg.kafka_host, cfg.kafka_port)


def spawn_kafka(cfg: StackConfig) -> tuple[int, int] | None:
    """Start the broker unless it runs; return (pid, log offset) to wait on, or None."""
    pid = broker_pid(cfg)
    if pid is not None:
        return (pid, -1)  # ours, maybe still starting: wait for its port only
    check_kafka_ports(cfg)
    libs = ensure_kafka_jars(cfg)
    private_dir(_kafka_dir(cfg))
    private_dir(_kafka_log(cfg).parent)
    known = kafka_users.passwords(cfg)
    admin_password = known[kafka_users.ADMIN]
    props = _kafka_props(cfg)
    props.touch()
    props.chmod(0o600)  # it holds the broker's own logins (admin, controller)
    props.write_text(_kafka_properties(cfg, admin_password, known[kafka_users.CONTROLLER]))
    _format_kafka_storage(cfg, libs, admin_password)
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


def wait_kafka(cfg: StackConfig, pid: int, offset: int) -> None:
    def ready() -> bool:
        if not pid_alive(pid):
            raise error_with_logs(
                "Kafka exited while starting", _kafka_log(cfg), _kafka_console_log(cfg)
            )
        said = offset < 0 or _kafka_said_started(cfg, offset)
        return said and port_open(cfg.kafka_host, cfg.kafka_port)

    if not wait_for(ready, KAFKA_START_TIMEOUT, interval=0.2):
        raise error_with_logs(
            f"Kafka did not start within {KAFKA_START_TIMEOUT:.0f} s",
            _kafka_log(cfg),
            _kafka_console_log(cfg),
        )
    kafka_users.ensure_principals(f"{cfg.kafka_host}:{cfg.kafka_port}", kafka_users.passwords(cfg))


def start_kafka(cfg: StackConfig) -> None:
    """Start the single-node KRaft broker; return once it accepts clients."""
    with locked(cfg, "kafka"):
        if kafka_running(cfg):
            return
        started = spawn_kafka(cfg)
        if started is not None:
            wait_kafka(cfg, *started)


def stop_kafka(cfg: StackConfig) -> None:
    """Stop our broker (SIGTERM for a clean shutdown, SIGKILL after 30 s)."""
    with locked(cfg, "kafka"):
        pid = broker_pid(cfg)
        if pid is not None:
            terminate(pid, signal.SIGTERM)
        _kafka_pid_file(cfg).unlink(missing_ok=True)
