"""A feed with more new entries than one poll takes: the run says how many it deferred, and later polls take
them, newest first, at most INGEST_FEED_MAX_ENTRIES per poll."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from sources.models import IngestionItem
from sources.services import feed_poll
from tests.factories import FeedFactory
from tests.sources.conftest import Response

START = datetime(2026, 1, 1, tzinfo=UTC)


def _big_feed(base: str, n: int) -> str:
    # Oldest first in the document, as some feeds list them: the poll must still take the newest first.
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}/news/{i}</link>"
        f"<pubDate>{(START + timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'


def _numbers(run) -> list[int]:
    return sorted((int(url.rsplit("/", 1)[1]) for url in run.items.values_list("url", flat=True)), reverse=True)


def test_a_5000_item_feed_is_taken_200_a_poll_newest_first_and_the_rest_deferred(
    db, site, settings, django_assert_max_num_queries
):
    settings.INGEST_FEED_MAX_ENTRIES = 200
    url = site.add("/feed", Response(body=_big_feed(site.url(""), 5000), content_type="application/rss+xml",
                                     headers={"ETag": '"v1"'}))
    feed = FeedFactory(url=url)

    with django_assert_max_num_queries(40):  # the known/pending checks are one query each, not one per entry
        first = feed_poll(feed=feed)
    second = feed_poll(feed=feed)  # the first poll's items are still queued: it takes the next 200

    assert (first.found, first.items.count(), first.deferred) == (5000, 200, 4800)
    assert _numbers(first) == list(range(4999, 4799, -1))
    assert (second.found, second.items.count(), second.deferred) == (5000, 200, 4600)
    assert _numbers(second) == list(range(4799, 4599, -1))
    feed.refresh_from_db()
    # A poll that deferred entries keeps no validators (a 304 would hide the backlog) and comes back soon.
    assert (feed.etag, feed.last_modified) == ("", "")
    assert [seen.headers.get("if-none-match") for seen in site.seen if seen.path == "/feed"] == [None, None]
    assert feed.next_poll_at <= timezone.now() + timedelta(minutes=settings.INGEST_FEED_BACKLOG_POLL_MINUTES)
    assert IngestionItem.objects.count() == 400


def test_a_feed_within_the_bound_defers_nothing_and_keeps_its_validators(db, site, settings):
    settings.INGEST_FEED_MAX_ENTRIES = 200
    url = site.add("/feed", Response(body=_big_feed(site.url(""), 30), content_type="application/rss+xml",
                                     headers={"ETag": '"v1"'}))
    feed = FeedFactory(url=url, poll_interval_minutes=15)

    run = feed_poll(feed=feed)

    feed.refresh_from_db()
    assert (run.found, run.items.count(), run.deferred, feed.etag) == (30, 30, 0, '"v1"')
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=14)


def test_the_run_page_and_the_api_say_how_many_were_deferred(db, site, settings, client, viewer):
    settings.INGEST_FEED_MAX_ENTRIES = 5
    feed = FeedFactory(url=site.add("/feed", Response(body=_big_feed(site.url(""), 12),
                                                      content_type="application/rss+xml")))
    run = feed_poll(feed=feed)
    client.force_login(viewer)

    page = client.get(f"/sources/runs/{run.pk}/").content.decode()
    api = client.get(f"/api/v1/ingestion-runs/{run.pk}/").json()

    assert "<strong>7</strong> deferred to the next polls" in page
    assert api["deferred"] == 7
