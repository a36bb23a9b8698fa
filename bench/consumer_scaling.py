"""The analytics consumer group with 1, 2 and 4 members, each a process of its own.

For each repeat and each member count (interleaved: 1, 2, 4, 1, 2, 4, ... so the noise of a
shared machine falls on all of them): a topic of its own (12 partitions, like
``feedback.submitted``) is filled with ``--events`` fresh events for ``--stations``
stations (``analytics_drain.fill``: realistic, sealed, over the last 30 days); then N
members of a group of its own run the production worker (``services.analytics.entrypoints
.worker.run``, its batch settings) as ``python -m bench.consumer_scaling --member ...``.
The rate is taken from the group's committed offsets between 10% of the events (or, if
later, the first moment Kafka shows all N members in a stable group) and 90%, so the
processes' start, the group's first rebalances and the tail of the last batches are not
part of it. The mean batch size (the members' own counters in ``worker_health``) is printed
too: each batch has a fixed cost (a transaction, the touched stations' windows, the rankings,
a scores event per station), shared by fewer events when the members' batches are smaller.
Beside it: the CPU seconds each kind of process used in that span (the
members, PostgreSQL's backends, Redis, Kafka), per 1,000 events, from /proc.

Reported: the median rate of each member count over the repeats, and its ratio to the
median of one member (the baseline, same run). No target: the curve is the finding (see
docs/analytics.md, "Consumers that scale").
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

from kafka import KafkaAdminClient

from bench.analytics_drain import fill, make_stations
from ops import stack
from ops.stack import kafka as stack_kafka
from ops.stack import postgres as stack_postgres
from ops.stack import redis as stack_redis
from shared import db
from shared.consumer.health import read_figures
from shared.kafka_io import kafka_security
from shared.sealing import generate
from shared.topics import TopicSpec, ensure_topics

MEMBERS = (1, 2, 4)
PARTITIONS = 12
TICKS = os.sysconf("SC_CLK_TCK")


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench consumer_scaling", description=__doc__)
    parser.add_argument("--scaling-events", type=int, default=40_000, dest="events")
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    opts, _ = parser.parse_known_args(args)
    return opts


def member(argv: list[str]) -> None:
    """One member of the benchmark's group (run as a process of its own)."""
    from services.analytics.config import AnalyticsConfig
    from services.analytics.entrypoints import worker
    from shared import logs

    topic, scores, dlq, group, prefix = argv
    config = replace(
        AnalyticsConfig.from_env(), feedback_topic=topic, scores_topic=scores, dlq_topic=dlq,
        group_id=group, redis_prefix=prefix, purge_every_s=10**9,
    )  # fmt: skip
    logs.configure_logging("bench-member", "WARNING")
    worker.run(config)


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """Each process's user and system CPU seconds so far (a process gone is left out)."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process born in between counts from zero (the
    members' PostgreSQL backends: each connection is a process of its own)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent:
                found.append(int(entry.name))
    return found


def server_pids(cfg: stack.StackConfig) -> dict[str, list[int]]:
    postmaster = stack_postgres.postmaster_pid(stack_postgres.postgres_install(cfg))
    redis_pid, kafka_pid = stack_redis.redis_pid(cfg), stack_kafka.broker_pid(cfg)
    return {
        "postgres": [postmaster, *children(postmaster)] if postmaster else [],
        "redis": [redis_pid] if redis_pid else [],
        "kafka": [kafka_pid] if kafka_pid else [],
    }


def committed(admin: KafkaAdminClient, group: str, topic: str) -> int:
    offsets = admin.list_group_offsets({group: None}).get(group) or {}
    return sum(m.offset for tp, m in offsets.items() if tp.topic == topic and m.offset > 0)


def members_of(admin: KafkaAdminClient, group: str) -> int:
    """Members of a stable group (0 while it rebalances)."""
    described = admin.describe_groups([group]).get(group) or {}
    state = described.get("group_state") or described.get("state") or ""
    if str(state).lower() != "stable":
        return 0
    return len(described.get("members") or [])


def mean_batch(database_url: str, group: str) -> float:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        figures = read_figures(cur, group)
    return figures.get("events_consumed", 0.0) / max(1.0, figures.get("batches", 0.0))


def one_round(cfg, env, stations: list[str], events: int, count: int) -> dict:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    tag = uuid.uuid4().hex[:6]
    topic, scores = f"bench.scale.{tag}", f"bench.scale-scores.{tag}"
    dlq = f"bench.scale-dlq.{tag}"
    ensure_topics(bootstrap, topics=(TopicSpec(topic, PARTITIONS), TopicSpec(scores, PARTITIONS),
                                     TopicSpec(dlq, 3)))  # fmt: skip
    keys = generate("bench")
    fill(bootstrap, topic, stations, events, keys)
    group = f"bench-scale-{tag}"
    child_env = {**env, "ANALYTICS_SEAL_KEYS": keys.private, "PYTHONPATH": str(stack.REPO_DIR)}
    argv = [sys.executable, "-m", "bench.consumer_scaling", "--member", topic, scores, dlq,
            group, f"bench-scale-{tag}"]  # fmt: skip
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench", **kafka_security())
    logs = cfg.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs = []
    try:
        for n in range(count):
            with open(logs / f"bench-member-{n + 1}.log", "ab") as log:
                procs.append(subprocess.Popen(argv, env=child_env, stdout=log, stderr=log,
                                              cwd=stack.REPO_DIR))  # fmt: skip
        marks: dict[str, dict] = {}
        deadline = time.monotonic() + 600
        while len(marks) < 2:
            assert time.monotonic() < deadline, "the group did not drain in 10 minutes"
            assert all(p.poll() is None for p in procs), "a member exited"
            done = committed(admin, group, topic)
            for name, share in (("from", 0.1), ("to", 0.9)):
                if name not in marks and done >= share * events:
                    members = members_of(admin, group)
                    if name == "from" and members != count:
                        continue  # not all in yet, or rebalancing: not the steady state
                    marks[name] = {
                        "at": time.perf_counter(), "done": done, "members": members,
                        "cpu": {"members": cpu_by_pid([p.pid for p in procs]),
                                **{k: cpu_by_pid(v) for k, v in server_pids(cfg).items()}},
                    }  # fmt: skip
            time.sleep(0.05)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        admin.close()
    a, b = marks["from"], marks["to"]
    drained = b["done"] - a["done"]
    return {
        "rate": drained / (b["at"] - a["at"]),
        "members_seen": (a["members"], b["members"]),
        "batch": mean_batch(env["DATABASE_URL"], group),
        "cpu_per_1000": {k: 1000 * cpu_used(a["cpu"][k], b["cpu"][k]) / drained for k in a["cpu"]},
    }


def run(args: list[str]) -> list[dict]:
    opts = parse_args(args)
    env = dict(os.environ)
    cfg = stack.StackConfig.from_env(env)
    stations = make_stations(env["DATABASE_URL"], uuid.uuid4().hex[:6], opts.stations)
    rounds: dict[int, list[dict]] = {n: [] for n in MEMBERS}
    print(
        f"consumer_scaling: {opts.events} events, {opts.stations} stations, {PARTITIONS}"
        f" partitions, {opts.repeats} repeats of {MEMBERS} members",
        flush=True,
    )
    for repeat in range(opts.repeats):
        for count in MEMBERS:
            result = one_round(cfg, env, stations, opts.events, count)
            rounds[count].append(result)
            cpu = ", ".join(f"{k} {v:.3f}" for k, v in result["cpu_per_1000"].items())
            print(f"  repeat {repeat + 1}, {count} member(s): {result['rate']:7.0f} events/s"
                  f" (members seen {result['members_seen']}; mean batch {result['batch']:.0f};"
                  f" CPU s per 1,000 events: {cpu})",
                  flush=True)  # fmt: skip
    medians = {n: statistics.median(r["rate"] for r in rounds[n]) for n in MEMBERS}
    baseline = medians[1]
    rows = []
    for count in MEMBERS[1:]:
        ratios = [c["rate"] / o["rate"] for c, o in zip(rounds[count], rounds[1], strict=True)]
        rows.append({
            "benchmark": "consumer_scaling",
            "metric": f"events/s, {count} members vs 1",
            "baseline": baseline, "candidate": medians[count],
            "ratio": statistics.median(ratios),
        })  # fmt: skip
    for count in MEMBERS:
        cpu = {
            k: statistics.median(r["cpu_per_1000"][k] for r in rounds[count])
            for k in rounds[count][0]["cpu_per_1000"]
        }
        print(f"  {count} member(s): median {medians[count]:.0f} events/s; median CPU s per"
              f" 1,000 events: " + ", ".join(f"{k} {v:.3f}" for k, v in cpu.items()))  # fmt: skip
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--member"]:
        member(sys.argv[2:])
    else:
        from bench.run import format_table

        print(format_table(run(sys.argv[1:])))
