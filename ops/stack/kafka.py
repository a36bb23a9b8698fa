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
from dataclasses import dataclass, replace
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
# A node started again after a SIGKILL first recovers every log it did not close (83 of them
# in the cluster fault scenario, 11 s of a minute's start on a loaded CI machine).
KAFKA_RECOVERY_TIMEOUT = 180.0
KAFKA_STARTED_LINE = "Kafka Server started"


def _kafka_dir(cfg: StackConfig) -> Path:
    return cfg.data_dir / "kafka"


@dataclass(frozen=True)
class KafkaNode:
    """One KRaft node (broker and controller in one JVM) of this data folder."""

    node_id: int
    home: Path  # server.properties, data/, logs/
    client_port: int
    controller_port: int
    name: str  # its pid file's and console log's name

    @property
    def props(self) -> Path:
        return self.home / "server.properties"

    @property
    def log(self) -> Path:
        return self.home / "logs" / "server.log"


def _cluster_home(cfg: StackConfig) -> Path:
    """Where cluster.id lives: the single broker's folder, or the cluster's."""
    return _kafka_dir(cfg) if cfg.kafka_brokers == 1 else _kafka_dir(cfg) / "cluster"


def kafka_nodes(cfg: StackConfig, brokers: int | None = None) -> list[KafkaNode]:
    """The nodes of ``brokers`` (default KAFKA_BROKERS) on this data folder.

    One broker: node 1 in ``<data>/kafka`` on KAFKA_BOOTSTRAP_SERVERS's port P and
    KAFKA_CONTROLLER_PORT C, as it always was. A cluster: node n (1, 2, 3) in
    ``<data>/kafka/cluster/node-n``, its client port P + 2(n-1) and its controller port
    C + 2(n-1) (with the defaults 9092/9093: 9092-9097).
    """
    count = cfg.kafka_brokers if brokers is None else brokers
    if count == 1:
        home = _kafka_dir(cfg)
        return [KafkaNode(1, home, cfg.kafka_port, cfg.kafka_controller_port, "kafka")]
    return [
        KafkaNode(
            n,
            _kafka_dir(cfg) / "cluster" / f"node-{n}",
            cfg.kafka_port + 2 * (n - 1),
            cfg.kafka_controller_port + 2 * (n - 1),
            f"kafka-node-{n}",
        )
        for n in range(1, count + 1)
    ]


def _pid_file(node: KafkaNode, cfg: StackConfig) -> Path:
    return run_dir(cfg) / f"{node.name}.pid"


def _console_log(node: KafkaNode, cfg: StackConfig) -> Path:
    return logs_dir(cfg) / f"{node.name}.out"


def node_pid(cfg: StackConfig, node: KafkaNode) -> int | None:
    """The node's pid, if it runs (its argv names its properties file)."""
    return our_pid(_pid_file(node, cfg), str(node.props))


def broker_pid(cfg: StackConfig) -> int | None:
    """Our broker's pid, if it runs (of a cluster: the first node that runs)."""
    pids = [node_pid(cfg, node) for node in kafka_nodes(cfg)]
    return next((pid for pid in pids if pid is not None), None)


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


def _sasl_stamp(node: KafkaNode) -> Path:
    """Written when the storage is formatted with the admin's SCRAM credential."""
    return node.home / "data" / "pratikriya-sasl"


# A cluster's replication: every topic (the internal ones too) on all three nodes, and a
# write acknowledged (acks=all, shared/kafka_io.py) once two of them have it, so one node
# may be down without refusing writes or losing an acknowledged one.
CLUSTER_REPLICATION = 3
CLUSTER_MIN_INSYNC = 2


