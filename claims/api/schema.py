"""OpenAPI extras: the Bearer token scheme, and the one error body documented on every operation."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer has this shape.",
    "properties": {
        "error": {
            "type": "object",
            "description": "What went wrong.",
            "properties": {
                "code": {"type": "string", "description": "Machine-readable code, e.g. invalid, not_authenticated."},
                "message": {"type": "string", "description": "What went wrong, for a person to read."},
                "fields": {
                    "type": "object",
                    "description": "Per-field messages for invalid input; empty otherwise.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "current_version": {"type": "integer", "description": "412 only: the resource's version now."},
                "retry_after": {"type": "number", "nullable": True, "description": "429 only: seconds to wait."},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

_ERRORS = {
    "400": "The input is not valid; `fields` says where.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "The caller's role (or a read-only token) does not allow this.",
    "404": "No such resource, or not one the caller may see.",
    "409": "The claim already has this verdict (and the call does not publish it): nothing was recorded.",
    "412": "If-Match names a version that is no longer current; reload and try again.",
    "429": "Too many requests for this token; `retry_after` says how long to wait.",
}
_WRITES = {"post", "put", "patch", "delete"}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "claims.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from `manage.py api_token create`: `Authorization: Bearer ctk_…`. "
            "Read-only unless it was made with --read-write.",
        }


def _ingestion_submit_rules(schemas: dict) -> None:
    """What IngestionSubmitSerializer.validate enforces, which drf-spectacular cannot infer: exactly one of url
    and text, and a text that is not only white space (DRF trims it, then refuses it as blank)."""
    submit = schemas.get("IngestionSubmitRequest")
    if submit is None:
        return
    submit["oneOf"] = [{"required": ["url"], "not": {"required": ["text"]}},
                       {"required": ["text"], "not": {"required": ["url"]}}]
    submit["properties"]["text"]["pattern"] = r"\S"


def add_error_responses(result, generator, request, public):
    """Document the error body under every status an operation can answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _ingestion_submit_rules(result["components"]["schemas"])
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "403", "404", "429"]
            if method in _WRITES or "{" in path:
                codes.append("412")
            if path.endswith("/verdict/"):
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                body = {"application/json": {"schema": ref}}
                responses.setdefault(code, {"description": _ERRORS[code], "content": body})
    return result
