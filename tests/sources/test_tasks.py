"""The ingestion tasks on a real Celery worker process, through the embedded Redis, end to end."""

import time

import pytest

from sources.enums import ArticleStatus, IngestionStatus, ItemStatus
from sources.models import Article, IngestionRun
from sources.tasks import enqueue_due_feeds, ingest_item, poll_feed
from tests.factories import FeedFactory
from tests.sources.conftest import OTHER_STORY, STORY, Response, article_html

RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Worker Times</title>
<link>{base}/</link><description>d</description>
<item><title>Bridges</title><link>{base}/bridges?utm_source=rss</link></item>
<item><title>Harvest</title><link>{base}/harvest</link></item>
<item><title>Gone</title><link>{base}/gone</link></item>
</channel></rss>"""


def _wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.worker
def test_beat_task_polls_a_due_feed_and_a_real_worker_ingests_it(site, celery_worker):
    site.add("/feed", Response(body=RSS.format(base=site.url("")), content_type="application/rss+xml"))
    site.add("/bridges", article_html(title="Bridges destroyed", paragraphs=STORY))
    site.add("/harvest", article_html(title="Harvest starts early", paragraphs=OTHER_STORY))
    site.add("/gone", Response(status=410, body="gone"))
    feed = FeedFactory(url=site.url("/feed"), next_poll_at=None)

    enqueue_due_feeds.delay()

    assert _wait_for(lambda: IngestionRun.objects.filter(feed=feed).exclude(status=IngestionStatus.RUNNING).exists())
    run = IngestionRun.objects.get(feed=feed)
    assert (run.status, run.found, run.new, run.failed) == (IngestionStatus.PARTIAL, 3, 2, 1)
    urls = sorted(Article.objects.values_list("canonical_url", flat=True))
    assert urls == [site.url("/bridges"), site.url("/harvest")]
    # the worker may already have run the language analysis on them
    assert set(Article.objects.values_list("status", flat=True)) <= {ArticleStatus.FETCHED, ArticleStatus.ANALYSED}
    assert run.items.get(status=ItemStatus.FAILED).error == f"the server answered 410 Gone for {site.url('/gone')}"
    assert celery_worker.poll() is None


def test_tasks_for_rows_that_are_gone_return_quietly(db):
    assert poll_feed(feed_id=987654321) is None
    assert ingest_item(item_id=987654321) is None
    assert IngestionRun.objects.count() == 0


def test_a_paused_feed_is_not_polled_by_a_queued_task(db, site):
    feed = FeedFactory(url=site.add("/feed", Response(body=RSS.format(base=site.url("")))), is_active=False)

    poll_feed(feed_id=feed.pk)

    assert (site.hits("/feed"), IngestionRun.objects.count()) == (0, 0)
