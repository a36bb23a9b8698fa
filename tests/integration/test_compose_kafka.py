"""The `kafka` container's start script (deploy/docker/kafka-start.sh), run on the real Kafka
jars of the local stack, then the setup container's Kafka steps (topics, then every service
user and its ACLs, from ops/stack/kafka_users.py): every listener refuses a client without
a login, the users get only their ACLs, and a restart finds its formatted storage.

The apache/kafka image has Kafka's scripts in /opt/kafka/bin; here bin/kafka-storage.sh and
bin/kafka-server-start.sh are the same thin wrappers (java, the jars, the main class) around
the jars ops/kafka/pom.xml fetches, which are the image's Kafka version.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2.errors
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError, TopicAuthorizationFailedError

from ops import db_roles, services, stack
from ops.analysts import ANALYST_ROLE
from ops.stack import kafka as stack_kafka
from ops.stack import kafka_users
from shared.kafka_io import kafka_security
from shared.topics import FEEDBACK_TOPIC, STATIONS_TOPIC, ensure_topics
from tests.kafka_wire import Closed, connected, describe_acls

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "docker" / "kafka-start.sh"
TIMEOUTS = {"bootstrap_timeout_ms": 3000, "request_timeout_ms": 3000}
START_DEADLINE_S = 90.0  # a wait, not an assertion: the broker's first start on a busy box


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for sock in socks:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return ports


def wrappers(home: Path, libs: Path, logs: Path) -> None:
    """bin/kafka-storage.sh and bin/kafka-server-start.sh as Kafka's own: java, the main class."""
    java = stack_kafka._java()
    log4j = REPO / "ops" / "kafka" / "log4j2.xml"
    common = f'"{java}" -Xmx512m -Xms128m -Dlog4j2.configurationFile={log4j}'
    common += f' -Dkafka.logs.dir={logs} -cp "{libs}/*"'
    (home / "bin").mkdir(parents=True)
    for name, main in (("kafka-storage.sh", "kafka.tools.StorageTool"),
                       ("kafka-server-start.sh", "kafka.Kafka")):  # fmt: skip
        path = home / "bin" / name
        path.write_text(f'#!/bin/sh\nexec {common} {main} "$@"\n')
        path.chmod(0o700)


