"""Manage feeds from the command line: add, list, pause, resume, poll."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources import services
from sources.canonical import url_host
from sources.models import Feed, Outlet


class Command(BaseCommand):
    help = "Add, list, pause, resume or poll feeds."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a feed (and its outlet if new).")
        add.add_argument("url")
        add.add_argument("--outlet", required=True, help="Outlet name; created if it does not exist.")
        add.add_argument("--domain", default="", help="Outlet domain for a new outlet (default: the feed's host).")
        add.add_argument("--interval", type=int, default=15, help="Poll interval in minutes.")
        sub.add_parser("list", help="List feeds and their health.")
        for name in ("pause", "resume", "poll"):
            action = sub.add_parser(name, help=f"{name.capitalize()} feeds by id.")
            action.add_argument("ids", nargs="+", type=int)
            if name == "poll":
                action.add_argument("--sync", action="store_true", help="Poll and ingest here instead of queueing.")

    def handle(self, *args, action: str, **options):
        if action == "add":
            outlet, _ = Outlet.objects.get_or_create(
                name=options["outlet"], defaults={"domain": options["domain"] or url_host(options["url"])}
            )
            try:
                feed = services.feed_create(
                    outlet=outlet, url=options["url"], poll_interval_minutes=options["interval"]
                )
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from None
            self.stdout.write(f"Feed {feed.pk} added for {outlet}: {feed.url}")
            return
        if action == "list":
            for feed in Feed.objects.select_related("outlet"):
                state = "paused" if not feed.is_active else "FLAGGED" if feed.is_flagged else "active"
                self.stdout.write(
                    f"{feed.pk:>5} {state:<8} every {feed.poll_interval_minutes} min  {feed.outlet}  {feed.url}  "
                    f"last ok {feed.last_success_at or 'never'}, failures {feed.consecutive_failures}"
                    + (f": {feed.last_error}" if feed.last_error else "")
                )
            return
        feeds = list(Feed.objects.filter(pk__in=options["ids"]))
        missing = set(options["ids"]) - {feed.pk for feed in feeds}
        if missing:
            raise CommandError(f"no feed with id {', '.join(map(str, sorted(missing)))}")
        for feed in feeds:
            if action == "pause":
                services.feed_pause(feed=feed)
                self.stdout.write(f"Feed {feed.pk} paused.")
            elif action == "resume":
                services.feed_resume(feed=feed)
                self.stdout.write(f"Feed {feed.pk} resumed.")
            elif options.get("sync"):
                run = services.feed_poll(feed=feed, inline=True)
                self.stdout.write(
                    f"Feed {feed.pk}: {run.get_status_display()}; {run.found} entries, {run.new} new, "
                    f"{run.updated} updated, {run.duplicate} duplicate, {run.failed} failed"
                    + (f". {run.error}" if run.error else "")
                )
            else:
                services.feed_poll_soon(feed=feed)
                self.stdout.write(f"Feed {feed.pk} queued for polling.")
