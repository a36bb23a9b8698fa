"""Pieces every service's OpenAPI description shares: the error bodies, JSON responses, and
the health endpoints."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

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


def json_response(schema: dict[str, Any] | str, description: str) -> dict[str, Any]:
    """A JSON response: ``schema`` inline, or the name of a component schema."""
    ref = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def add_error_schemas(spec: APISpec) -> None:
    """Components ``Error`` ({"error": message}) and ``Invalid`` (messages per field)."""
    spec.components.schema("Error", ERROR)
    spec.components.schema("Invalid", INVALID)


def add_health_paths(spec: APISpec, ready_means: str) -> None:
    """``/healthz`` and ``/readyz``; ``ready_means`` says what readiness checks."""
    for path, summary in (("/healthz", "the process is alive"), ("/readyz", ready_means)):
        spec.path(
            path=path,
            operations={
                "get": {
                    "summary": summary,
                    "responses": {
                        "200": {"description": "yes"},
                        "503": {"description": "no: {status, checks, failing}"},
                    },
                }
            },
        )
