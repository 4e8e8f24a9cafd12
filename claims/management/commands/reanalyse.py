"""Run the language analysis again on every article's latest revision (after the analysis improved)."""

from django.core.management.base import BaseCommand

from sources.enums import ArticleStatus
from sources.models import ArticleRevision


class Command(BaseCommand):
    help = "Re-analyse the latest revision of every article (queued for the workers, or --now in this process)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Analyse here and now instead of queueing.")

    def handle(self, *args, now: bool, **options):
        ids = list(
            ArticleRevision.objects.exclude(article__status=ArticleStatus.DUPLICATE)
            .order_by("article_id", "-number")
            .distinct("article_id")  # PostgreSQL DISTINCT ON: each article's latest revision
            .values_list("pk", flat=True)
        )
        if now:
            from claims.linking import revision_analyse

            for revision in ArticleRevision.objects.filter(pk__in=ids).select_related("article"):
                report = revision_analyse(revision=revision)
                self.stdout.write(
                    f"revision {revision.pk}: {report.found} found, {report.created} new, "
                    f"{report.skipped_reviewed} already reviewed, {report.removed_stale} stale removed"
                )
            return
        from claims.tasks import analyse_revision

        for pk in ids:
            analyse_revision.delay(revision_id=pk)
        self.stdout.write(f"Queued {len(ids)} revisions for analysis.")
