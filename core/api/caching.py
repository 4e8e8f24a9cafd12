"""API read cache: a GET's rendered JSON, kept in Redis under the version of the data it was read at.

How that stays exact is in claims/caching.py. Here: only JSON answers of `list` and `retrieve` are kept (the
browsable HTML has a CSRF token and the user's name), keyed by the caller (user and token) and the full URL
with the negotiated media type. `API_CACHE_SECONDS=0` turns it off.
"""

from __future__ import annotations

from django.conf import settings

from core.caching import cached_answer, keep_answer, usable, version_key

CACHED_ACTIONS = frozenset({"list", "retrieve"})


class CachedReadMixin:
    """For DRF viewsets: answers GET list/retrieve from the read cache (claims/caching.py)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, roles, rate limit, content negotiation
        if (
            usable(request, settings.API_CACHE_SECONDS)
            and getattr(self, "action", None) in CACHED_ACTIONS
            and request.accepted_renderer.format == "json"
        ):
            key = version_key(
                "api", request.user.pk, getattr(request.auth, "pk", None), request.build_absolute_uri(),
                request.accepted_media_type,
            )
            self.get = self._answer_cached(self.get, key)

    def _answer_cached(self, handler, key: str):
        def answer(request, *args, **kwargs):
            if (hit := cached_answer(key)) is not None:
                return hit
            response = handler(request, *args, **kwargs)
            if response.status_code == 200 and hasattr(response, "add_post_render_callback"):
                # DRF renders after the view returns: the JSON is kept once it exists.
                response.add_post_render_callback(
                    lambda rendered: keep_answer(key, rendered, settings.API_CACHE_SECONDS)
                )
            response["X-Cache"] = "miss"
            return response

        return answer
