"""The baseline for the intake benchmark: Flask under the same gunicorn settings, doing
nothing but parse the JSON body and answer 202.

Whatever intake is slower than this is the cost of its own work (validation, Redis limits,
waiting for Kafka's acknowledgement), not of Flask, gunicorn or the load generator.
Run as ``gunicorn 'bench.bare_app:create_app()'``.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/api/v1/feedback")
    def accept() -> tuple[Response, int]:
        request.get_json()  # parsed like intake's body, then dropped; 400 if it is not JSON
        return jsonify(status="accepted"), 202

    return app
