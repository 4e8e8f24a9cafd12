"""Ingest the demo corpus through the normal pipeline, from a local feed served on 127.0.0.1."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from sources.demo_site import DemoSite, demo_feed_ensure
from sources.models import Article, ArticleRevision, IngestionItem
from sources.services import feed_poll


def text_difference(expected: str, actual: str) -> str:
    """'identical', or where and how the extracted text first departs from the file."""
    if expected == actual:
        return "identical"
    pairs = enumerate(zip(expected, actual, strict=False))
    at = next((i for i, (a, b) in pairs if a != b), min(len(expected), len(actual)))
    return (
        f"differs from character {at} (file {len(expected)} chars, extracted {len(actual)}): "
        f"file {expected[at:at + 40]!r} vs extracted {actual[at:at + 40]!r}"
    )


class Command(BaseCommand):
    help = (
        "Serve the demo articles (sources/demo/article-*.txt) as an RSS feed and pages on 127.0.0.1, poll the "
        "feed and ingest them with the same services the Celery tasks use. Running it again adds nothing."
    )

    def handle(self, *args, **options):
        # What a user needs by default: what was ingested. The per-item and text checks are for -v 2.
        detail = options["verbosity"] >= 2
        allowed = [*settings.INGEST_ALLOWED_HOSTS, "127.0.0.1"]
        with DemoSite() as site, override_settings(INGEST_ALLOWED_HOSTS=allowed):
            if detail:
                self.stdout.write(f"Demo site on {site.base_url}, feed {site.feed_url}")
            feed = demo_feed_ensure(feed_url=site.feed_url)
            run = feed_poll(feed=feed, inline=True)
            if run.error:
                self.stderr.write(f"The demo feed could not be read: {run.error}")
                return
            self.stdout.write(
                f"Polled {feed.outlet.name}: {run.found} entries, {run.new} new, {run.updated} updated, "
                f"{run.duplicate} duplicate, {run.failed} failed ({run.get_status_display()})."
            )
            for item in IngestionItem.objects.filter(run=run).order_by("pk"):
                error = f" - {item.error}" if item.error else ""
                if detail or item.error:
                    self.stdout.write(f"  {item.url}: {item.get_status_display()}{error}")
            for demo in site.articles:
                article = Article.objects.filter(canonical_url=demo.canonical_url).first()
                if article is None:
                    self.stdout.write(f"  {demo.slug}: not ingested")
                    continue
                if not detail:
                    self.stdout.write(f"  “{article.title}” ({article.outlet.name}, {article.published_at:%-d %b %Y})")
                    continue
                revision = ArticleRevision.objects.filter(article=article).order_by("-number").first()
                self.stdout.write(
                    f"  {demo.slug}: article {article.pk} {article.canonical_url} "
                    f"title={article.title!r} dateline={article.dateline!r} published={article.published_at:%Y-%m-%d} "
                    f"language={article.language} status={article.status}, revision {revision.number} "
                    f"({len(revision.text)} chars); text vs {demo.slug}.txt: "
                    f"{text_difference(demo.body.rstrip(chr(10)), revision.text)}"
                    + (" (its headline is the title)" if demo.headline else "")
                )
        if detail:
            self.stdout.write("Demo site stopped.")
