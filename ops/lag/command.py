"""``./pratikriya lag``: consumer lag per group and partition, and each group's status.

    ./pratikriya lag            one look (judged with the samples kept from earlier looks)
    ./pratikriya lag --watch    refresh every few seconds until Ctrl-C
    ./pratikriya lag --json     for machines

Exit status: 0 when every group is OK, 1 when a group is not, 2 when Kafka cannot be asked.
Samples are kept in ``<data>/run/lag-samples.json`` so that separate runs (say, from cron
every minute) are judged over a sliding window, as Burrow does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from kafka.errors import KafkaError

from ops.config import OpsConfig
from ops.lag.reader import Groups, LagReader, PartitionSample
from ops.lag.status import Status, judge_groups
from ops.stack import StackConfig

WINDOW_S = 600.0


def _load(path: Path) -> list[PartitionSample]:
    try:
        return [PartitionSample(**row) for row in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        return []


def _save(path: Path, samples: list[PartitionSample]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    newest = max((s.at for s in samples), default=0.0)
    kept = [asdict(s) for s in samples if newest - s.at <= WINDOW_S]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(kept))
    tmp.replace(path)


def _fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render_table(samples: list[PartitionSample], verdicts) -> str:
    lines = [
        f"{'GROUP':<10} {'TOPIC':<20} {'PART':>4} {'COMMITTED':>10} {'LOG-END':>10} "
        f"{'LAG':>8} {'LAG-S':>8}  STATUS"
    ]
    for s in sorted(samples, key=lambda s: (s.group, s.topic, s.partition)):
        status = verdicts[s.group][1][(s.topic, s.partition)].status.name
        committed = "-" if s.committed is None else str(s.committed)
        lines.append(
            f"{s.group:<10} {s.topic:<20} {s.partition:>4} {committed:>10} {s.log_end:>10} "
            f"{s.lag:>8} {_fmt_seconds(s.lag_seconds):>8}  {status}"
        )
    lines.append("")
    for group, (verdict, _) in sorted(verdicts.items()):
        members = next((s.members for s in samples if s.group == group), 0)
        total = sum(s.lag for s in samples if s.group == group)
        lines.append(
            f"group {group}: {verdict.status.name} ({verdict.reason}); "
            f"lag {total} messages, {members} consumer(s)"
        )
    return "\n".join(lines)


def render_json(samples: list[PartitionSample], verdicts) -> str:
    groups = {}
    for group, (verdict, partitions) in verdicts.items():
        rows = [s for s in samples if s.group == group]
        groups[group] = {
            "status": verdict.status.name,
            "reason": verdict.reason,
            "lag": sum(s.lag for s in rows),
            "consumers": rows[0].members if rows else 0,
            "partitions": [
                {
                    **{k: v for k, v in asdict(s).items() if k not in ("group", "members", "at")},
                    "status": partitions[(s.topic, s.partition)].status.name,
                }
                for s in rows
            ],
        }
    return json.dumps({"at": samples[0].at if samples else time.time(), "groups": groups})


def look(reader: LagReader, history_file: Path, groups) -> tuple[list, dict]:
    samples = reader.sample(groups)
    history = [*_load(history_file), *samples]
    _save(history_file, history)
    # The file keeps every group's samples; judge only the groups asked about.
    asked = [s for s in history if s.group in groups]
    return samples, judge_groups(asked, window_s=WINDOW_S)


def _groups(requested: list[str] | None, configured: Groups) -> Groups:
    if not requested:
        return configured
    groups = {}
    for item in requested:
        group, _, topic = item.partition(":")
        groups[group] = (topic,) if topic else configured[group]
    return groups


def main(argv: list[str] | None = None) -> int:
    config = OpsConfig.from_env()
    parser = argparse.ArgumentParser(prog="pratikriya lag", description=__doc__.split("\n")[0])
    parser.add_argument("--watch", action="store_true", help="refresh until Ctrl-C")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between looks")
    parser.add_argument("--json", action="store_true", help="one JSON object per look")
    parser.add_argument(
        "--group",
        action="append",
        metavar="GROUP[:TOPIC]",
        help="only this group (repeatable); name its topic for a group other than "
        + " and ".join(config.groups)
        + " (OPS_CONSUMER_GROUPS)",
    )
    args = parser.parse_args(argv)
    bootstrap = config.kafka_bootstrap_servers
    history_file = StackConfig.from_env().data_dir / "run" / "lag-samples.json"
    try:
        groups = _groups(args.group, config.groups)
    except KeyError as unknown:
        parser.error(f"unknown group {unknown}: name its topic as GROUP:TOPIC")
    try:
        reader = LagReader(bootstrap)
    except KafkaError as exc:
        print(f"pratikriya lag: cannot reach Kafka at {bootstrap}: {exc}", file=sys.stderr)
        return 2
    try:
        while True:
            samples, verdicts = look(reader, history_file, groups)
            if args.watch and not args.json:
                print("\033[2J\033[H", end="")
            print(render_json(samples, verdicts) if args.json else render_table(samples, verdicts))
            healthy = all(v.status is Status.OK for v, _ in verdicts.values())
            if not args.watch:
                return 0 if healthy else 1
            sys.stdout.flush()
            time.sleep(args.interval)
    except KafkaError as exc:
        print(f"pratikriya lag: Kafka did not answer: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        reader.close()


if __name__ == "__main__":
    sys.exit(main())
