"""Runs every benchmark under bench/ and prints one table: benchmark, metric, baseline,
candidate, ratio.

A benchmark is a module here with ``run(args) -> list[dict]``; each dict is one row with
the keys ``benchmark``, ``metric``, ``baseline``, ``candidate`` and ``ratio``, and optionally
``target`` (the least acceptable ratio) with a ``note`` saying what it means. The exit status
is 0 whether targets are met or not (a benchmark is a measurement, not a test); a benchmark
that cannot run raises, and the traceback and a non-zero status say so.

Usage (on the test profile's servers): ``./pratikriya bench [--only NAME] [benchmark args]``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
COLUMNS = ("benchmark", "metric", "baseline", "candidate", "ratio")


def benchmarks() -> dict[str, object]:
    """Modules under bench/ that define ``run``, by name."""
    found = {}
    for info in sorted(pkgutil.iter_modules([str(BENCH_DIR)]), key=lambda m: m.name):
        if info.name == "run":
            continue
        module = importlib.import_module(info.name)
        if callable(getattr(module, "run", None)):
            found[info.name] = module
    return found


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def format_table(rows: list[dict]) -> str:
    cells = [list(COLUMNS)] + [[_cell(row[c]) for c in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = []
    for n, line in enumerate(cells):
        # Text columns to the left, figures to the right.
        parts = [
            text.ljust(width) if i < 2 else text.rjust(width)
            for i, (text, width) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for row in rows:
        if "target" not in row:
            continue
        met = row["ratio"] >= row["target"]
        out.append(
            f"{row['benchmark']}: target {'met' if met else 'NOT met'}: {row['metric']} ratio "
            f"{row['ratio']:.2f}, target >= {row['target']:.2f} ({row.get('note', '')})"
        )
    return out


def _stop_on_sigterm(signum, frame) -> None:
    # As SystemExit, so every `finally` runs and the servers a benchmark started are stopped.
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run just this benchmark (a module name)")
    opts, rest = parser.parse_known_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    found = benchmarks()
    if opts.only:
        if opts.only not in found:
            parser.error(f"no benchmark {opts.only!r}; there are: {', '.join(found)}")
        found = {opts.only: found[opts.only]}
    rows: list[dict] = []
    for name, module in found.items():
        print(f"== {name}", flush=True)
        rows.extend(module.run(rest))  # type: ignore[attr-defined]
    print()
    print(format_table(rows))
    print()
    for line in verdicts(rows):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
