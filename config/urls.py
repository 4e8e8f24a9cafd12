"""Top-level URL conf: the pages, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from config.login import RateLimitedAdminLoginView, RateLimitedLoginView

# 503 with "the database cannot be reached" during an outage, the plain 500 page otherwise (config/health.py).
handler500 = "config.health.server_error"

urlpatterns = [
    # No auth, no secrets: the load balancer's and docker's health check.
    path("healthz", healthz, name="healthz"),
    # Before Django's auth URLs, so that sign-in goes through the rate limiter.
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),
    path("admin/login/", RateLimitedAdminLoginView.as_view(), name="admin_login"),
    path("", include("claims.urls")),
    path("", include("sources.urls")),
    # Sign-in, sign-out and password change: Django's own views with templates/registration/.
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api")),
]
