"""The tools app: management commands for training, evaluation and benchmarks."""

from django.apps import AppConfig


class ToolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tools"
