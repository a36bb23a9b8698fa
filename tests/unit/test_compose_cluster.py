"""docker-compose.yml's profile `cluster` is the cluster of ``./pratikriya up --brokers 3``:
three KRaft nodes (kafka, kafka-2, kafka-3) started by the one start script with their own
node ids and the same three voters, replication factor 3 and min.insync.replicas 2, every
service given all three addresses; without the profile nothing changes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from ops.stack import StackConfig
from ops.stack import kafka as stack_kafka
from tests.unit.test_compose_logins import COMPOSE, ENV, PROCESSES, environment, interpolate

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "docker" / "kafka-start.sh"
NODES = ("kafka", "kafka-2", "kafka-3")
VOTERS = "1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093"
# What deploy/docker/README.md tells a cluster's .env to hold.
CLUSTER_ENV = {
    "COMPOSE_PROFILES": "cluster",
    "KAFKA_VOTERS": VOTERS,
    "KAFKA_REPLICATION": "3",
    "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092,kafka-2:9092,kafka-3:9092",
}


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def cluster(raw) -> dict:
    return interpolate(raw, {**ENV, **CLUSTER_ENV})


@pytest.fixture(scope="module")
def single(raw) -> dict:
    return interpolate(raw, ENV)


def test_the_profile_adds_two_kafka_nodes_and_nothing_else(raw):
    services = raw["services"].items()
    profiled = {name for name, svc in services if "cluster" in svc.get("profiles", [])}
    assert profiled == {"kafka-2", "kafka-3"}


def test_the_three_nodes_share_the_voters_and_have_their_own_ids_ports_and_volumes(cluster):
    envs = {name: environment(cluster, name) for name in NODES}
    assert {env["PRATIKRIYA_KAFKA_VOTERS"] for env in envs.values()} == {VOTERS}
    assert [envs[n]["PRATIKRIYA_KAFKA_NODE_ID"] for n in NODES] == ["1", "2", "3"]
    assert {env["PRATIKRIYA_KAFKA_REPLICATION"] for env in envs.values()} == {"3"}
    assert {env["CLUSTER_ID"] for env in envs.values()} == {envs["kafka"]["CLUSTER_ID"]}
    ports = [cluster["services"][n]["ports"] for n in NODES]
    assert ports == [["127.0.0.1:9092:29092"], ["127.0.0.1:9094:29092"], ["127.0.0.1:9096:29092"]]
    volumes = [cluster["services"][n]["volumes"][0].split(":")[0] for n in NODES]
    assert len(set(volumes)) == 3
    for name in NODES:
        node = cluster["services"][name]
        assert node["entrypoint"] == ["/bin/sh", "/etc/pratikriya/kafka-start.sh"]
        assert node["hostname"] == name
        assert f"--bootstrap-server {name}:9092" in " ".join(node["healthcheck"]["test"])
        # The super users' passwords, as node 1 has them (inter-broker traffic logs in).
        assert envs[name]["KAFKA_ADMIN_PASSWORD"] == ENV["KAFKA_ADMIN_PASSWORD"]
        assert envs[name]["KAFKA_CONTROLLER_PASSWORD"] == ENV["KAFKA_CONTROLLER_PASSWORD"]


def test_on_the_cluster_every_process_knows_all_nodes_and_setup_replicates_three(cluster):
    for name in PROCESSES:
        assert (
            environment(cluster, name)["KAFKA_BOOTSTRAP_SERVERS"]
            == (CLUSTER_ENV["KAFKA_BOOTSTRAP_SERVERS"])
        )
    assert environment(cluster, "setup")["KAFKA_REPLICATION"] == "3"


def test_without_the_profile_kafka_is_the_single_node_it_was(single):
    env = environment(single, "kafka")
    assert env["PRATIKRIYA_KAFKA_VOTERS"] == "1@kafka:9093"
    assert env["PRATIKRIYA_KAFKA_REPLICATION"] == "1"
    assert environment(single, "setup")["KAFKA_REPLICATION"] == "1"


def properties(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs if not key.startswith("#")}


BY_LISTENER = re.compile(
    r"^(listener\.name\.[a-z_]+\.|listeners$|advertised\.listeners$"
    r"|listener\.security\.protocol\.map$|inter\.broker\.listener"
    r"|controller\.quorum\.voters$|log\.dirs$)"
)


@pytest.mark.parametrize("name", NODES)
def test_the_start_script_writes_the_local_clusters_settings_but_for_the_listeners(
    cluster, tmp_path, name
):
    """The script's properties for each node (its Kafka stood in by scripts that only exit:
    the start itself is tests/integration/test_compose_kafka.py's) are those ops/stack/kafka.py
    gives the same node of ``up --brokers 3``, but for the addresses."""
    home = tmp_path / "home" / "bin"
    home.mkdir(parents=True)
    for tool in ("kafka-storage.sh", "kafka-server-start.sh"):
        (home / tool).write_text("#!/bin/sh\nexit 0\n")
        (home / tool).chmod(0o755)
    env = {
        **environment(cluster, name),
        "PATH": os.environ["PATH"],
        "PRATIKRIYA_KAFKA_HOME": str(tmp_path / "home"),
        "PRATIKRIYA_KAFKA_CONF": str(tmp_path / "config"),
        "PRATIKRIYA_KAFKA_DATA": str(tmp_path / "data"),
    }
    done = subprocess.run(["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ours = properties(tmp_path / "config" / "pratikriya.properties")
    cfg = StackConfig.from_env({"KAFKA_BROKERS": "3", "PRATIKRIYA_DATA_DIR": str(tmp_path)})
    node = stack_kafka.kafka_nodes(cfg)[NODES.index(name)]
    local = dict(
        line.split("=", 1)
        for line in stack_kafka._kafka_properties(cfg, node, "a", "c").splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert {k: v for k, v in ours.items() if not BY_LISTENER.match(k)} == {
        k: v for k, v in local.items() if not BY_LISTENER.match(k)
    }
    assert ours["controller.quorum.voters"] == VOTERS
    assert ours["min.insync.replicas"] == "2"
    assert ours["offsets.topic.replication.factor"] == "3"
