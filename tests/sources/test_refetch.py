"""Feed polls notice an edited article: the outlet's recent articles are fetched again on a schedule its settings
bound, with the page's validators; end to end, the edit supersedes the first revision's statements (issue 15)."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import selectors as claim_selectors
from claims import services as claim_services
from claims.enums import ReviewState, Stance
from claims.models import Statement
from sources.enums import ArticleStatus, ItemStatus
from sources.models import Article, ArticleRevision, IngestionRun
from sources.services import feed_poll
from sources.tasks import poll_feed
from tests.claims.test_revisions import ADDED, FIRST, FIRST_EDITED, SECOND, THIRD, TITLE
from tests.claims.test_tallies import _counted as _tallies_counted
from tests.claims.test_tallies import _tallies
from tests.factories import FeedFactory, OutletFactory
from tests.sources.conftest import OTHER_STORY, STORY, Response, article_html

# No <updated>, no <pubDate>: the feed never says that an article changed, as most do not.
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Border Times</title>
<link>{base}/</link><description>d</description>
{items}
</channel></rss>"""
ITEM = "<item><title>{title}</title><link>{base}{path}</link></item>"


def _feed(site, *paths, **outlet):
    items = "\n".join(ITEM.format(title=path, base=site.url(""), path=path) for path in paths)
    site.add("/feed", Response(body=RSS.format(base=site.url(""), items=items), content_type="application/rss+xml"))
    return FeedFactory(url=site.url("/feed"), outlet=OutletFactory(domain="127.0.0.1", **outlet))


def _today() -> str:
    return timezone.now().date().isoformat()


def _page(paragraphs, *, published=None):
    return article_html(title=TITLE, paragraphs=paragraphs, published=published or _today())


def test_a_poll_fetches_a_recent_article_again_and_an_edit_becomes_a_revision(db, site):
    site.add("/bridges", _page(STORY))
    feed = _feed(site, "/bridges", refetch_every_minutes=0)
    feed_poll(feed=feed, inline=True)
    site.add("/bridges", _page([*STORY, "The ministry later revised the number of injured to six."]))

    run = feed_poll(feed=feed, inline=True)

    assert (run.found, run.new, run.updated) == (1, 0, 1)
    article = Article.objects.get()
    assert list(article.revisions.values_list("number", flat=True).order_by("number")) == [1, 2]
    assert article.revisions.get(number=2).text.endswith("revised the number of injured to six.")
    assert site.hits("/bridges") == 2


def test_recent_articles_are_fetched_again_only_once_due_and_within_the_outlets_days(db, site, settings):
    site.add("/new", _page(STORY))
    site.add("/old", _page(OTHER_STORY, published=(timezone.now() - timedelta(days=3)).date().isoformat()))
    feed = _feed(site, "/new", "/old")  # the defaults: 2 days, every 60 minutes
    feed_poll(feed=feed, inline=True)
    assert (site.hits("/new"), site.hits("/old")) == (1, 1)

    feed_poll(feed=feed, inline=True)  # fetched a moment ago: not due
    assert (site.hits("/new"), site.hits("/old")) == (1, 1)

    Article.objects.update(last_fetched_at=timezone.now() - timedelta(minutes=61))
    run = feed_poll(feed=feed, inline=True)

    assert (site.hits("/new"), site.hits("/old")) == (2, 1)  # the old one is past the outlet's two days
    assert list(run.items.values_list("status", flat=True)) == [ItemStatus.UNCHANGED]

    feed.outlet.refetch_days = 0
    feed.outlet.save()
    Article.objects.update(last_fetched_at=timezone.now() - timedelta(minutes=61))
    feed_poll(feed=feed, inline=True)
    assert site.hits("/new") == 2


def test_a_poll_fetches_again_at_most_the_limit_least_recently_fetched_first(db, site, settings):
    settings.INGEST_REFETCH_PER_POLL = 1
    site.add("/a", _page(STORY))
    site.add("/b", _page(OTHER_STORY))
    feed = _feed(site, "/a", "/b", refetch_every_minutes=0)
    feed_poll(feed=feed, inline=True)
    Article.objects.filter(canonical_url=site.url("/b")).update(last_fetched_at=timezone.now() - timedelta(hours=5))

    run = feed_poll(feed=feed, inline=True)

    assert list(run.items.values_list("canonical_url", flat=True)) == [site.url("/b")]


