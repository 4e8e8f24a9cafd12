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
