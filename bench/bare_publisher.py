"""The second baseline for the intake benchmark, the most this stack can do: Flask under the
same gunicorn settings, doing nothing but publish the request's body to Kafka through the
same sender intake uses (acks=all, idempotent, one send per request, keyed by the station
as intake keys its events) and wait for the acknowledgement before it answers 202.

Whatever intake is slower than this is its own work beyond publishing (validation, Redis
limits, building and sealing the event). It publishes to ``BENCH_PUBLISH_TOPIC`` (made by
``bench/intake_load.py`` with the feedback topic's partitions), never to the feedback topic,
so no consumer sees its records. Run as ``gunicorn 'bench.bare_publisher:create_app()'``.
"""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify, request

from shared.acked_sender import AckedSender, SendFailed


def create_app() -> Flask:
    app = Flask(__name__)
    topic = os.environ["BENCH_PUBLISH_TOPIC"]
    sender = AckedSender(
        os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        float(os.environ.get("INTAKE_PUBLISH_TIMEOUT_S", "2.0")),
        "bench-bare-publisher",
    )

    @app.post("/api/v1/feedback")
    def accept() -> tuple[Response, int]:
        body = request.get_data()
        data = request.get_json()  # parsed like intake's, for the key: the station's partition
        key = str(data.get("station_code", "")).encode() if isinstance(data, dict) else None
        try:
            sender.send_all(topic, [(key, body)])
        except SendFailed:
            return jsonify(error="kafka did not acknowledge"), 503
        return jsonify(status="accepted"), 202

    return app
