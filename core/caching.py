"""Read cache: a rendered GET answer kept in Redis under the version of the data it was read at.

The data version (migration claims 0014) is the sum of claims_dataversion, to which every statement that writes
to a table of these apps (or to users and groups, which give roles) adds 1 inside its own transaction. A write
and its increment become visible together, and commits are seen in order, so two requests that see the same
version see the same committed rows: an answer from the cache is never older than the database. Any write
(an ingested article, a verdict, a role change, a fix typed into psql) makes every later request miss; nothing
has to be invalidated and no write path can forget to. Read-only requests do not move the version, so a tool
polling a list, or an analyst going back to a page, between two writes is answered from Redis. A miss costs
one extra query (~0.1 ms) and a SET.

The version is read before the answer's own queries: those run after it (autocommit, READ COMMITTED) and can
only see as much or more, so an answer kept under a version is that version's data or newer, never older. A
transaction's own uncommitted writes count in the version it reads but may never commit, so nothing is cached
or answered from the cache inside an atomic block. The database's oid and the server's start
time are in the key too: a database made again (a test run's) starts its version at 0 again.

(PostgreSQL's own `pg_current_snapshot()` was the first key: exact too, but it is the whole server's, so any
transaction in any other database, autovacuum's included, made every request miss.)

Used by the API (claims/api/caching.py) and the analysts' pages (`page_cached`). Entries live
`API_CACHE_SECONDS` / `PAGE_CACHE_SECONDS` at most (0 turns either off): that bounds how long a previous
deploy's rendering, or a page's "5 minutes ago", can be served. Only 200s under `READ_CACHE_MAX_BYTES` are
kept. A Redis error is logged and the request is answered from the database.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# Set by DRF, the handler and middleware on every answer; a cached answer gets fresh ones. (Vary is replayed:
# patch_vary_headers adds to it without repeating.)
_NOT_REPLAYED = frozenset({"allow", "content-length", "x-request-id", "x-cache"})

# Folded when this many sessions have rows (claims_dataversion_fold: ended sessions' rows into one).
FOLD_AT = 200
_VERSION_SQL = (
    "SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), pg_postmaster_start_time(), "
    "coalesce(sum(n), 0), count(*) FROM claims_dataversion"
)


def data_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        database, started, version, rows = cursor.fetchone()
        if rows > FOLD_AT:
            cursor.execute("SELECT claims_dataversion_fold()")
    return f"{database}|{started.isoformat()}|{version}"


def version_key(kind: str, *parts: object) -> str:
    """The cache key of an answer: `kind`, the data version now, and what else the answer depends on."""
    text = "|".join(map(str, (data_version(), *parts)))
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached_answer(key: str) -> HttpResponse | None:
    try:
        hit = cache.get(key)
    except Exception:  # Redis is down or slow: answer from the database
        logger.warning("read cache unavailable; answering from the database", exc_info=True)
        return None
    if hit is None:
        return None
    content, headers = hit
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    response["X-Cache"] = "hit"
    return response


def keep_answer(key: str, response: HttpResponse, seconds: int) -> None:
    if response.status_code != 200 or response.streaming or len(response.content) > settings.READ_CACHE_MAX_BYTES:
        return
    headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_REPLAYED]
    try:
        cache.set(key, (response.content, headers), seconds)
    except Exception:  # a lost cache write costs only the next request's time
        logger.warning("read cache unavailable; answer not kept", exc_info=True)


def usable(request: HttpRequest, seconds: int) -> bool:
    # Inside a transaction (a test's, or a caller's atomic block) its own writes do not show in the version.
    return seconds > 0 and request.method == "GET" and not connection.in_atomic_block


def page_cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page's GET view, inside `role_required` (so the role is still checked on every request).

    The key holds the session (the user, their role, what the page offers them), the CSRF cookie (the page's
    forms carry a token made from it), the full URL and the htmx headers (a partial is another answer). A page
    that shows a one-time message is neither kept nor answered from the cache: the message must show once.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not usable(request, seconds) or len(messages.get_messages(request)):
            return view(request, *args, **kwargs)
        htmx = sorted((k, v) for k, v in request.headers.items() if k.lower().startswith("hx-"))
        key = version_key(
            "page", request.session.session_key, request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
            request.build_absolute_uri(), htmx,
        )
        if (hit := cached_answer(key)) is not None:
            return hit
        response = view(request, *args, **kwargs)
        if not len(messages.get_messages(request)):
            keep_answer(key, response, seconds)
        response["X-Cache"] = "miss"
        return response

    return wrapper
