"""Intake's OpenAPI description, built from the same marshmallow schema that validates
requests, served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.intake.schemas import FeedbackInputSchema
from shared.openapi import add_error_schemas, add_health_paths, add_openapi_path, json_response


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="Pratikriya intake",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "A visitor's feedback on a police station, into Kafka."},
    )
    spec.components.schema("Feedback", schema=FeedbackInputSchema)
    add_error_schemas(spec)
    refusal = json_response("Error", "refused; the message says why")
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
                    "202": json_response(
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
                    "403": json_response("Error", "the QR code's signature is not genuine"),
                    "404": json_response("Error", "unknown station"),
                    "409": json_response(
                        "Error", "the Idempotency-Key was used for other feedback"
                    ),
                    "410": json_response("Error", "the QR code was replaced or the station closed"),
                    "413": json_response("Error", "body over 16 KB"),
                    "415": json_response("Error", "not JSON"),
                    "422": json_response("Invalid", "invalid fields, a message for each"),
                    "429": json_response("Error", "over an abuse limit; see Retry-After"),
                    "503": json_response(
                        "Error", "Kafka or Redis unreachable; retry after Retry-After"
                    ),
                },
            }
        },
    )
    add_health_paths(spec, "Kafka, Redis and the station registry are reachable")
    add_openapi_path(spec)
    return spec.to_dict()
