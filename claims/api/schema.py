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
    submit["properties"]["text"]["pattern"] = r"^[^\x00]*[^\x00\s][^\x00]*$"


# Every page and endpoint refuses NUL in text (config.middleware.RefuseNulMiddleware; PostgreSQL cannot store it).
NO_NUL = "^[^\\x00]*$"
# If-Match must be `*` or a list of entity tags (RFC 9110); anything else is a 400 (claims.api.views).
IF_MATCH_PATTERN = '^[ ]*(|\\*|(W/)?"[\\x21\\x23-\\x7e]*"([ ]*,[ ]*(W/)?"[\\x21\\x23-\\x7e]*")*)[ ]*$'


def _refuses_nul(schema: dict) -> None:
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("pattern", NO_NUL)
    for key in ("oneOf", "anyOf", "allOf"):
        for inner in schema.get(key, []):
            _refuses_nul(inner)
    if "items" in schema:
        _refuses_nul(schema["items"])


# Operations anyone may call (claims.api.views PUBLIC): a token is optional, anonymous callers see published claims.
PUBLIC_OPERATIONS = {("get", "/api/v1/claims/"), ("get", "/api/v1/claims/{id}/"),
                     ("get", "/api/v1/claims/{id}/claimreview/")}


def _document_public(result: dict) -> None:
    for method, path in PUBLIC_OPERATIONS:
        operation = result.get("paths", {}).get(path, {}).get(method)
        if operation is not None and {} not in operation.setdefault("security", []):
            operation["security"].append({})


def _document_refusals(result: dict) -> None:
    """Say in the schema what the API refuses before any view runs: NUL in a parameter, a property name or a
    text field, and an If-Match that is not a list of entity tags."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "If-Match":
                    parameter["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN}
                else:
                    _refuses_nul(parameter.get("schema", {}))
    for name, component in result["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        component["propertyNames"] = {"pattern": NO_NUL}
        for prop in component.get("properties", {}).values():
            _refuses_nul(prop)


def add_error_responses(result, generator, request, public):
    """Document the error body under every status an operation can answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _ingestion_submit_rules(result["components"]["schemas"])
    _document_refusals(result)
    _document_public(result)
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
