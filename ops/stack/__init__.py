"""Start and stop Kafka, PostgreSQL and Redis for one machine, without Docker.

All state lives under one data folder (default ``<repo>/.data``, env ``PRATIKRIYA_DATA_DIR``):

    <data>/run/            pid files and locks
    <data>/logs/           console output of the servers we start ourselves
    <data>/kafka/          the broker (ops/stack/kafka.py); a cluster's nodes in kafka/cluster/
    <data>/postgres/       the cluster (ops/stack/postgres.py)
    <data>/redis/          append-only files (ops/stack/redis.py)

Every ``start_*`` is idempotent and returns only once the server accepts connections; every
``stop_*`` is idempotent, asks politely first and kills after a bounded wait. Servers are
started in their own session so they outlive the Python process that started them. Failures
raise :class:`StackError` with the tail of the log that explains them.

Command line: ``python -m ops.stack up|down|status``. This package's names are the ones the
run command, ops/services.py and the tests use; each server's details stay in its module.
"""

from ops.stack.config import KAFKA_BROKER_COUNTS, REPO_DIR, StackConfig, StackError
from ops.stack.kafka import (
    ensure_kafka_jars,
    kafka_nodes,
    kafka_running,
    recorded_brokers,
    replication,
    start_kafka,
    start_node,
    stop_kafka,
)
from ops.stack.postgres import postgres_running, psql_superuser, start_postgres, stop_postgres
from ops.stack.process import pid_alive, port_open, spawn, tail, terminate, wait_for
from ops.stack.redis import redis_running, start_redis, stop_redis
from ops.stack.servers import main, start_all, status, stop_all

__all__ = [
    "KAFKA_BROKER_COUNTS",
    "REPO_DIR",
    "StackConfig",
    "StackError",
    "ensure_kafka_jars",
    "kafka_nodes",
    "kafka_running",
    "main",
    "pid_alive",
    "port_open",
    "postgres_running",
    "psql_superuser",
    "recorded_brokers",
    "redis_running",
    "replication",
    "spawn",
    "start_all",
    "start_kafka",
    "start_node",
    "start_postgres",
    "start_redis",
    "status",
    "stop_all",
    "stop_kafka",
    "stop_postgres",
    "stop_redis",
    "tail",
    "terminate",
    "wait_for",
]
