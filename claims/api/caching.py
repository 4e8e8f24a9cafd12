"""API read cache: a GET's rendered JSON, kept in Redis under the database snapshot it was read at.

The key is PostgreSQL's current snapshot (`pg_current_snapshot()`: the oldest running transaction, the next
transaction id, the ones in progress), the caller and the full URL. Two requests that see the same snapshot
see the same committed rows, so a cached answer can never be older than the database: any transaction that
writes anything (an ingested article, a verdict, a role change, a raw SQL fix in psql) gets a transaction id,
which moves the snapshot, and every later request misses. There is nothing to invalidate and no write path
that can forget to. Read-only requests do not move the snapshot, so a newsroom tool polling the same list
between two ingests is answered from Redis. The price of a miss is one extra query (~0.1 ms) and a Redis SET.

Why the snapshot is read before the answer's own queries: those run after it (autocommit, READ COMMITTED) and
can only see as much or more; snapshots never repeat, so no later request can be given an older answer. A
transaction's own uncommitted writes do not move the snapshot it sees, so nothing is cached or answered from the
cache inside an atomic block.

Only JSON answers of `list` and `retrieve` are kept (the browsable HTML has a CSRF token and the user's name),
only 200s, and only under `API_CACHE_MAX_BYTES`. Entries live `API_CACHE_SECONDS` at most, so a deploy that
changes the JSON's shape is seen within that time even if the data has not moved. `API_CACHE_SECONDS=0`
turns the cache off. A Redis error is logged and the request is answered from the database.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)

CACHED_ACTIONS = frozenset({"list", "retrieve"})
# Set by Django's handler and middleware on every answer; a cached answer gets fresh ones.
_NOT_REPLAYED = frozenset({"vary", "allow", "content-length", "x-request-id", "x-cache"})


# Transaction ids are counted per server, not per database, and start again in a new cluster (a restore from a
# backup): the database's name and the server's start time keep two databases or two servers apart.
_SNAPSHOT_SQL = "SELECT concat_ws('|', pg_current_snapshot(), current_database(), pg_postmaster_start_time())"


def database_snapshot() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_SNAPSHOT_SQL)
        return cursor.fetchone()[0]


def _key(request) -> str:
    who = f"{request.user.pk or '-'}:{getattr(request.auth, 'pk', '-')}"
    what = f"{request.build_absolute_uri()}|{request.accepted_media_type}"
    digest = hashlib.sha256(f"{database_snapshot()}|{who}|{what}".encode()).hexdigest()
    return f"api-read:{digest}"


class CachedReadMixin:
    """For DRF viewsets: answers GET list/retrieve from the snapshot-keyed cache (see the module docstring)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, roles, rate limit, content negotiation
        if (
            settings.API_CACHE_SECONDS > 0
            and request.method == "GET"
            and getattr(self, "action", None) in CACHED_ACTIONS
            and request.accepted_renderer.format == "json"
            # Inside a transaction (a test's, or a caller's atomic block) its own writes are not in the snapshot.
            and not connection.in_atomic_block
        ):
            self.get = self._answer_cached(self.get, _key(request))

    def _answer_cached(self, handler, key: str):
        def answer(request, *args, **kwargs):
            try:
                hit = cache.get(key)
            except Exception:  # any Redis failure: answer from the database
                logger.warning("API cache unavailable; answering from the database", exc_info=True)
                return handler(request, *args, **kwargs)
            if hit is not None:
                content, headers = hit
                response = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
                response["X-Cache"] = "hit"
                return response
            response = handler(request, *args, **kwargs)
            if response.status_code == 200 and hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(lambda rendered: _store(key, rendered))
            response["X-Cache"] = "miss"
            return response

        return answer


def _store(key: str, response) -> None:
    if len(response.content) > settings.API_CACHE_MAX_BYTES:
        return
    headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_REPLAYED]
    try:
        cache.set(key, (response.content, headers), settings.API_CACHE_SECONDS)
    except Exception:  # a lost cache write costs only the next request's time
        logger.warning("API cache unavailable; answer not kept", exc_info=True)
