"""App config for core: what sources and claims both use (roles, view and API plumbing, the URL guard, hooks)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
