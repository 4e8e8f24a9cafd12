"""Sign-in with a rate limit: after LOGIN_FAILURE_LIMIT failures for one user name from one address
within LOGIN_FAILURE_WINDOW_SECONDS, further attempts get 429 until the window passes."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(request, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def _failures(key: str) -> int:
    try:
        return int(cache.get(key, 0))
    except Exception:  # the cache is Redis: when it is down, sign-in still works (fail open, logged)
        logger.warning("login rate limiter: cache unavailable, not counting")
        return 0


def _count_failure(key: str) -> None:
    try:
        if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            cache.incr(key)
    except Exception:
        logger.warning("login rate limiter: cache unavailable, not counting")


class RateLimitedLoginView(LoginView):
    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        key = _key(request, username)
        if _failures(key) >= settings.LOGIN_FAILURE_LIMIT:
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            logger.warning("sign-in refused: too many failures for one user name from %s",
                           request.META.get("REMOTE_ADDR", "?"))
            self.extra_context = {
                "locked_out": f"Too many failed sign-ins for this user name. Wait {minutes} minutes and try again, "
                "or ask an admin to reset your password."
            }
            response = self.get(request, *args, **kwargs)
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form came back: the user name and password did not match
            _count_failure(key)
        else:
            try:
                cache.delete(key)
            except Exception:
                logger.warning("login rate limiter: cache unavailable")
        return response
