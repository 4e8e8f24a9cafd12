"""Choices both apps use."""

from django.db import models


class Role(models.TextChoices):
    """Who may do what; stored as Django groups of the same names (admin = superuser)."""

    VIEWER = "viewer", "Viewer"
    ANALYST = "analyst", "Analyst"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"
