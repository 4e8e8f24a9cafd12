"""Top-level URL conf: the pages, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("claims.urls")),
    path("admin/", admin.site.urls),
]
