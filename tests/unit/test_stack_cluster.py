"""KAFKA_BROKERS: the nodes ops/stack/kafka.py runs, their ports, folders and settings; the
single broker as it always was."""

from __future__ import annotations

import pytest

from ops.stack import StackConfig, StackError
from ops.stack import kafka as stack_kafka


def config(tmp_path, **env: str) -> StackConfig:
    return StackConfig.from_env({"PRATIKRIYA_DATA_DIR": str(tmp_path), **env})


def settings(cfg: StackConfig, node: stack_kafka.KafkaNode) -> dict[str, str]:
    text = stack_kafka._kafka_properties(cfg, node, "a", "c")
    return dict(line.split("=", 1) for line in text.splitlines() if not line.startswith("#"))


def test_one_broker_is_node_1_in_the_kafka_folder_on_the_given_ports(tmp_path):
    cfg = config(tmp_path, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:19092", KAFKA_CONTROLLER_PORT="19093")
    [node] = stack_kafka.kafka_nodes(cfg)
    assert (node.node_id, node.client_port, node.controller_port) == (1, 19092, 19093)
    assert node.home == tmp_path / "kafka" and node.name == "kafka"
    found = settings(cfg, node)
    assert found["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert found["offsets.topic.replication.factor"] == "1"
    assert "min.insync.replicas" not in found and "default.replication.factor" not in found
    assert cfg.kafka_bootstrap == "127.0.0.1:19092"
    assert stack_kafka.replication(cfg) == (1, 1)


def test_three_brokers_take_every_second_port_and_share_the_voters(tmp_path):
    cfg = config(tmp_path, KAFKA_BROKERS="3")  # the defaults: 9092 and 9093
    nodes = stack_kafka.kafka_nodes(cfg)
    assert [(n.client_port, n.controller_port) for n in nodes] == [
        (9092, 9093),
        (9094, 9095),
        (9096, 9097),
    ]
    assert [n.home for n in nodes] == [
        tmp_path / "kafka" / "cluster" / f"node-{n}" for n in (1, 2, 3)
    ]
    assert cfg.kafka_bootstrap == "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096"
    voters = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097"
    for node in nodes:
        found = settings(cfg, node)
        assert found["node.id"] == str(node.node_id)
        assert found["controller.quorum.voters"] == voters
        assert found["listeners"] == (
            f"SASL_PLAINTEXT://127.0.0.1:{node.client_port},"
            f"CONTROLLER://127.0.0.1:{node.controller_port}"
        )
        assert found["log.dirs"] == str(node.home / "data")
        for key in ("default.replication.factor", "offsets.topic.replication.factor",
                    "transaction.state.log.replication.factor"):  # fmt: skip
            assert found[key] == "3"
        assert found["min.insync.replicas"] == found["transaction.state.log.min.isr"] == "2"
        assert found["unclean.leader.election.enable"] == "false"
        # Logins as on one broker: SCRAM between brokers, PLAIN to the controllers.
        assert found["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
        assert found["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert stack_kafka.replication(cfg) == (3, 2)


@pytest.mark.parametrize("value", ["2", "0", "three", "-1"])
def test_a_broker_count_other_than_1_or_3_is_refused(tmp_path, value):
    with pytest.raises(StackError, match="KAFKA_BROKERS"):
        config(tmp_path, KAFKA_BROKERS=value)


def test_ports_that_would_overlap_are_refused_before_anything_starts(tmp_path):
    cfg = config(
        tmp_path,
        KAFKA_BROKERS="3",
        KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:29092",
        KAFKA_CONTROLLER_PORT="29094",  # node 1's controller is node 2's client port
    )
    with pytest.raises(StackError, match="overlap"):
        stack_kafka.check_kafka_ports(cfg)


def test_status_and_down_read_the_count_the_last_start_used(tmp_path):
    cfg = config(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "kafka-brokers").write_text("3\n")
    assert stack_kafka.recorded_brokers(cfg).kafka_brokers == 3