def replication(cfg: StackConfig) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) of the topics on this stack."""
    return (1, 1) if cfg.kafka_brokers == 1 else (CLUSTER_REPLICATION, CLUSTER_MIN_INSYNC)


def _kafka_properties(
    cfg: StackConfig, node: KafkaNode, admin_password: str, controller_password: str
) -> str:
    host, port, ctrl = cfg.kafka_host, node.client_port, node.controller_port
    nodes = kafka_nodes(cfg)
    voters = ",".join(f"{n.node_id}@{host}:{n.controller_port}" for n in nodes)
    # Static quorum (controller.quorum.voters, storage formatted without --standalone): the
    # voter's address is then not written into the formatted storage, so changing
    # KAFKA_CONTROLLER_PORT later needs no re-format.
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": voters,
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
        "log.dirs": str(node.home / "data"),
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    if len(nodes) > 1:
        rf, isr = str(CLUSTER_REPLICATION), str(CLUSTER_MIN_INSYNC)
        settings.update(
            {
                "default.replication.factor": rf,
                "min.insync.replicas": isr,
                "offsets.topic.replication.factor": rf,
                "transaction.state.log.replication.factor": rf,
                "transaction.state.log.min.isr": isr,
                "share.coordinator.state.topic.replication.factor": rf,
                "share.coordinator.state.topic.min.isr": isr,
                # A replica that falls behind is not elected leader: an acknowledged write
                # is never lost to a node that did not have it.
                "unclean.leader.election.enable": "false",
            }
        )
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


# A cluster's node runs in a smaller heap: three of them share one machine.
CLUSTER_HEAP = ("-Xmx384m", "-Xms128m")


def _kafka_java(cfg: StackConfig, libs: Path, node: KafkaNode, main: str, *args: str) -> list[str]:
    java = _java()
    log4j = cfg.repo_dir / "ops" / "kafka" / "log4j2.xml"
    archive = _class_archive(java, libs) if main == "kafka.Kafka" else []
    if cfg.kafka_brokers > 1 and any("ArchiveClassesAtExit" in option for option in archive):
        archive = []  # three JVMs would write the one archive at once: the single broker's
    heap = ("-Xmx512m", "-Xms256m") if cfg.kafka_brokers == 1 else CLUSTER_HEAP
    return [
        java,
        *archive,
        *heap,
        "-server",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        f"-Dkafka.logs.dir={node.log.parent}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


def _format_kafka_storage(
    cfg: StackConfig, node: KafkaNode, libs: Path, admin_password: str
) -> None:
    data = node.home / "data"
    if (data / "meta.properties").is_file():
        if not _sasl_stamp(node).is_file():
            raise StackError(
                f"Kafka's storage in {data} was formatted before Kafka required logins, and"
                " its admin user can only be created by a new format: stop the stack"
                f" (./pratikriya down) and remove {data} (its records are lost)"
            )
        return
    id_file = _cluster_home(cfg) / "cluster.id"
    if not id_file.is_file():
        private_dir(id_file.parent)
        id_file.write_text(_new_cluster_id() + "\n")
    cluster_id = id_file.read_text().strip()
    command = _kafka_java(
        cfg,
        libs,
        node,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster_id,
        "-c",
        str(node.props),
        "--ignore-formatted",
        "--add-scram",
        f"{kafka_users.MECHANISM}=[name={kafka_users.ADMIN},password={admin_password}]",
    )
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).replace(admin_password, "***")
        raise StackError("cannot format Kafka's storage:\n" + output[-3000:])
    _sasl_stamp(node).write_text(f"{kafka_users.MECHANISM} {kafka_users.ADMIN}\n")


def check_kafka_ports(cfg: StackConfig) -> None:
    nodes = kafka_nodes(cfg)
    ports = [p for node in nodes for p in (node.client_port, node.controller_port)]
    if len(set(ports)) != len(ports):
        raise StackError(
            f"the cluster's ports {sorted(ports)} overlap: node n listens on"
            " KAFKA_BOOTSTRAP_SERVERS's port + 2(n-1) and KAFKA_CONTROLLER_PORT + 2(n-1);"
            " choose a KAFKA_CONTROLLER_PORT that is the client port + 1 (or far from it)"
        )
    for node in nodes:
        if node_pid(cfg, node) is not None:
            continue
        for port, var in (
            (node.client_port, "KAFKA_BOOTSTRAP_SERVERS"),
            (node.controller_port, "KAFKA_CONTROLLER_PORT"),
        ):
            if port_open(cfg.kafka_host, port):
                raise port_taken(f"Kafka (node {node.node_id})", cfg.kafka_host, port, var)


def node_running(cfg: StackConfig, node: KafkaNode) -> bool:
    """True if the node runs and accepts connections on its client port."""
    return node_pid(cfg, node) is not None and port_open(cfg.kafka_host, node.client_port)


def kafka_running(cfg: StackConfig) -> bool:
    """True if every node of ours runs and accepts connections on its client port."""
    return all(node_running(cfg, node) for node in kafka_nodes(cfg))


@dataclass(frozen=True)
class Started:
    node: KafkaNode
    pid: int
    offset: int  # where its log stood before it started; -1: it already ran


def spawn_node(cfg: StackConfig, node: KafkaNode) -> Started:
    """Start one node unless it runs (without waiting for it)."""
    pid = node_pid(cfg, node)
    if pid is not None:
        return Started(node, pid, -1)  # ours, maybe still starting: wait for its port only
    libs = ensure_kafka_jars(cfg)
    private_dir(node.home)
    private_dir(node.log.parent)
    known = kafka_users.passwords(cfg)
    admin_password = known[kafka_users.ADMIN]
    props = node.props
    props.touch()
    props.chmod(0o600)  # it holds the broker's own logins (admin, controller)
    props.write_text(_kafka_properties(cfg, node, admin_password, known[kafka_users.CONTROLLER]))
    _format_kafka_storage(cfg, node, libs, admin_password)
    offset = node.log.stat().st_size if node.log.exists() else 0
    argv = _kafka_java(cfg, libs, node, "kafka.Kafka", str(props))
    pid = spawn(argv, _console_log(node, cfg))
    _pid_file(node, cfg).write_text(f"{pid}\n")
    return Started(node, pid, offset)


def spawn_kafka(cfg: StackConfig) -> list[Started]:
    """Start every node that does not run; return what to wait on (wait_kafka)."""
    check_kafka_ports(cfg)
    _brokers_record(cfg).write_text(f"{cfg.kafka_brokers}\n")
    return [spawn_node(cfg, node) for node in kafka_nodes(cfg)]


def _kafka_said_started(node: KafkaNode, offset: int) -> bool:
    try:
        with open(node.log, "rb") as f:
            f.seek(offset if f.seek(0, os.SEEK_END) >= offset else 0)
            return KAFKA_STARTED_LINE.encode() in f.read()
    except OSError:
        return False


def wait_node(cfg: StackConfig, started: Started, timeout: float = KAFKA_START_TIMEOUT) -> None:
    """Return once the node said it started and accepts connections; raise if it exited or
    ``timeout`` seconds passed."""
    node, pid, offset = started.node, started.pid, started.offset

    def ready() -> bool:
        if not pid_alive(pid):
            raise error_with_logs(
                f"Kafka (node {node.node_id}) exited while starting",
                node.log,
                _console_log(node, cfg),
            )
        said = offset < 0 or _kafka_said_started(node, offset)
        return said and port_open(cfg.kafka_host, node.client_port)

    if not wait_for(ready, timeout, interval=0.2):
        raise error_with_logs(
            f"Kafka (node {node.node_id}) did not start within {timeout:.0f} s",
            node.log,
            _console_log(node, cfg),
        )


def wait_kafka(cfg: StackConfig, started: list[Started]) -> None:
    """Wait for every node started, then set the services' users and ACLs (the metadata is
    the cluster's: once for all nodes)."""
    for one in started:
        wait_node(cfg, one)
    kafka_users.ensure_principals(cfg.kafka_bootstrap, kafka_users.passwords(cfg))


