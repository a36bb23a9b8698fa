"""Freshness: from intake's 202 to the feedback being counted in the analytics API, under
steady load.

Intake, analytics and the analytics consumer run as in production (gunicorn and ``python -m``,
through ops.services) on the test profile's servers. A background thread posts feedback for a
set of stations at a steady rate (``--rate`` per second) for the whole measurement; meanwhile
each probe posts one feedback for a station of its own and times its 202 to the moment
``GET /api/v1/stations/<code>/scores`` counts it in the 24-hour window. p50 and p95 over
``--probes`` probes. The stations, posting and percentile helpers are alert_latency's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
import urllib.request

import alert_latency as common

from ops import services

STARTED = ("intake", "analytics")
WORKERS = ("analytics-consumer",)
TARGET_P95_S = 2.0  # "appears in the station's scores within a couple of seconds"


def _counted(analytics: str, code: str) -> int:
    with urllib.request.urlopen(f"{analytics}/api/v1/stations/{code}/scores", timeout=5) as r:  # noqa: S310
        return json.loads(r.read())["windows"]["24h"]["count"]


def _steady_load(intake: str, codes: list[str], key: bytes, rate: float, stop: threading.Event):
    sent = 0
    started = time.monotonic()
    while not stop.is_set():
        common._post(intake, common._feedback(random.choice(codes), key))
        sent += 1
        # Keep to the rate on average, whatever one request took.
        stop.wait(max(0.0, started + sent / rate - time.monotonic()))


def measure(env: dict[str, str], probes: int, rate: float) -> list[float]:
    intake_url = f"http://127.0.0.1:{services.SERVICES['intake'].port(env)}"
    analytics = f"http://127.0.0.1:{services.SERVICES['analytics'].port(env)}"
    intake = f"{intake_url}/api/v1/feedback"
    key = env["QR_SIGNING_KEY"].encode()
    made = [station["code"] for station in common._stations(env, 10 + probes + 1)]
    background, probe_codes = made[:10], made[10:]
    common._wait_until_known(intake_url, probe_codes[-1], key)
    stop = threading.Event()
    loader = threading.Thread(
        target=_steady_load, args=(intake, background, key, rate, stop), daemon=True
    )
    loader.start()
    latencies = []
    try:
        for code in probe_codes:  # the first probe warms everything up and is not counted
            assert common._post(intake, common._feedback(code, key)) == 202
            accepted = time.monotonic()
            deadline = accepted + 30
            while _counted(analytics, code) < 1:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{code} not counted within 30 s")
                time.sleep(0.01)
            latencies.append(time.monotonic() - accepted)
    finally:
        stop.set()
        loader.join(timeout=10)
    return latencies[1:]


def run(args: list[str]) -> list[dict]:
    parser = argparse.ArgumentParser(prog="freshness")
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--rate", type=float, default=20.0, help="background posts per second")
    opts, _ = parser.parse_known_args(args)
    env = dict(os.environ)
    env["INTAKE_LIMIT_PER_ADDRESS_PER_HOUR"] = "100000000"
    services.ensure_environment(env)
    with common.running(env, STARTED, WORKERS):
        latencies = measure(env, opts.probes, opts.rate)
    p50, p95 = statistics.median(latencies), common.percentile(latencies, 95)
    print(
        f"freshness over {len(latencies)} probes at {opts.rate:g} posts/s of background load: "
        f"p50 {p50:.3f} s, p95 {p95:.3f} s, max {max(latencies):.3f} s"
    )
    return [
        {
            "benchmark": "freshness",
            "metric": "p50 s, 202 -> counted in scores API (baseline: target)",
            "baseline": TARGET_P95_S,
            "candidate": p50,
            "ratio": TARGET_P95_S / p50,
        },
        {
            "benchmark": "freshness",
            "metric": "p95 s, 202 -> counted in scores API (baseline: target)",
            "baseline": TARGET_P95_S,
            "candidate": p95,
            "ratio": TARGET_P95_S / p95,
            "target": 1.0,
            "note": "p95 within a couple of seconds",
        },
    ]
