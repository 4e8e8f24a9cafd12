"""App config for claims: parties, claims, statements, evidence, verdicts and language analysis."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        # What ingestion (sources) hands to or asks of claims, without importing it (core.hooks).
        from claims import selectors
        from claims.tasks import revision_analysis_enqueue
        from core import hooks

        hooks.revision_analyse.register(revision_analysis_enqueue)
        hooks.revision_statements.register(selectors.statement_list_for_revision)
        hooks.article_statement_count.register(selectors.statement_count_per_article)
        hooks.tally_counts.register(selectors.tally_counts)