class Broker:
    def __init__(self, root: Path, libs: Path) -> None:
        self.root = root
        self.client, self.host, self.controller = free_ports(3)
        self.admin_password = secrets.token_urlsafe(32)
        self.controller_password = secrets.token_urlsafe(32)
        wrappers(root / "home", libs, root / "logs")
        self.env = {
            "PATH": os.environ["PATH"],
            "CLUSTER_ID": stack_kafka._new_cluster_id(),
            "KAFKA_ADMIN_PASSWORD": self.admin_password,
            "KAFKA_CONTROLLER_PASSWORD": self.controller_password,
            "PRATIKRIYA_KAFKA_HOME": str(root / "home"),
            "PRATIKRIYA_KAFKA_CONF": str(root / "config"),
            "PRATIKRIYA_KAFKA_DATA": str(root / "data"),
            "PRATIKRIYA_KAFKA_NAME": "127.0.0.1",
            "PRATIKRIYA_KAFKA_LISTEN": "127.0.0.1",
            "PRATIKRIYA_KAFKA_PORTS": f"{self.client} {self.host} {self.controller}",
            "PRATIKRIYA_KAFKA_HOST_ADDRESS": f"127.0.0.1:{self.host}",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def address(self, port: int) -> str:
        return f"127.0.0.1:{port}"

    def start(self) -> None:
        self.starts += 1
        log = (self.root / f"start-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            ["/bin/sh", str(SCRIPT)], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"kafka-start.sh exited: {self.output()}")
            if "Kafka Server started" in self.server_log():
                return
            time.sleep(0.3)
        raise AssertionError(f"the broker did not start: {self.output()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        (self.root / "logs" / "server.log").unlink(missing_ok=True)

    def output(self) -> str:
        return (self.root / f"start-{self.starts}.log").read_text()[-3000:]

    def server_log(self) -> str:
        log = self.root / "logs" / "server.log"
        return log.read_text(errors="replace") if log.exists() else ""


def admin(broker: Broker) -> dict:
    return kafka_security(
        {"KAFKA_SASL_USERNAME": kafka_users.ADMIN, "KAFKA_SASL_PASSWORD": broker.admin_password}
    )


@pytest.fixture(scope="module")
def users() -> dict[str, str]:
    return {user: secrets.token_urlsafe(32) for user in kafka_users.PRINCIPALS}


@pytest.fixture(scope="module")
def broker(stack_config, tmp_path_factory, users) -> Iterator[Broker]:
    libs = stack_kafka.ensure_kafka_jars(stack_config)
    broker = Broker(tmp_path_factory.mktemp("compose-kafka"), libs)
    broker.start()
    try:
        # What deploy/docker/setup.py does first, logged in as the admin.
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KAFKA_SASL_USERNAME", kafka_users.ADMIN)
            patch.setenv("KAFKA_SASL_PASSWORD", broker.admin_password)
            ensure_topics(broker.address(broker.client))
        known = {kafka_users.ADMIN: broker.admin_password, **users}
        kafka_users.ensure_principals(broker.address(broker.client), known)
        yield broker
    finally:
        broker.stop()


def properties(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs if not key.startswith("#")}


@pytest.mark.parametrize("listener", ["client", "host"])
def test_a_client_without_credentials_is_refused_on_the_client_and_host_listeners(broker, listener):
    bootstrap = broker.address(getattr(broker, listener))
    with pytest.raises(KafkaError):
        KafkaProducer(bootstrap_servers=bootstrap, **TIMEOUTS)
    with pytest.raises(KafkaError):
        KafkaConsumer(STATIONS_TOPIC, bootstrap_servers=bootstrap, **TIMEOUTS)
    with connected(bootstrap) as wire, pytest.raises(Closed):
        describe_acls(wire)


def test_a_client_without_credentials_is_refused_on_the_controller(broker):
    with connected(broker.address(broker.controller)) as wire, pytest.raises(Closed):
        describe_acls(wire)


def test_the_controller_lets_in_its_own_user_only(broker, users):
    with connected(broker.address(broker.controller)) as wire:
        assert wire.log_in(kafka_users.CONTROLLER, broker.controller_password) == 0
        assert FEEDBACK_TOPIC in describe_acls(wire)
    with connected(broker.address(broker.controller)) as wire:
        assert wire.log_in(kafka_users.ADMIN, broker.admin_password) != 0
    with connected(broker.address(broker.controller)) as wire:
        assert wire.log_in("intake", users["intake"]) != 0


def test_the_host_listener_gives_intake_the_acls_of_the_local_stack(broker, users):
    login = kafka_security(
        {"KAFKA_SASL_USERNAME": "intake", "KAFKA_SASL_PASSWORD": users["intake"]}
    )
    bootstrap = broker.address(broker.host)
    producer = KafkaProducer(bootstrap_servers=bootstrap, max_block_ms=10000, **TIMEOUTS, **login)
    try:
        producer.send(FEEDBACK_TOPIC, b"{}").get(timeout=15)
    finally:
        producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **TIMEOUTS, **login)
    try:
        consumer.assign([TopicPartition(FEEDBACK_TOPIC, 0)])  # any one: intake reads none
        consumer.seek_to_beginning()
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.poll(timeout_ms=5000)
    finally:
        consumer.close()


def test_the_healthchecks_client_file_logs_in_as_the_admin(broker):
    conf = properties(broker.root / "config" / "pratikriya-admin.properties")
    jaas = re.fullmatch(r'.* username="([^"]+)" password="([^"]+)";', conf["sasl.jaas.config"])
    assert jaas is not None
    assert (conf["security.protocol"], conf["sasl.mechanism"]) == (
        "SASL_PLAINTEXT",
        "SCRAM-SHA-512",
    )
    login = kafka_security({"KAFKA_SASL_USERNAME": jaas[1], "KAFKA_SASL_PASSWORD": jaas[2]})
    consumer = KafkaConsumer(bootstrap_servers=broker.address(broker.client), **TIMEOUTS, **login)
    try:
        assert FEEDBACK_TOPIC in consumer.topics()
    finally:
        consumer.close()


def test_the_files_with_passwords_are_readable_by_their_owner_only(broker):
    for name in ("pratikriya.properties", "pratikriya-admin.properties"):
        assert (broker.root / "config" / name).stat().st_mode & 0o077 == 0


def test_the_brokers_settings_are_the_local_stacks_but_for_the_listeners(broker, stack_config):
    ours = properties(broker.root / "config" / "pratikriya.properties")
    node = stack_kafka.kafka_nodes(stack_config)[0]
    local = properties_text(stack_kafka._kafka_properties(stack_config, node, "a", "c"))
    by_listener = re.compile(r"^(listener\.name\.[a-z_]+\.|listeners$|advertised\.listeners$"
                             r"|listener\.security\.protocol\.map$|inter\.broker\.listener"
                             r"|controller\.quorum\.voters$|log\.dirs$)")  # fmt: skip
    assert {k: v for k, v in ours.items() if not by_listener.match(k)} == {
        k: v for k, v in local.items() if not by_listener.match(k)
    }
    protocols = {entry.split(":")[1] for entry in ours["listener.security.protocol.map"].split(",")}
    assert protocols == {"SASL_PLAINTEXT"}


def properties_text(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {key: value for key, value in pairs if not key.startswith("#")}


def test_a_restart_keeps_the_storage_and_the_users(broker, users):
    """As `docker compose restart kafka`: no new format, the same users and records."""
    ops = kafka_security({"KAFKA_SASL_USERNAME": "ops", "KAFKA_SASL_PASSWORD": users["ops"]})

    def end_offset() -> int:
        """How many records the feedback topic holds, over all its partitions."""
        consumer = KafkaConsumer(bootstrap_servers=broker.address(broker.client), **TIMEOUTS, **ops)
        try:
            parts = [
                TopicPartition(FEEDBACK_TOPIC, p)
                for p in consumer.partitions_for_topic(FEEDBACK_TOPIC)
            ]
            return sum(consumer.end_offsets(parts).values())
        finally:
            consumer.close()

    intake = kafka_security(
        {"KAFKA_SASL_USERNAME": "intake", "KAFKA_SASL_PASSWORD": users["intake"]}
    )
    producer = KafkaProducer(
        bootstrap_servers=broker.address(broker.client), max_block_ms=10000, **TIMEOUTS, **intake
    )
    try:
        producer.send(FEEDBACK_TOPIC, b"{}").get(timeout=15)
    finally:
        producer.close()
    before = end_offset()
    broker.stop()
    broker.start()
    assert "storage formatted" not in broker.output()
    assert end_offset() == before >= 1


def test_storage_formatted_without_logins_is_refused_with_what_to_do(tmp_path):
    """A volume of the earlier docker-compose.yml has no admin user: the script says so."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "meta.properties").write_text("version=1\n")
    env = {
        "PATH": os.environ["PATH"],
        "CLUSTER_ID": "aX1VgeaZQl6eGQTSQx8scw",
        "KAFKA_ADMIN_PASSWORD": secrets.token_urlsafe(32),
        "KAFKA_CONTROLLER_PASSWORD": secrets.token_urlsafe(32),
        "PRATIKRIYA_KAFKA_HOME": str(tmp_path / "no-kafka-here"),
        "PRATIKRIYA_KAFKA_CONF": str(tmp_path / "config"),
        "PRATIKRIYA_KAFKA_DATA": str(data),
    }
    done = subprocess.run(["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert done.returncode == 64
    assert "docker volume rm pratikriya_kafka-data" in done.stderr


@pytest.mark.parametrize(
    ("value", "says"),
    [("", "is not set"), ("short", "at least 16"), ('with"quote' + "x" * 16, "may have only")],
)
def test_a_missing_or_unsafe_password_stops_the_start(tmp_path, value, says):
    env = {
        "PATH": os.environ["PATH"],
        "CLUSTER_ID": "aX1VgeaZQl6eGQTSQx8scw",
        "KAFKA_ADMIN_PASSWORD": value,
        "KAFKA_CONTROLLER_PASSWORD": secrets.token_urlsafe(32),
        "PRATIKRIYA_KAFKA_CONF": str(tmp_path / "config"),
        "PRATIKRIYA_KAFKA_DATA": str(tmp_path / "data"),
    }
    done = subprocess.run(["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "KAFKA_ADMIN_PASSWORD" in done.stderr and says in done.stderr
    assert not (tmp_path / "config").exists()  # nothing written with a bad password


# --- the setup container's script, whole -------------------------------------------------


def privileges(database_url: str) -> dict[tuple[str, ...], bool]:
    """What each service role (and the analysts' login) may do in that database: every table,
    column, sequence, the token function, large objects, connecting, temporary tables."""
    roles = [*db_roles.SERVICE_ROLES, ANALYST_ROLE]
    conn = psycopg2.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a"
                " ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
                " AND NOT c.relispartition"  # the feedback months: data, not grants
            )
            columns = cur.fetchall()
            tables = sorted({table for table, _ in columns})
            held: dict[tuple[str, ...], bool] = {}
            for role in roles:
                for table in tables:
                    for kind in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                        cur.execute("SELECT has_table_privilege(%s, %s, %s)",
                                    (role, f"public.{table}", kind))  # fmt: skip
                        held[(role, table, kind)] = cur.fetchone()[0]
                for table, column in columns:
                    for kind in ("SELECT", "INSERT", "UPDATE"):
                        cur.execute("SELECT has_column_privilege(%s, %s, %s, %s)",
                                    (role, f"public.{table}", column, kind))  # fmt: skip
                        held[(role, table, column, kind)] = cur.fetchone()[0]
                for kind in ("CONNECT", "TEMPORARY"):
                    cur.execute("SELECT has_database_privilege(%s, current_database(), %s)",
                                (role, kind))  # fmt: skip
                    held[(role, "database", kind)] = cur.fetchone()[0]
                for function in ("public.auth_token_principal(text)", "lo_creat(integer)",
                                 "lo_open(oid, integer)"):  # fmt: skip
                    cur.execute("SELECT has_function_privilege(%s, %s, 'EXECUTE')",
                                (role, function))  # fmt: skip
                    held[(role, function)] = cur.fetchone()[0]
                cur.execute("SELECT has_sequence_privilege(%s, 'public.station_revisions',"
                            " 'USAGE')", (role,))  # fmt: skip
                held[(role, "station_revisions")] = cur.fetchone()[0]
        return held
    finally:
        conn.close()


@pytest.fixture
def compose_database(stack_config, infra) -> Iterator[tuple[str, str]]:
    """A database of its own (an empty volume's), and a password for the superuser
    ``postgres`` over TCP, as the postgres image has it (POSTGRES_SUPERUSER_PASSWORD)."""
    name = f"pratikriya_compose_{uuid.uuid4().hex[:8]}"
    superuser_password = secrets.token_urlsafe(32)
    stack.psql_superuser(
        stack_config, f'CREATE DATABASE "{name}" OWNER "{stack_config.postgres_user}"'
    )
    stack.psql_superuser(stack_config, f"ALTER ROLE postgres PASSWORD '{superuser_password}'")
    parts = urlsplit(infra["DATABASE_URL"])
    try:
        yield urlunsplit(parts._replace(path=f"/{name}")), superuser_password
    finally:
        stack.psql_superuser(stack_config, "ALTER ROLE postgres PASSWORD NULL")
        stack.psql_superuser(stack_config, f'DROP DATABASE "{name}" WITH (FORCE)')


def test_setup_makes_the_kafka_users_and_the_database_roles_as_up_does(
    broker, users, infra, compose_database
):
    """deploy/docker/setup.py, with the environment docker-compose.yml gives it, on the runtime
    environment (the image's packages, no psql): its database roles get exactly the grants
    ./pratikriya up's psql gives them, and a second run changes nothing."""
    database_url, superuser_password = compose_database
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO),
        "KAFKA_BOOTSTRAP_SERVERS": broker.address(broker.client),
        "KAFKA_SASL_USERNAME": kafka_users.ADMIN,
        "KAFKA_SASL_PASSWORD": broker.admin_password,
        kafka_users.password_key(kafka_users.ADMIN): broker.admin_password,
        **{kafka_users.password_key(user): password for user, password in users.items()},
        "DATABASE_URL": database_url,
        "POSTGRES_SUPERUSER_PASSWORD": superuser_password,
        # the roles are the cluster's: their passwords stay those of the other tests
        **{key: infra[key] for key in map(db_roles.password_key, db_roles.SERVICE_ROLES)},
        "ADMIN_TOKEN": "prk_" + secrets.token_urlsafe(32),
        "ANALYST_PASSWORD": infra["ANALYST_PASSWORD"],
        "PROMETHEUS_MULTIPROC_DIR": "",
    }
    setup = [services.runtime_python(os.environ), str(REPO / "deploy" / "docker" / "setup.py")]
    for _ in range(2):
        done = subprocess.run(setup, env=env, capture_output=True, text=True, cwd="/")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "database roles: " in done.stdout
    assert privileges(database_url) == privileges(infra["DATABASE_URL"])
    intake = db_roles.role_database_url(
        database_url, db_roles.INTAKE, infra[db_roles.password_key(db_roles.INTAKE)]
    )
    conn = psycopg2.connect(intake)
    try:
        with conn.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT name FROM feedback_personal")
    finally:
        conn.close()
