"""Manual intake from the command line: URLs, a saved HTML page, pasted text; re-fetch and re-extract."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources import services
from sources.models import Article, IngestionRun, Outlet


class Command(BaseCommand):
    help = "Ingest articles by hand through the normal pipeline (same extraction, identity and dedup)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        url = sub.add_parser("url", help="Fetch one or more article URLs.")
        url.add_argument("urls", nargs="+")
        url.add_argument("--sync", action="store_true", help="Fetch here instead of queueing for the workers.")
        html = sub.add_parser("html", help="Ingest a saved HTML file (a paywalled page).")
        html.add_argument("path", type=Path)
        html.add_argument("--url", required=True, help="The address the page was saved from.")
        html.add_argument("--outlet", default="", help="Outlet name.")
        text = sub.add_parser("text", help="Ingest plain text (paragraphs separated by blank lines).")
        text.add_argument("path", type=Path, help="A UTF-8 text file, or - for standard input.")
        text.add_argument("--title", required=True)
        text.add_argument("--url", default="")
        text.add_argument("--outlet", default="", help="Outlet name.")
        for name in ("refetch", "reextract"):
            again = sub.add_parser(name, help=f"{name.capitalize()} articles by id.")
            again.add_argument("ids", nargs="+", type=int)

    def _outlet(self, name: str) -> Outlet | None:
        if not name:
            return None
        outlet = Outlet.objects.filter(name=name).first()
        if outlet is None:
            raise CommandError(f"no outlet named {name!r}")
        return outlet

    def _report(self, run: IngestionRun) -> None:
        self.stdout.write(
            f"Run {run.pk} ({run.get_status_display()}): {run.found} found, {run.new} new, {run.updated} updated, "
            f"{run.duplicate} duplicate, {run.failed} failed"
        )
        for item in run.items.select_related("article"):
            where = f" -> article {item.article_id}" if item.article_id else ""
            error = f": {item.error}" if item.error else ""
            self.stdout.write(f"  {item.url or item.get_source_display()}: {item.get_status_display()}{where}{error}")

    def handle(self, *args, action: str, **options):
        try:
            if action == "url":
                self._report(services.article_submit_urls(urls=options["urls"], inline=options["sync"]))
            elif action == "html":
                self._report(services.article_submit_html(
                    html=options["path"].read_bytes(), url=options["url"], outlet=self._outlet(options["outlet"])
                ))
            elif action == "text":
                path = options["path"]
                body = self.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
                self._report(services.article_submit_text(
                    title=options["title"], text=body, url=options["url"], outlet=self._outlet(options["outlet"])
                ))
            else:
                for article in Article.objects.filter(pk__in=options["ids"]):
                    if action == "refetch":
                        self._report(services.article_refetch(article=article, inline=True))
                    else:
                        revision = services.article_reextract(article=article)
                        self.stdout.write(
                            f"Article {article.pk}: " + (f"new revision {revision.number}" if revision else "unchanged")
                        )
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
