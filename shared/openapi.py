"""Pieces every service's OpenAPI description shares: the error bodies, JSON responses, the
police's bearer token, the health endpoints and ``/openapi.json`` itself."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from apispec import APISpec

if TYPE_CHECKING:
    from flask import Blueprint, Response

ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
INVALID = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
    "required": ["errors"],
}
BEARER = "bearer"
# An operation for a sign-in or a token: ``"security": SIGNED_IN``.
SIGNED_IN: list[dict[str, list[str]]] = [{BEARER: []}]
# From the machine itself without one (``/metrics``, ``/readyz``), or with a token.
LOOPBACK_OR_TOKEN: list[dict[str, list[str]]] = [{}, {BEARER: []}]
_BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "A police token (`./pratikriya tokens add --role ROLE [--station CODE | --zone ZONE]`)"
        " with that role's scope. A browser signed in at /login sends its session cookie"
        " instead."
    ),
}


def json_response(schema: dict[str, Any] | str, description: str) -> dict[str, Any]:
    """A JSON response: ``schema`` inline, or the name of a component schema."""
    ref = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An optional query parameter."""
    found = {"name": name, "in": "query", "required": False, "schema": schema}
    return {**found, "description": description} if description else found


def add_error_schemas(spec: APISpec) -> None:
    """Components ``Error`` ({"error": message}) and ``Invalid`` (messages per field)."""
    spec.components.schema("Error", ERROR)
    spec.components.schema("Invalid", INVALID)


def add_bearer_scheme(spec: APISpec) -> None:
    """The ``bearer`` security scheme (once, however often it is asked for)."""
    if BEARER not in spec.components.security_schemes:
        spec.components.security_scheme(BEARER, _BEARER_SCHEME)


def refusals(roles: str) -> dict[str, Any]:
    """The answers of a route behind the gate: 401 without a valid sign-in or token, 403
    when the ``roles`` (described) or the principal's scope do not cover it."""
    return {
        "401": json_response("Error", "no sign-in or token, or a token that is not valid"),
        "403": json_response("Error", f"for {roles} only, within their station or zone"),
    }


def add_health_paths(spec: APISpec, ready_means: str) -> None:
    """``/healthz`` (anybody), ``/readyz`` and ``/metrics`` (loopback, or an ops or admin
    token); ``ready_means`` says what readiness checks."""
    add_bearer_scheme(spec)
    spec.path(
        path="/healthz",
        operations={
            "get": {
                "summary": "the process is alive",
                "security": [{}],
                "responses": {"200": json_response({"type": "object"}, "yes")},
            }
        },
    )
    watched = refusals("ops and admin (or from this machine)")
    spec.path(
        path="/readyz",
        operations={
            "get": {
                "summary": ready_means,
                "security": LOOPBACK_OR_TOKEN,
                "responses": {
                    "200": {"description": "yes"},
                    "503": {"description": "no: {status, checks, failing}"},
                    **watched,
                },
            }
        },
    )
    spec.path(
        path="/metrics",
        operations={
            "get": {
                "summary": "Prometheus metrics of every worker of this service",
                "security": LOOPBACK_OR_TOKEN,
                "responses": {
                    "200": {
                        "description": "Prometheus text format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    **watched,
                },
            }
        },
    )


def add_openapi_path(spec: APISpec) -> None:
    """``/openapi.json``: this description, for any signed-in person or token."""
    add_bearer_scheme(spec)
    spec.path(
        path="/openapi.json",
        operations={
            "get": {
                "summary": "This description (OpenAPI 3)",
                "security": SIGNED_IN,
                "responses": {
                    "200": json_response({"type": "object"}, "the description"),
                    **refusals("any role"),
                },
            }
        },
    )


def openapi_blueprint(build: Callable[[], dict[str, Any]]) -> Blueprint:
    """``GET /openapi.json`` for any sign-in or token: ``build()``'s description, built once
    on first use (building it opens no connection)."""
    from flask import Blueprint, jsonify

    from shared.auth import access

    blueprint = Blueprint("openapi", __name__)
    described = cache(build)

    @blueprint.get("/openapi.json")
    @access.signed_in
    def openapi() -> Response:
        return jsonify(described())

    return blueprint


def new_spec(title: str, description: str, **options: Any) -> APISpec:
    """A service's description with what every one has: OpenAPI 3.0.3, the bearer token
    scheme and the error bodies."""
    spec = APISpec(title=title, version="1.0.0", openapi_version="3.0.3",
                   info={"description": description}, **options)  # fmt: skip
    add_bearer_scheme(spec)
    add_error_schemas(spec)
    return spec


def station_code_parameter(pattern: str) -> dict[str, Any]:
    """The ``{code}`` path parameter: a station's code matching ``pattern``."""
    return {"name": "code", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": pattern},
            "description": "the station's code, e.g. GGN-SADAR"}  # fmt: skip
