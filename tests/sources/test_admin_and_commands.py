"""Admin actions and management commands for feeds and manual intake call the same services."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sources.enums import IngestionStatus
from sources.models import Article, Feed, IngestionRun, Outlet
from tests.factories import ArticleFactory, ArticleRevisionFactory, FeedFactory
from tests.sources.conftest import OTHER_STORY, STORY, Response, article_html

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Command Times</title><link>{base}/</link>
<description>d</description><item><title>Bridges</title><link>{base}/bridges</link></item></channel></rss>"""


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_feed_command_adds_lists_pauses_resumes_and_polls(db, site):
    site.add("/feed", Response(body=RSS.format(base=site.url("")), content_type="application/rss+xml"))
    site.add("/bridges", article_html(title="Bridges destroyed", paragraphs=STORY))

    added = _run("feed", "add", site.url("/feed"), "--outlet", "Command Times", "--interval", "30")
    feed = Feed.objects.get()
    paused = _run("feed", "pause", str(feed.pk))
    listed = _run("feed", "list")
    resumed = _run("feed", "resume", str(feed.pk))
    polled = _run("feed", "poll", str(feed.pk), "--sync")

    assert added == f"Feed {feed.pk} added for Command Times: {site.url('/feed')}\n"
    assert (paused, resumed) == (f"Feed {feed.pk} paused.\n", f"Feed {feed.pk} resumed.\n")
    assert f"{feed.pk:>5} paused   every 30 min  Command Times" in listed
    assert polled == f"Feed {feed.pk}: Succeeded; 1 entries, 1 new, 0 updated, 0 duplicate, 0 failed\n"
    assert (Outlet.objects.get().domain, Article.objects.get().title) == ("127.0.0.1", "Bridges destroyed")


def test_feed_command_refuses_unknown_ids_and_bad_urls(db):
    with pytest.raises(CommandError, match="no feed with id 999"):
        _run("feed", "pause", "999")
    with pytest.raises(CommandError, match="only http and https"):
        _run("feed", "add", "ftp://example.com/feed", "--outlet", "X", "--domain", "example.com")


def test_ingest_command_takes_urls_html_files_and_text(db, site, tmp_path):
    site.add("/a", article_html(title="Bridges destroyed", paragraphs=STORY))
    saved = tmp_path / "saved.html"
    saved.write_text(article_html(title="Harvest starts early", paragraphs=OTHER_STORY))
    pasted = tmp_path / "pasted.txt"
    pasted.write_text("A pasted report.\n\nWith two paragraphs.\n")

    by_url = _run("ingest", "url", site.url("/a"), "--sync")
    by_html = _run("ingest", "html", str(saved), "--url", "https://paywall.example/harvest")
    by_text = _run("ingest", "text", str(pasted), "--title", "Pasted")

    assert by_url.splitlines()[1].startswith(f"  {site.url('/a')}: New article -> article ")
    assert "1 new" in by_html and "1 new" in by_text
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Bridges destroyed", "Harvest starts early",
                                                                        "Pasted"]


def test_ingest_command_reports_a_failure_readably(db, site):
    out = _run("ingest", "url", site.add("/gone", Response(status=404, body="x")), "--sync")

    assert f"Not Found for {site.url('/gone')}" in out
    assert IngestionRun.objects.get().status == IngestionStatus.FAILED


def test_admin_feed_actions_pause_resume_and_queue_a_poll(admin_user, client, django_capture_on_commit_callbacks):
    feed = FeedFactory()
    client.force_login(admin_user)
    url = "/admin/sources/feed/"

    client.post(url, {"action": "pause", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.is_active is False
    client.post(url, {"action": "resume", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.is_active is True
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"action": "poll_now", "_selected_action": [feed.pk]}, follow=True)
    assert len(callbacks) == 1
    assert "1 feed(s) queued for polling." in response.content.decode()


def test_the_admin_article_page_shows_its_revisions_and_what_changed(admin_user, client):
    article = ArticleFactory(title="Bridges")
    ArticleRevisionFactory(article=article, number=1, text="Two bridges were destroyed.",
                           metadata={"title": "Bridges", "language": "en"})
    ArticleRevisionFactory(article=article, number=2, text="Three bridges were destroyed.")
    client.force_login(admin_user)

    page = client.get(f"/admin/sources/article/{article.pk}/change/").content.decode()

    assert "Three bridges were destroyed." in page and "Two bridges were destroyed." in page
    assert "-Two bridges were destroyed.\n+Three bridges were destroyed." in page
    assert "title: Bridges · language: en" in page


def test_admin_ingestion_run_page_lists_items_with_their_errors(admin_user, client, site):
    from sources.services import article_submit_url

    run = article_submit_url(url=site.add("/x", Response(status=500, body="boom")), inline=True)
    client.force_login(admin_user)

    page = client.get(f"/admin/sources/ingestionrun/{run.pk}/change/").content.decode()

    assert f"the server answered 500 Internal Server Error for {site.url('/x')}" in page
