"""Intake's OpenAPI description, built from the same marshmallow schema that validates
requests, served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.intake.schemas import FeedbackInputSchema

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}


def _json(schema: dict[str, Any] | str, description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="Pratikriya intake",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "A visitor's feedback on a police station, into Kafka."},
    )
    spec.components.schema("Feedback", schema=FeedbackInputSchema)
    spec.components.schema("Error", _ERROR)
    refusal = _json("Error", "refused; the message says why")
    spec.path(
        path="/api/v1/feedback",
        operations={
            "post": {
                "summary": "Submit feedback; accepted only once Kafka has it",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                        "description": "a retry with the same key returns the first id",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Feedback"}}
                    },
                },
                "responses": {
                    "202": _json(
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string", "format": "uuid"},
                                "status": {"type": "string", "enum": ["accepted"]},
                            },
                            "required": ["id", "status"],
                        },
                        "accepted: Kafka acknowledged the event",
                    ),
                    "400": refusal,
                    "403": _json("Error", "the QR code's signature is not genuine"),
                    "404": _json("Error", "unknown station"),
                    "409": _json("Error", "the Idempotency-Key was used for other feedback"),
                    "410": _json("Error", "the QR code was replaced or the station closed"),
                    "413": _json("Error", "body over 16 KB"),
                    "415": _json("Error", "not JSON"),
                    "422": _json(
                        {
                            "type": "object",
                            "properties": {
                                "errors": {
                                    "type": "object",
                                    "additionalProperties": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                }
                            },
                            "required": ["errors"],
                        },
                        "invalid fields, a message for each",
                    ),
                    "429": _json("Error", "over an abuse limit; see Retry-After"),
                    "503": _json("Error", "Kafka or Redis unreachable; retry after Retry-After"),
                },
            }
        },
    )
    for path, summary in (
        ("/healthz", "the process is alive"),
        ("/readyz", "Kafka, Redis and the station registry are reachable"),
    ):
        spec.path(
            path=path,
            operations={
                "get": {
                    "summary": summary,
                    "responses": {
                        "200": {"description": "yes"},
                        "503": {"description": "no (readyz: the failing checks)"},
                    },
                }
            },
        )
    return spec.to_dict()
