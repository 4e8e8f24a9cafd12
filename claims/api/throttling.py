"""Rate limits per token, per signed-in user, per anonymous address; counted in Redis (the cache)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from claims.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    """One bucket per token: two tools of one user do not starve each other."""

    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self):
        # The scope depends on the request, so the rate is chosen in allow_request.
        pass

    def allow_request(self, request, view):
        if isinstance(request.auth, ApiToken):
            self.scope, ident = "token", str(request.auth.pk)
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "user", str(request.user.pk)
        else:
            self.scope, ident = "anon", self.get_ident(request)
        # Read at request time (not import time) so that settings can change the rates, e.g. in tests.
        self.rate = settings.API_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_cache_key(self, request, view):  # pragma: no cover -- allow_request builds the key itself
        return self.key
