"""Sign-in with rate limits: after LOGIN_FAILURE_LIMIT failures for one user name from one address, or
LOGIN_ADDRESS_FAILURE_LIMIT failures from one address over any user names (one password sprayed over many
accounts), within LOGIN_FAILURE_WINDOW_SECONDS, further attempts get 429 until the window passes."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.urls import reverse

logger = logging.getLogger(__name__)


def _key(request, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def _address_key(request) -> str:
    digest = hashlib.sha256(request.META.get("REMOTE_ADDR", "").encode()).hexdigest()[:32]
    return f"login-failures-address:{digest}"


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
        key, address_key = _key(request, username), _address_key(request)
        per_name = _failures(key) >= settings.LOGIN_FAILURE_LIMIT
        if per_name or _failures(address_key) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            logger.warning("sign-in refused: too many failures %s from %s",
                           "for one user name" if per_name else "over many user names",
                           request.META.get("REMOTE_ADDR", "?"))
            message = (f"Too many failed sign-ins {'for this user name' if per_name else 'from this address'}. "
                       f"Wait {minutes} minutes and try again, or ask an admin to reset your password.")
            form = self.get_form_class()(request)  # unbound: the password is not even checked
            form._errors = ErrorDict({"__all__": form.error_class([message])})  # shown by both sign-in templates
            response = self.render_to_response(self.get_context_data(form=form, locked_out=message))
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form came back: the user name and password did not match
            _count_failure(key)
            _count_failure(address_key)  # not cleared by a success: one known account must not reset it
        else:
            try:
                cache.delete(key)
            except Exception:
                logger.warning("login rate limiter: cache unavailable")
        return response


class RateLimitedAdminLoginView(RateLimitedLoginView):
    """The admin's sign-in page, with the same limit (staff accounts are the ones most worth guessing)."""

    template_name = "admin/login.html"
    authentication_form = AdminAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context.setdefault("title", "Log in")
        context["app_path"] = self.request.get_full_path()
        return context

    def get_default_redirect_url(self):
        return reverse("admin:index")
