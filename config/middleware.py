"""Request ids for logs and responses, one access-log line per request, and the ingestion-paused notice."""

from __future__ import annotations

import logging
import re
import time
import uuid

from config.logging import request_id_var

logger = logging.getLogger("claims.request")

# An id a proxy or a client sends is kept if it is short and plain; anything else is replaced.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Honour or make X-Request-ID, put it in every log record of the request and in the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            # The path only: query strings and bodies may carry what a log must not.
            logger.info(
                "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": duration_ms},
            )
            response["X-Request-ID"] = request_id
            return response
        finally:
            request_id_var.reset(token)


API_PREFIX = "/api/"
NUL_MESSAGE = "NUL characters are not allowed."
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_parameter(request) -> str | None:
    """The first query or form parameter whose name or value holds a NUL, or None.

    PostgreSQL cannot store or compare text holding NUL, so any such value would end in a DataError
    wherever it reaches the database; refusing it here covers every page and endpoint at once.
    JSON bodies are left to the API's serializers, whose text fields refuse NUL themselves.
    """
    sources = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        sources.append(request.POST)
    for data in sources:
        for name, values in data.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "\\x00")
    return None


class RefuseNulMiddleware:
    """A clear 400 for a NUL character in any parameter: the page's message, or the API's error shape."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        parameter = _nul_parameter(request)
        if parameter is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            from django.http import JsonResponse

            from core.api.errors import error_body

            return JsonResponse(
                error_body("invalid", f"{parameter}: {NUL_MESSAGE}", {parameter: [NUL_MESSAGE]}), status=400
            )
        from django.shortcuts import render

        return render(request, "400.html", {"parameter": parameter}, status=400)


API_V1_PREFIX = "/api/v1/"
_API_ERROR_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
    405: "method_not_allowed", 413: "too_large", 500: "server_error",
}


def _api_error(status: int, code: str, message: str):
    from django.http import JsonResponse

    from core.api.errors import error_body

    return JsonResponse(error_body(code, message), status=status)


class ApiErrorShapeMiddleware:
    """Every answer under /api/v1/ is JSON in the API's one error shape, including what Django renders before
    (or instead of) DRF: the resolver's 404 for a path no route matches (`/api/v1/articles/-2.2e-308/`), the
    400 of an oversized body, and the debug pages that DEBUG would show for both."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_V1_PREFIX):
            return self.get_response(request)
        from django.conf import settings

        declared = request.META.get("CONTENT_LENGTH", "")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and declared.isdigit() and int(declared) > limit:
            return _api_error(400, "too_large", f"the request body is over the limit of {limit:,} bytes "
                              f"({int(declared):,} bytes sent)")
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        code = _API_ERROR_CODES.get(response.status_code, "error")
        if response.status_code == 404:
            message = f"there is no API resource at {request.path}"
        elif response.status_code >= 500:
            message = "the server failed to answer this request; it has been logged"
        else:
            message = f"the request could not be handled ({response.status_code} {response.reason_phrase})"
        replaced = _api_error(response.status_code, code, message)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID"):
            if header in response:
                replaced[header] = response[header]
        return replaced
