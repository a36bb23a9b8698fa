"""The common part of every service's app factory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psycopg2
from flask import Flask, Response, request
from prometheus_client import Counter
from prometheus_client.registry import Collector
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, Unauthorized
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.auth.gate import Gate, error_page
from shared.web import database
from shared.web.errors import json_error
from shared.web.health import Readiness, health_blueprint
from shared.web.inputs import refuse_unusable_input
from shared.web.json_body import GuardedJSONProvider

# No script anywhere, styles and images only from the service itself (and inline SVG/PNG as
# data: URLs), forms post back to the same service, and no page may be framed (clickjacking).
DEFAULT_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class HttpSettings:
    """What differs between the services' HTTP surfaces.

    ``trusted_proxies``: how many proxies in front of the service set ``X-Forwarded-For``
    (0: the peer address is the client's, and the header is ignored).
    """

    max_body_bytes: int = 64 * 1024
    trusted_proxies: int = 0
    content_security_policy: str = DEFAULT_CSP


PageError = Callable[[HTTPException], Response]


def make_app(
    import_name: str,
    *,
    requests: Counter,
    readiness: Readiness,
    gate: Gate,
    collectors: Callable[[], Iterable[Collector]] = tuple,
    settings: HttpSettings | None = None,
    page_error: PageError | None = None,
) -> Flask:
    """A Flask app with what every service has.

    * ``/healthz``, ``/readyz`` (``readiness`` names each check) and ``/metrics``
      (this process's metrics and ``collectors``'s);
    * ``requests`` (labels endpoint, status) counts every answer by its URL rule;
    * bodies over ``settings.max_body_bytes`` are refused with 413 before they are read;
    * input no route can use is refused with 400 before the gate or a view runs: control
      characters in the path or query string, NUL in a form field (``inputs``), and JSON
      bodies nested too deep or holding lone surrogates or NUL (``json_body``, for every
      ``request.get_json()``);
    * a change the database refuses (check, foreign or unique key, value too long) is
      422, or 409 for a duplicate (``database``), never a 500;
    * every answer carries the security headers;
    * ``gate`` decides who may use each route (``shared.auth``): it reads the route's declared
      access rule, the bearer token or the session cookie, and checks CSRF tokens;
    * an HTTP error is ``{"error": message}`` under ``/api/``; elsewhere ``page_error``
      renders it as a page, or without one the police error page when a browser asked for
      a page (and ``{"error": ...}`` otherwise).
    """
    settings = settings or HttpSettings()
    app = Flask(import_name)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json = GuardedJSONProvider(app)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies
        )
    app.register_blueprint(health_blueprint(readiness, collectors))

    # Registered before the gate's, so these run first: a refusal costs no database lookup.
    @app.before_request
    def cap_the_body() -> None:
        # Also for routes that never read their body: a declared oversize body is refused
        # at once. A body without a length (chunked) is cut at the cap when read.
        length = request.content_length
        if length is not None and length > settings.max_body_bytes:
            raise RequestEntityTooLarge()

    app.before_request(refuse_unusable_input)
    gate.install(app)

    @app.after_request
    def count_and_protect(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        requests.labels(rule, str(response.status_code)).inc()
        headers = response.headers
        headers.setdefault("Content-Security-Policy", settings.content_security_policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[Response, int]:
        status = error.code or 500
        if not request.path.startswith("/api/"):
            if page_error is not None:
                return page_error(error)
            if _wants_page():
                return error_page(error)
        response, status = json_error(error.description or error.name, status)
        if isinstance(error, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="pratikriya"'
        return response, status

    @app.errorhandler(psycopg2.IntegrityError)
    @app.errorhandler(psycopg2.DataError)
    def database_refused(error: psycopg2.Error) -> Response | tuple[Response, int]:
        return http_error(database.refusal(error))

    return app


def _wants_page() -> bool:
    """A browser asking for a page (not a program asking for JSON)."""
    if "Authorization" in request.headers:
        return False
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["application/json"]
