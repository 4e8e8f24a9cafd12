"""App config for claims: parties, claims, statements, evidence, verdicts and language analysis."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"
