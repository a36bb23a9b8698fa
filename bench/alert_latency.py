"""Alert latency: from the HTTP 202 of the feedback that tips a station over to the SMS arriving
at the gateway, through every service (intake -> Kafka -> analytics -> station.scores ->
notifier -> HTTP SMS gateway).

Each run makes a fresh station (so it has no baseline and the absolute-share rule applies with
the default rules of deploy/notifier.toml: 3 "problem not solved" answers of 3), posts three
such feedbacks to intake and times the third one's 202 to the SMS for that station's SHO at a
stand-in gateway (an http.server in this process). p50 and p95 over ``--runs`` runs; the
target is p95 under 5 seconds.

The services run as in production (gunicorn, ``python -m`` workers, through ops.services) on
the test profile's servers; intake gets a higher per-address limit (all posts come from
127.0.0.1). They are stopped at the end so the tests start them with their own settings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ops import services, stack
from services.qr.cli import announce_stations
from shared import db
from shared.signing import sign

TARGET_P95_S = 5.0
STARTED = ("intake", "analytics", "notifier")
WORKERS = ("analytics-consumer", "notifier-worker")


class Gateway:
    """Records when the first SMS for each number arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway.lock:
                    gateway.arrived.setdefault(body["to"], time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, number: str, timeout_s: float) -> float:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if number in self.arrived:
                    return self.arrived[number]
            time.sleep(0.005)
        raise TimeoutError(f"no SMS for the test SHO within {timeout_s} s")


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 - our own http URL
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status


def _station(database_url: str) -> dict:
    code = f"B-{uuid.uuid4().hex[:12].upper()}"
    mobile = "+919" + str(uuid.uuid4().int)[:9]
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO stations (code, name_en, name_hi, zone, sho_name, sho_mobile, sho_email)"
            " VALUES (%s, %s, %s, 'East', 'SHO bench', %s, '')",
            (code, f"Bench station {code}", f"बेंच थाना {code}", mobile),
        )
    return {"code": code, "sho_mobile": mobile}


def _stations(env: dict[str, str], count: int) -> list[dict]:
    """``count`` new stations, announced: rows written by hand reach intake and the notifier
    only through the stations topic, as after any change made in SQL (docs/qr.md)."""
    made = [_station(env["DATABASE_URL"]) for _ in range(count)]
    announce_stations(env["DATABASE_URL"], env["KAFKA_BOOTSTRAP_SERVERS"])
    return made


def _feedback(code: str, key: bytes) -> dict:
    return {
        "station_code": code,
        "qr_version": 1,
        "sig": sign(key, code, 1),
        "rating": 4,
        "mobile": "9" + str(uuid.uuid4().int)[:9],
        "complaint_type": "theft",
        "staff_available": True,
        "staff_helped": False,
        "problem_resolved": False,
        "language": "hi",
    }


def _wait_until_known(intake_url: str, code: str, key: bytes) -> None:
    """Each intake worker follows the stations topic: wait until several requests in a row
    (so several workers) find the new stations."""
    url = f"{intake_url}/s/{code}?v=1&sig={sign(key, code, 1)}"
    streak, deadline = 0, time.monotonic() + 30
    while streak < 8:
        if time.monotonic() > deadline:
            raise TimeoutError("intake does not know the bench's stations")
        try:
            with urllib.request.urlopen(url, timeout=5) as page:  # noqa: S310
                streak = streak + 1 if page.status == 200 else 0
        except urllib.error.HTTPError:
            streak = 0
            time.sleep(0.2)


@contextlib.contextmanager
def running(env: dict[str, str], started: tuple[str, ...], workers: tuple[str, ...]):
    """The services and workers named, started afresh with ``env`` for the block, and
    stopped after it (so the tests start them again with their own settings)."""
    cfg = stack.StackConfig.from_env(env)
    for name in (*workers, *started):
        services.stop_service(cfg, name)
    try:
        for name in started:
            services.start_service(cfg, name, env)
        for name in workers:
            services.start_worker(cfg, name, env)
        yield
    finally:
        for name in (*workers, *started):
            services.stop_service(cfg, name)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def measure(env: dict[str, str], runs: int, gateway: Gateway) -> list[float]:
    intake = f"http://127.0.0.1:{services.SERVICES['intake'].port(env)}/api/v1/feedback"
    key = env["QR_SIGNING_KEY"].encode()
    stations = _stations(env, runs + 1)
    _wait_until_known(intake.replace("/api/v1/feedback", ""), stations[-1]["code"], key)
    latencies = []
    for station in stations:  # the first run warms every process up and is not counted
        for _ in range(2):
            assert _post(intake, _feedback(station["code"], key)) == 202
        assert _post(intake, _feedback(station["code"], key)) == 202
        accepted = time.monotonic()
        latencies.append(gateway.wait_for(station["sho_mobile"], 30) - accepted)
    return latencies[1:]


def run(args: list[str]) -> list[dict]:
    parser = argparse.ArgumentParser(prog="alert_latency")
    parser.add_argument("--runs", type=int, default=20)
    opts, _ = parser.parse_known_args(args)
    gateway = Gateway()
    env = dict(os.environ)
    env.update(
        INTAKE_LIMIT_PER_ADDRESS_PER_HOUR="100000000",
        NOTIFIER_SMS_URL=gateway.url,
        NOTIFIER_SMS_API_KEY="bench",
    )
    env.pop("NOTIFIER_SMTP_HOST", None)
    services.ensure_environment(env)
    try:
        with running(env, STARTED, WORKERS):
            latencies = measure(env, opts.runs, gateway)
    finally:
        gateway.server.shutdown()
    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    print(f"alert latency over {len(latencies)} runs: p50 {p50:.3f} s, p95 {p95:.3f} s, "
          f"max {max(latencies):.3f} s")  # fmt: skip
    return [
        {
            "benchmark": "alert_latency",
            "metric": "p50 s, 202 -> SMS (baseline: target)",
            "baseline": TARGET_P95_S,
            "candidate": p50,
            "ratio": TARGET_P95_S / p50,
        },
        {
            "benchmark": "alert_latency",
            "metric": "p95 s, 202 -> SMS (baseline: target)",
            "baseline": TARGET_P95_S,
            "candidate": p95,
            "ratio": TARGET_P95_S / p95,
            "target": 1.0,
            "note": "p95 under 5 s",
        },
    ]
