"""All three servers at once, and ``python -m ops.stack up|down|status``."""

from __future__ import annotations

import sys

from ops.stack.config import StackConfig, StackError
from ops.stack.kafka import (
    check_kafka_ports,
    kafka_nodes,
    kafka_running,
    node_running,
    spawn_kafka,
    stop_kafka,
    wait_kafka,
)
from ops.stack.postgres import (
    check_postgres_port,
    postgres_install,
    postgres_running,
    postmaster_pid,
    start_postgres,
    stop_postgres,
)
from ops.stack.process import locked, secure_data_dir
from ops.stack.redis import check_redis_port, redis_pid, redis_running, start_redis, stop_redis


def _check_ports(cfg: StackConfig) -> None:
    """Refuse before starting anything if a port we need is held by a stranger."""
    check_kafka_ports(cfg)  # of the nodes that do not run
    if postmaster_pid(postgres_install(cfg)) is None:
        check_postgres_port(cfg)
    if redis_pid(cfg) is None:
        check_redis_port(cfg)


def start_all(cfg: StackConfig) -> None:
    """Start all three (nothing, if a port is taken); the JVM boots while PostgreSQL and
    Redis start."""
    _check_ports(cfg)
    secure_data_dir(cfg)
    with locked(cfg, "kafka"):
        started = None if kafka_running(cfg) else spawn_kafka(cfg)
        start_postgres(cfg)
        start_redis(cfg)
        if started is not None:
            wait_kafka(cfg, started)


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


def kafka_names(cfg: StackConfig) -> dict[str, str]:
    """Status name -> address of each Kafka node: "kafka", or "kafka-1" ... of a cluster."""
    nodes = kafka_nodes(cfg)
    return {
        ("kafka" if len(nodes) == 1 else f"kafka-{node.node_id}"): (
            f"{cfg.kafka_host}:{node.client_port} (controller :{node.controller_port})"
        )
        for node in nodes
    }


def status(cfg: StackConfig) -> dict[str, bool]:
    """Which of our servers run and answer: {"kafka": ..., "postgres": ..., "redis": ...};
    a cluster (KAFKA_BROKERS=3) has "kafka-1", "kafka-2", "kafka-3" instead of "kafka"."""
    nodes = kafka_nodes(cfg)
    found = {
        name: node_running(cfg, node) for name, node in zip(kafka_names(cfg), nodes, strict=True)
    }
    return {**found, "postgres": postgres_running(cfg), "redis": redis_running(cfg)}


def _describe(cfg: StackConfig) -> dict[str, str]:
    return {
        **kafka_names(cfg),
        "postgres": f"{cfg.postgres_host}:{cfg.postgres_port}/{cfg.postgres_db}",
        "redis": f"{cfg.redis_host}:{cfg.redis_port}",
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in ("up", "down", "status"):
        print("usage: python -m ops.stack up|down|status", file=sys.stderr)
        return 2
    try:
        cfg = StackConfig.from_env()
        {"up": start_all, "down": stop_all, "status": lambda _cfg: None}[args[0]](cfg)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = _describe(cfg)
    for name, up in status(cfg).items():
        print(f"{name:<9} {'up' if up else 'down':<5} {where[name]}")
    return 0
