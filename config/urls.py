"""Top-level URL conf: the pages, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("claims.urls")),
    path("", include("sources.urls")),
    # Sign-in, sign-out and password change: Django's own views with templates/registration/.
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api")),
]
