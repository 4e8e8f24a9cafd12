"""App config for sources: outlets, feeds, articles and their ingestion."""

from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"