def start_kafka(cfg: StackConfig) -> None:
    """Start the broker (or every node of the cluster); return once all accept clients."""
    with locked(cfg, "kafka"):
        if kafka_running(cfg):
            return
        wait_kafka(cfg, spawn_kafka(cfg))


def start_node(cfg: StackConfig, node: KafkaNode) -> None:
    """Start one node of the cluster again (after a fault); return once it accepts clients,
    given the time to recover the logs an unclean stop left (``KAFKA_RECOVERY_TIMEOUT``)."""
    with locked(cfg, "kafka"):
        wait_node(cfg, spawn_node(cfg, node), KAFKA_RECOVERY_TIMEOUT)


def _brokers_record(cfg: StackConfig) -> Path:
    return run_dir(cfg) / "kafka-brokers"


def recorded_brokers(cfg: StackConfig) -> StackConfig:
    """``cfg`` with the node count the last start used (status and down need no setting)."""
    try:
        count = int(_brokers_record(cfg).read_text().strip())
    except (OSError, ValueError):
        return cfg
    return replace(cfg, kafka_brokers=count) if count in (1, CLUSTER_REPLICATION) else cfg


def stop_kafka(cfg: StackConfig) -> None:
    """Stop every node of ours, the single broker's and a cluster's alike (SIGTERM for a
    clean shutdown, SIGKILL after 30 s); the nodes of a cluster at once."""
    with locked(cfg, "kafka"):
        nodes = [*kafka_nodes(cfg, 1), *kafka_nodes(cfg, 3)]
        for node in nodes:
            pid = node_pid(cfg, node)
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
        for node in nodes:
            pid = node_pid(cfg, node)
            if pid is not None:
                terminate(pid, signal.SIGTERM)
            _pid_file(node, cfg).unlink(missing_ok=True)
