"""App config for tools: management commands that measure, generate, train and score; never the product itself."""

from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "tools"
    verbose_name = "Tools"
