"""One error shape for the whole API: {"error": {"code", "message", "fields"}}, whatever raised it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from core.exceptions import StaleVersion, VerdictUnchanged


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"
    default_detail = "the resource has changed since you loaded it"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "unchanged"
    default_detail = "the resource is already in the state asked for"


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    return str(detail)


def _fields(detail) -> dict:
    """DRF's per-field messages as {"field": ["message", ...]}; nested objects keep dotted names."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for i, inner in enumerate(value):
                walk(f"{prefix}.{i}", inner)
        else:
            out[prefix or "non_field_errors"] = [str(v) for v in (value if isinstance(value, list) else [value])]

    walk("", detail)
    return out


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def api_exception_handler(exc, context):
    """Map services' Django exceptions to HTTP, then let DRF render, then reshape into the one body."""
    extra: dict = {}
    if isinstance(exc, StaleVersion):
        extra["current_version"] = exc.current_version
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, VerdictUnchanged):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django's 500 handling log it
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        message = " ".join(f"{k}: {' '.join(v)}" if k != "non_field_errors" else " ".join(v) for k, v in fields.items())
        response.data = error_body("invalid", message or "the request is not valid", fields)
        return response
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    if isinstance(exc, exceptions.Throttled):
        extra["retry_after"] = exc.wait
        message = f"too many requests; try again in {int(exc.wait or 0) + 1} seconds"
    else:
        message = _flatten(exc.detail) if hasattr(exc, "detail") else str(exc)
    response.data = error_body(code, message, None, **extra)
    return response
