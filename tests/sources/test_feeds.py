"""Polling feeds from a real local server: formats, conditional GET, failures, backoff and flags."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sources.enums import IngestionStatus, ItemStatus
from sources.models import Article, ArticleRevision, Feed, IngestionItem
from sources.services import feed_pause, feed_poll, feed_resume, feeds_enqueue_due
from tests.factories import FeedFactory, OutletFactory
from tests.sources.conftest import OTHER_STORY, STORY, Response, article_html

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Times: World</title><link>{base}/</link><description>World news</description>
<item><title>Bridges destroyed</title><link>{base}/news/bridges?utm_source=rss</link>
<guid isPermaLink="false">bridges-1</guid><pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate></item>
<item><title>Talks planned</title><link>{base}/news/talks</link><pubDate>Tue, 05 Mar 2024 11:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Times (Atom)</title><id>urn:example:feed</id>
<updated>2024-03-05T12:00:00Z</updated>
<entry><title>Bridges destroyed</title><link rel="alternate" href="{base}/news/bridges"/><id>urn:example:1</id>
<updated>2024-03-05T09:30:00Z</updated><published>2024-03-05T09:30:00Z</published></entry>
</feed>"""

RSS1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{base}/"><title>Example Times (RSS 1.0)</title><link>{base}/</link><description>d</description>
<items><rdf:Seq><rdf:li resource="{base}/news/bridges"/></rdf:Seq></items></channel>
<item rdf:about="{base}/news/bridges"><title>Bridges destroyed</title><link>{base}/news/bridges</link>
<dc:date>2024-03-05T09:30:00Z</dc:date></item>
</rdf:RDF>"""


def _serve_story(site, path="/news/bridges", paragraphs=STORY, title="Bridges destroyed near the border"):
    site.add(path, article_html(title=title, paragraphs=paragraphs))


@pytest.mark.parametrize(("template", "content_type", "title"), [
    (RSS2, "application/rss+xml", "Example Times: World"),
    (ATOM, "application/atom+xml", "Example Times (Atom)"),
    (RSS1, "application/rdf+xml", "Example Times (RSS 1.0)"),
])
def test_rss2_atom_and_rss1_feeds_are_polled_and_their_articles_ingested(db, site, template, content_type, title):
    feed = FeedFactory(url=site.add("/feed", Response(body=template.format(base=site.url("")),
                                                      content_type=content_type)))
    _serve_story(site)
    site.add("/news/talks", article_html(title="Talks planned", paragraphs=OTHER_STORY))

    run = feed_poll(feed=feed, inline=True)

    entries = 2 if template is RSS2 else 1
    assert (run.status, run.found, run.new, run.failed) == (IngestionStatus.SUCCEEDED, entries, entries, 0)
    article = Article.objects.get(canonical_url=site.url("/news/bridges"))
    assert (article.title, article.outlet, article.feed, article.status) == (
        "Bridges destroyed near the border", feed.outlet, feed, "fetched"
    )
    # the headline, which the page repeats above the story, is the title and not the text's first paragraph
    assert article.revisions.get().text == "\n\n".join(STORY)
    feed.refresh_from_db()
    assert (feed.title, feed.consecutive_failures, feed.last_error) == (title, 0, "")
    assert feed.last_success_at is not None
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=14)


def test_a_second_poll_skips_known_entries(db, site):
    feed = FeedFactory(url=site.add("/feed", Response(body=RSS2.format(base=site.url("")),
                                                      content_type="application/rss+xml")))
    _serve_story(site)
    site.add("/news/talks", article_html(title="Talks", paragraphs=OTHER_STORY))
    feed_poll(feed=feed, inline=True)

    again = feed_poll(feed=feed, inline=True)

    assert (again.status, again.found, again.new, again.items.count()) == (IngestionStatus.SUCCEEDED, 2, 0, 0)
    assert (site.hits("/news/bridges?utm_source=rss"), Article.objects.count()) == (1, 2)


def test_an_entry_updated_after_our_fetch_is_fetched_again_and_a_changed_text_adds_a_revision(db, site):
    updated = {"at": "2024-03-05T09:30:00Z"}
    site.add("/feed", lambda request: Response(body=ATOM.replace("<updated>2024-03-05T09:30:00Z",
                                                                 f"<updated>{updated['at']}").format(
        base=site.url("")), content_type="application/atom+xml"))
    feed = FeedFactory(url=site.url("/feed"))
    _serve_story(site)
    feed_poll(feed=feed, inline=True)
    article = Article.objects.get()
    first = article.revisions.get()
    _serve_story(site, paragraphs=[*STORY, "Update: the ministry later said a third bridge had been hit."])
    updated["at"] = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

    run = feed_poll(feed=feed, inline=True)

    assert (run.updated, run.new) == (1, 0)
    assert list(article.revisions.values_list("number", flat=True)) == [1, 2]
    assert article.revisions.get(number=2).text.endswith("a third bridge had been hit.")
    assert article.revisions.get(number=1).text == first.text


def test_304_not_modified_costs_nothing_and_counts_as_success(db, site):
    def answer(request):
        if request.headers.get("If-None-Match") == '"abc"':
            return Response(status=304, content_type=None, headers={"ETag": '"abc"'})
        return Response(body=RSS2.format(base=site.url("")), content_type="application/rss+xml",
                        headers={"ETag": '"abc"', "Last-Modified": "Tue, 05 Mar 2024 12:00:00 GMT"})

    feed = FeedFactory(url=site.add("/feed", answer))
    _serve_story(site)
    site.add("/news/talks", article_html(title="Talks", paragraphs=OTHER_STORY))
    feed_poll(feed=feed, inline=True)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ('"abc"', "Tue, 05 Mar 2024 12:00:00 GMT")

    run = feed_poll(feed=feed, inline=True)

    assert (run.status, run.found, run.items.count()) == (IngestionStatus.SUCCEEDED, 0, 0)
    assert site.seen[-1].headers["if-modified-since"] == "Tue, 05 Mar 2024 12:00:00 GMT"
    assert site.hits("/feed") == 2


@pytest.mark.parametrize(("response", "error"), [
    (Response(body="<rss version='2.0'><channel><title>Broken<item><title>x</titl></rss>",
              content_type="application/rss+xml"), "is malformed XML and no entries could be read"),
    (Response(body='<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
                   "</head><body><p>Welcome to our news site</p></body></html>"),
     "is an HTML page, not an RSS or Atom feed; the page links to the feed http://127.0.0.1:{port}/rss.xml"),
    (Response(status=404, body="gone"), "the server answered 404 Not Found for"),
    (Response(status=500, body="boom"), "the server answered 500 Internal Server Error for"),
])
def test_a_feed_that_cannot_be_read_fails_its_run_with_a_readable_error_and_no_rows(db, site, response, error):
    feed = FeedFactory(url=site.add("/feed", response))

    run = feed_poll(feed=feed, inline=True)

    assert run.status == IngestionStatus.FAILED
    assert error.format(port=site.port) in run.error
    feed.refresh_from_db()
    assert (feed.consecutive_failures, feed.last_error, feed.last_success_at) == (1, run.error, None)
    assert (IngestionItem.objects.count(), Article.objects.count(), ArticleRevision.objects.count()) == (0, 0, 0)


def test_a_feed_that_times_out_fails_with_a_timeout_error(db, site, settings):
    settings.INGEST_READ_TIMEOUT = 1
    feed = FeedFactory(url=site.add("/feed", Response(body=RSS2, delay=2.5, content_type="application/rss+xml")))

    run = feed_poll(feed=feed, inline=True)

    assert (run.status, run.error) == (IngestionStatus.FAILED, f"timed out fetching {feed.url} (ReadTimeout)")


def test_a_failing_feed_backs_off_exponentially_up_to_a_cap_and_is_flagged(db, site, settings):
    settings.INGEST_FEED_FLAG_AFTER = 3
    settings.INGEST_FEED_MAX_BACKOFF_MINUTES = 100
    feed = FeedFactory(url=site.add("/feed", Response(status=503, body="down")), poll_interval_minutes=10)
    waits, flags = [], []
    for _ in range(5):
        before = timezone.now()
        feed_poll(feed=feed, inline=True)
        feed.refresh_from_db()
        waits.append(round((feed.next_poll_at - before).total_seconds() / 60))
        flags.append(feed.is_flagged)

    assert waits == [20, 40, 80, 100, 100]
    assert flags == [False, False, True, True, True]
    feed_resume(feed=feed)
    feed.refresh_from_db()
    assert (feed.is_flagged, feed.consecutive_failures, feed.is_active) == (False, 0, True)


def test_beat_enqueues_only_active_due_feeds_and_pushes_their_next_poll(db, django_capture_on_commit_callbacks):
    outlet = OutletFactory()
    now = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
    due = FeedFactory(outlet=outlet, next_poll_at=now - timedelta(minutes=1), poll_interval_minutes=30)
    never = FeedFactory(outlet=outlet, next_poll_at=None)
    FeedFactory(outlet=outlet, next_poll_at=now + timedelta(minutes=5))
    paused = FeedFactory(outlet=outlet, next_poll_at=now - timedelta(hours=1))
    feed_pause(feed=paused)

    with django_capture_on_commit_callbacks() as callbacks:
        count = feeds_enqueue_due(now=now)

    assert (count, len(callbacks)) == (2, 2)
    assert Feed.objects.get(pk=due.pk).next_poll_at == now + timedelta(minutes=30)
    assert Feed.objects.get(pk=never.pk).next_poll_at == now + timedelta(minutes=15)
    assert feeds_enqueue_due(now=now) == 0  # leased: the next beat does not enqueue them again


def test_items_of_a_poll_record_what_happened_to_each_entry(db, site):
    feed = FeedFactory(url=site.add("/feed", Response(body=RSS2.format(base=site.url("")),
                                                      content_type="application/rss+xml")))
    _serve_story(site)
    site.add("/news/talks", Response(status=404, body="gone"))

    run = feed_poll(feed=feed, inline=True)

    assert (run.status, run.found, run.new, run.failed) == (IngestionStatus.PARTIAL, 2, 1, 1)
    assert sorted(run.items.values_list("status", "error")) == [
        (ItemStatus.FAILED, f"the server answered 404 Not Found for {site.url('/news/talks')}"),
        (ItemStatus.NEW, ""),
    ]
    assert Article.objects.count() == 1