def test_a_refetch_sends_the_pages_validators_and_a_304_is_an_unchanged_fetch(db, site):
    body = _page(STORY)

    def page(request):
        if request.headers.get("If-None-Match") == '"v1"' and request.headers.get("If-Modified-Since"):
            return Response(status=304, body=b"", content_type=None)
        return Response(body=body, headers={"ETag": '"v1"', "Last-Modified": "Tue, 01 Dec 2026 08:00:00 GMT"})

    site.add("/bridges", page)
    feed = _feed(site, "/bridges", refetch_every_minutes=0)
    feed_poll(feed=feed, inline=True)
    article = Article.objects.get()
    assert (article.etag, article.last_modified) == ('"v1"', "Tue, 01 Dec 2026 08:00:00 GMT")
    fetched = article.last_fetched_at

    run = feed_poll(feed=feed, inline=True)

    item = run.items.get()
    assert (item.status, item.article_id, item.revision_id) == (ItemStatus.UNCHANGED, article.pk, None)
    assert site.seen[-1].headers["if-none-match"] == '"v1"'
    article.refresh_from_db()
    assert article.last_fetched_at > fetched
    assert ArticleRevision.objects.count() == 1


def _wait_for(condition, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.worker
def test_an_edited_article_refetched_by_a_feed_poll_supersedes_its_statements(site, celery_worker, analyst, viewer,
                                                                              client):
    """The issue's target: one phrase changed, one paragraph added (and a clause removed), through a feed poll and
    a real worker: the same statements plus the new paragraph's, reviews carried over, none duplicated, the
    dropped one withdrawn and shown on its claim's page."""
    site.add("/bridges", _page([FIRST, SECOND, THIRD]))
    feed = _feed(site, "/bridges", refetch_every_minutes=0)
    poll_feed.delay(feed_id=feed.pk)
    assert _wait_for(lambda: Article.objects.filter(status=ArticleStatus.ANALYSED).exists())
    article = Article.objects.get()
    first = article.revisions.get()
    before = {s.pk: s for s in Statement.objects.filter(article=article)}
    denial = Statement.objects.get(article=article, stance=Stance.DENIES)
    claim_services.statement_review(statement=denial, actor=analyst, action="accept")
    injuries = Statement.objects.get(article=article, quote__contains="four people")
    claim_services.statement_review(statement=injuries, actor=analyst, action="reject")
    dropped = Statement.objects.get(article=article, quote__contains="engineers")
    site.add("/bridges", _page([FIRST_EDITED, SECOND, THIRD, ADDED]))

    poll_feed.delay(feed_id=feed.pk)

    assert _wait_for(lambda: Statement.objects.filter(article=article, revision__number=2).exists()
                     and not Statement.objects.filter(revision=first, withdrawn_at=None).exists())
    run = IngestionRun.objects.filter(feed=feed).latest("started_at")
    assert (run.found, run.new, run.updated) == (1, 0, 1)
    second = article.revisions.get(number=2)
    added_at = second.text.index(ADDED)
    live = list(Statement.objects.filter(article=article, withdrawn_at=None))
    new = [s for s in live if s.start >= added_at]
    assert new, "the added paragraph's statements"
    # same statements (less the dropped one) plus the new paragraph's; each once; all on revision 2
    assert sorted(s.pk for s in live if s.start < added_at) == sorted(pk for pk in before if pk != dropped.pk)
    assert len(live) == len(before) - 1 + len(new)
    assert {s.revision_id for s in live} == {second.pk}
    assert len({(s.start, s.end, s.party_id, s.speaker_text, s.stance) for s in live}) == len(live)
    assert Statement.objects.get(pk=denial.pk).review_state == ReviewState.ACCEPTED
    assert Statement.objects.get(pk=injuries.pk).review_state == ReviewState.REJECTED
    assert Statement.objects.filter(article=article, quote__contains="three bridges").get().pk in before
    dropped.refresh_from_db()
    assert (dropped.revision_id, dropped.withdrawn_in_id) == (first.pk, second.pk)
    assert dropped.pk not in {s.pk for s in claim_selectors.statement_list_pending()}
    assert _tallies() == _tallies_counted()
    client.force_login(viewer)
    page = client.get(reverse("claims:claim_detail", args=[dropped.claim_id])).content.decode()
    assert "No longer in the article" in page
    assert f'id="statement-{dropped.pk}" class="withdrawn"' in page
