"""``python -m services.analytics.cli rebuild``: recompute every station's Redis state
(windows and rankings) from PostgreSQL, and republish their scores."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from services.analytics.config import AnalyticsConfig
from services.analytics.entrypoints.worker import build_deps
from services.analytics.usecases import rebuild
from shared import logs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.analytics.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rebuild", help="recompute Redis scores and rankings from PostgreSQL")
    parser.parse_args(argv)
    config = AnalyticsConfig.from_env()
    logs.configure_logging("analytics-cli", config.log_level)
    deps = build_deps(config)
    deps = replace(deps, retry=replace(deps.retry, max_pause_s=2.0))
    try:
        count = rebuild(deps)
    finally:
        deps.publisher.close()
        deps.database.close()
    print(f"rebuilt the scores of {count} stations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
