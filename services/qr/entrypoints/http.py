"""The QR service's HTTP entrypoint: the registry API, QR images and posters, and the IT
cell's pages, on the shared HTTP kit (health, readiness, metrics, error bodies, body cap,
security headers, and the police sign-in gate). Run under gunicorn as
``gunicorn 'services.qr.entrypoints.http:wsgi()'``.

Each route declares who may use it (``shared.auth.access``): the registry API and the pages
are the ``admin`` role's, QR images and posters are public. The routes are in
``registry_api.py``, ``codes_api.py``, ``registry_pages.py`` and ``people_pages.py``; here
the app is put together and the use cases' errors become answers.
"""

from __future__ import annotations

from flask import Flask

from services.qr import metrics, usecases
from services.qr.adapters import postgres
from services.qr.adapters.kafka import StationsPublisher
from services.qr.config import QrConfig
from services.qr.entrypoints.codes_api import codes
from services.qr.entrypoints.errors import map_errors
from services.qr.entrypoints.people_pages import people
from services.qr.entrypoints.registry_api import docs, registry
from services.qr.entrypoints.registry_pages import admin
from services.qr.rendering.printing import printer_for
from shared import logs
from shared.auth import Gate, gate_from_env
from shared.web import make_app


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs."""
    config = QrConfig.from_env()
    logs.configure_logging("qr", config.log_level)
    return create_app(config)


def create_app(
    config: QrConfig | None = None, deps: usecases.Deps | None = None, gate: Gate | None = None
) -> Flask:
    """The QR app; nothing connects before the first request that needs it. ``deps``
    replaces the registry's PostgreSQL and Kafka (readiness still asks the configured
    database)."""
    config = config or QrConfig.from_env()
    database_url = config.connections.database_url
    deps = deps or usecases.Deps(
        postgres.unit_of_work(database_url),
        StationsPublisher(config.connections.kafka_bootstrap_servers, config.publish_timeout_s),
    )
    publisher = deps.publisher
    app = make_app(
        __name__,
        requests=metrics.REQUESTS,
        readiness=lambda: {"postgres": postgres.answers(database_url), "kafka": publisher.ready()},
        gate=gate or gate_from_env(database_url),
    )
    app.extensions["qr"] = deps
    app.extensions["qr.printer"] = printer_for(config)
    for blueprint in (registry, codes, docs, admin, people):
        app.register_blueprint(blueprint)
    map_errors(app)
    return app
