"""URL, HTML and text intake through the whole pipeline: identity, dedup, revisions, failures, the hand-off."""

import gzip
import threading
import zlib
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from config.celery import app
from core import urlguard
from sources.enums import ArticleStatus, IngestionKind, IngestionStatus, ItemStatus
from sources.models import Article, ArticleRevision, IngestionItem, IngestionRun
from sources.services import (
    article_reextract,
    article_refetch,
    article_submit_html,
    article_submit_text,
    article_submit_url,
    article_submit_urls,
    ingestion_item_process,
    ingestion_items_expire_stale,
    revision_hand_to_analysis,
)
from tests.factories import OutletFactory
from tests.sources.conftest import OTHER_STORY, STORY, Response, article_html

TITLE = "Bridges destroyed near the border"
# The page repeats its headline above the story; extraction keeps it as the title, out of the text.
TEXT = "\n\n".join(STORY)


def _nothing_stored():
    return (Article.objects.count(), ArticleRevision.objects.count())


def test_a_submitted_url_becomes_an_article_with_its_first_revision(db, site):
    outlet = OutletFactory(domain="127.0.0.1")
    url = site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY, byline="Jane Reporter"))

    run = article_submit_url(url=url, inline=True)

    assert (run.kind, run.status, run.found, run.new) == (IngestionKind.MANUAL, IngestionStatus.SUCCEEDED, 1, 1)
    article = Article.objects.get()
    assert (article.canonical_url, article.url, article.title, article.byline, article.language, article.status,
            article.outlet) == (url, url, TITLE, "Jane Reporter", "en", ArticleStatus.FETCHED, outlet)
    assert article.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    revision = article.revisions.get()
    assert (revision.number, revision.text, revision.metadata["title"], revision.metadata["charset"]) == (
        1, TEXT, TITLE, "utf-8"
    )
    assert zlib.decompress(revision.raw_html) == article_html(
        title=TITLE, paragraphs=STORY, byline="Jane Reporter"
    ).encode()
    assert run.items.get().article == article


def test_a_bad_url_is_refused_up_front(db):
    with pytest.raises(ValidationError, match="only http and https"):
        article_submit_url(url="file:///etc/passwd")
    assert IngestionRun.objects.count() == 0


@pytest.mark.parametrize("path", ["/news/bridges?utm_source=twitter&utm_medium=social", "/news/bridges#comments",
                                  "/news/bridges?fbclid=abc123"])
def test_the_same_story_under_a_tracking_url_is_the_same_article(db, site, path):
    site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY))
    article_submit_url(url=site.url("/news/bridges"), inline=True)

    run = article_submit_url(url=site.url(path), inline=True)

    assert run.items.get().status == ItemStatus.UNCHANGED
    assert (Article.objects.count(), ArticleRevision.objects.count()) == (1, 1)


def test_a_page_whose_rel_canonical_names_another_url_joins_that_article(db, site):
    canonical = site.url("/2024/03/05/bridges")
    site.add("/2024/03/05/bridges", article_html(title=TITLE, paragraphs=STORY, canonical=canonical))
    site.add("/amp/bridges", article_html(title=TITLE, paragraphs=STORY, canonical=canonical))
    article_submit_url(url=site.url("/2024/03/05/bridges"), inline=True)

    run = article_submit_url(url=site.url("/amp/bridges?utm_source=amp"), inline=True)

    assert run.items.get().status == ItemStatus.UNCHANGED
    assert list(Article.objects.values_list("canonical_url", flat=True)) == [canonical]


def test_the_same_wire_story_on_two_sites_is_linked_as_a_duplicate_not_stored_as_independent(db, site, other_site):
    site.add("/world/bridges", article_html(title=TITLE, paragraphs=STORY))
    other_site.add("/wire/2024/bridges-destroyed", article_html(title=TITLE, paragraphs=STORY))
    article_submit_url(url=site.url("/world/bridges"), inline=True)

    run = article_submit_url(url=other_site.url("/wire/2024/bridges-destroyed"), inline=True)

    original = Article.objects.get(canonical_url=site.url("/world/bridges"))
    copy = Article.objects.get(canonical_url=other_site.url("/wire/2024/bridges-destroyed"))
    assert (run.duplicate, run.items.get().status) == (1, ItemStatus.DUPLICATE)
    assert (copy.status, copy.duplicate_of, original.status, original.duplicate_of) == (
        ArticleStatus.DUPLICATE, original, ArticleStatus.FETCHED, None
    )


def test_a_lightly_edited_copy_of_a_wire_story_is_a_near_duplicate(db, site, other_site):
    edited = [*STORY[:-1], STORY[-1].replace("International observers", "Observers from the OSCE"),
              "This report was first published by a wire service."]
    site.add("/world/bridges", article_html(title=TITLE, paragraphs=STORY))
    other_site.add("/local/bridges", article_html(title="Border bridges hit, ministry says", paragraphs=edited))
    article_submit_url(url=site.url("/world/bridges"), inline=True)

    article_submit_url(url=other_site.url("/local/bridges"), inline=True)

    copy = Article.objects.get(canonical_url=other_site.url("/local/bridges"))
    assert (copy.status, copy.duplicate_of.canonical_url) == (ArticleStatus.DUPLICATE, site.url("/world/bridges"))


def test_a_different_story_on_the_same_topic_is_not_a_duplicate(db, site):
    site.add("/a", article_html(title=TITLE, paragraphs=STORY))
    site.add("/b", article_html(title="Harvest starts early", paragraphs=OTHER_STORY))

    article_submit_urls(urls=[site.url("/a"), site.url("/b")], inline=True)

    assert sorted(Article.objects.values_list("status", "duplicate_of")) == [
        (ArticleStatus.FETCHED, None), (ArticleStatus.FETCHED, None)
    ]


def test_a_refetch_with_changed_text_adds_a_revision_and_keeps_the_earlier_one(db, site):
    site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY))
    article_submit_url(url=site.url("/news/bridges"), inline=True)
    article = Article.objects.get()
    site.add("/news/bridges", article_html(title=f"{TITLE} (updated)", paragraphs=[*STORY, "The ministry later "
                                           "revised the number of injured to six."]))

    run = article_refetch(article=article, inline=True)
    unchanged = article_refetch(article=article, inline=True)

    assert (run.updated, unchanged.items.get().status) == (1, ItemStatus.UNCHANGED)
    revisions = list(article.revisions.order_by("number"))
    assert [(r.number, r.metadata["title"]) for r in revisions] == [(1, TITLE), (2, f"{TITLE} (updated)")]
    assert revisions[0].text == TEXT
    assert revisions[1].text.endswith("revised the number of injured to six.")
    article.refresh_from_db()
    assert article.title == f"{TITLE} (updated)"


def test_reextraction_from_the_stored_page_adds_nothing_when_the_text_is_the_same(db, site):
    site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY))
    article_submit_url(url=site.url("/news/bridges"), inline=True)

    assert article_reextract(article=Article.objects.get()) is None
    assert ArticleRevision.objects.count() == 1


@pytest.mark.parametrize(("encoding", "declared", "paragraphs", "language"), [
    ("cp1251", "windows-1251", [
        "Министерство обороны заявило во вторник, что два моста у границы были разрушены ночью "
        "артиллерийским огнём, и что инженеры оценивают ущерб дорогам.",
        "Представитель регионального правительства сообщил, что по меньшей мере четыре человека были ранены.",
    ], "ru"),
    ("latin-1", "iso-8859-1", [
        "Le ministère de la défense a déclaré mardi que deux ponts près de la frontière avaient été détruits "
        "pendant la nuit par des tirs d'artillerie, et que les ingénieurs évaluaient les dégâts.",
        "Un porte-parole du gouvernement régional a déclaré qu'au moins quatre personnes avaient été blessées.",
    ], "fr"),
])
def test_non_utf8_pages_are_decoded_and_extracted(db, site, encoding, declared, paragraphs, language):
    page = article_html(title="Новости" if language == "ru" else "Actualités", paragraphs=paragraphs,
                        charset=declared, lang=language)
    url = site.add("/story", Response(body=page.encode(encoding), content_type=f"text/html; charset={declared}"))

    article_submit_url(url=url, inline=True)

    revision = ArticleRevision.objects.get()
    assert revision.text.endswith("\n\n".join(paragraphs))
    assert (revision.metadata["charset"], revision.article.language) == (
        "cp1251" if encoding == "cp1251" else "cp1252", language
    )


def test_a_cp1251_page_served_as_utf8_is_still_read_correctly(db, site):
    paragraphs = ["Министерство обороны заявило во вторник, что два моста у границы были разрушены ночью "
                  "артиллерийским огнём, и что инженеры оценивают ущерб дорогам в приграничном районе."] * 2
    page = article_html(title="Новости", paragraphs=paragraphs, charset="utf-8", lang="ru")
    url = site.add("/story", Response(body=page.encode("cp1251"), content_type="text/html; charset=utf-8"))

    article_submit_url(url=url, inline=True)

    assert paragraphs[0] in ArticleRevision.objects.get().text


def test_a_gzipped_page_is_extracted(db, site):
    url = site.add("/story", Response(body=article_html(title=TITLE, paragraphs=STORY), gzip=True))

    article_submit_url(url=url, inline=True)

    assert ArticleRevision.objects.get().text == TEXT


@pytest.mark.parametrize(("response", "error"), [
    (Response(status=404, body="no"), "the server answered 404 Not Found for {url}"),
    (Response(body=b"z" * 30_000), "the page is 30,000 bytes, over the limit of 20,000"),
    (Response(body="<html><body><nav><a href='/'>Home</a></nav></body></html>"),
     "no article text could be extracted from {url}"),
    (Response(body=b"%PDF-1.4", content_type="application/pdf"),
     "expected a page but the server sent 'application/pdf'"),
])
def test_a_bad_page_ends_in_a_readable_error_and_no_partial_rows(db, site, settings, response, error):
    settings.INGEST_MAX_BYTES = 20_000
    url = site.add("/bad", response)

    run = article_submit_url(url=url, inline=True)

    item = run.items.get()
    assert (run.status, item.status, item.error, item.article) == (
        IngestionStatus.FAILED, ItemStatus.FAILED, error.format(url=url), None
    )
    assert _nothing_stored() == (0, 0)


REFUSED_10 = (
    "refused 'https://news.example.com/story': news.example.com resolves to 10.20.30.40, a private, loopback, "
    "link-local, multicast or reserved address (to fetch from it on purpose, add news.example.com to the "
    "INGEST_ALLOWED_HOSTS setting)"
)


def test_a_url_resolving_to_a_private_address_is_refused_at_submission(db, monkeypatch):
    monkeypatch.setattr(urlguard, "resolve_host", lambda host, port: ["10.20.30.40"])

    with pytest.raises(ValidationError) as refused:
        article_submit_url(url="https://news.example.com/story", inline=True)

    assert refused.value.messages == [REFUSED_10]
    assert _nothing_stored() == (0, 0)


def test_a_name_that_resolves_to_a_private_address_by_fetch_time_is_recorded_as_refused(db, monkeypatch):
    monkeypatch.setattr(urlguard, "resolve_host", lambda host, port: ["93.184.216.34"])
    run = article_submit_url(url="https://news.example.com/story")  # queued while the name looked public
    monkeypatch.setattr(urlguard, "resolve_host", lambda host, port: ["10.20.30.40"])

    item = ingestion_item_process(item=run.items.get())

    assert (item.status, item.error) == (ItemStatus.FAILED, REFUSED_10)
    assert _nothing_stored() == (0, 0)


def test_a_timeout_is_retried_by_the_task_and_recorded_on_the_last_attempt(db, site, settings):
    settings.INGEST_READ_TIMEOUT = 1
    url = site.add("/slow", Response(body="<p>x</p>", delay=2))
    run = article_submit_url(url=url)  # queued, not run
    item = run.items.get()

    with pytest.raises(urlguard.NetworkError):
        ingestion_item_process(item=item, final_attempt=False)
    item.refresh_from_db()
    assert (item.status, item.attempts) == (ItemStatus.PENDING, 1)

    ingestion_item_process(item=item, final_attempt=True)
    item.refresh_from_db()
    assert (item.status, item.error, item.attempts) == (ItemStatus.FAILED, f"timed out fetching {url} (ReadTimeout)", 2)


def test_items_whose_task_was_lost_are_failed_after_an_hour_and_their_run_closes(db, site):
    run = article_submit_urls(urls=[site.url("/a"), site.url("/b")])  # queued; no worker will ever run them
    IngestionItem.objects.filter(url=site.url("/a")).update(created_at=datetime(2024, 3, 5, 10, 0, tzinfo=UTC))

    assert ingestion_items_expire_stale(now=datetime(2024, 3, 5, 11, 1, tzinfo=UTC)) == 1
    run.refresh_from_db()
    assert (run.status, run.failed) == (IngestionStatus.RUNNING, 1)
    IngestionItem.objects.filter(url=site.url("/b")).update(created_at=datetime(2024, 3, 5, 10, 30, tzinfo=UTC))
    assert ingestion_items_expire_stale(now=datetime(2024, 3, 5, 11, 31, tzinfo=UTC)) == 1
    run.refresh_from_db()
    assert (run.status, run.failed, run.items.first().error) == (
        IngestionStatus.FAILED, 2, "no worker finished this within 60 minutes; it was given up"
    )


def test_a_processed_item_is_not_processed_again(db, site):
    url = site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY))
    item = article_submit_url(url=url, inline=True).items.get()

    ingestion_item_process(item=item)

    assert site.hits("/news/bridges") == 1


def test_an_uploaded_html_file_goes_through_the_same_extraction_and_dedup(db, site):
    outlet = OutletFactory(name="The Paywall Post", domain="paywall.example")
    page = article_html(title=TITLE, paragraphs=STORY).encode("utf-8")

    run = article_submit_html(html=page, url="https://paywall.example/2024/bridges?utm_source=x", outlet=outlet)
    again = article_submit_html(html=gzip.decompress(gzip.compress(page)), url="https://paywall.example/2024/bridges")

    article = Article.objects.get()
    assert (run.status, run.new, again.items.get().status) == (IngestionStatus.SUCCEEDED, 1, ItemStatus.UNCHANGED)
    assert (article.canonical_url, article.outlet, article.revisions.get().text) == (
        "https://paywall.example/2024/bridges", outlet, TEXT
    )


def test_pasted_text_is_stored_as_is_and_pasting_it_again_adds_nothing(db):
    text = "Baku, Azerbaijan – Officials said the bridge was destroyed.\r\n\r\nA second paragraph\nwith a line break."

    run = article_submit_text(title="Pasted report", text=text, published_at=datetime(2020, 9, 29, tzinfo=UTC))
    again = article_submit_text(title="Pasted report", text=text)

    article = Article.objects.get()
    assert (run.new, again.items.get().status) == (1, ItemStatus.UNCHANGED)
    assert article.revisions.get().text == (
        "Baku, Azerbaijan – Officials said the bridge was destroyed.\n\nA second paragraph\nwith a line break."
    )
    assert (article.title, article.dateline, article.canonical_url.startswith("https://manual.invalid/text/")) == (
        "Pasted report", "Baku, Azerbaijan", True
    )


def test_pasted_text_of_a_fetched_story_is_a_duplicate_of_it(db, site):
    site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY))
    article_submit_url(url=site.url("/news/bridges"), inline=True)

    run = article_submit_text(title=TITLE, text=TEXT, url="https://elsewhere.example/copy")

    assert run.items.get().status == ItemStatus.DUPLICATE
    assert Article.objects.get(canonical_url="https://elsewhere.example/copy").duplicate_of.canonical_url == site.url(
        "/news/bridges"
    )


def test_empty_pasted_text_is_refused(db):
    with pytest.raises(ValidationError, match="the text is empty"):
        article_submit_text(title="Nothing", text="  \n\n ")


def test_new_text_is_handed_to_analysis_after_commit_and_duplicates_are_not(db, site, other_site,
                                                                          django_capture_on_commit_callbacks):
    site.add("/a", article_html(title=TITLE, paragraphs=STORY))
    other_site.add("/a", article_html(title=TITLE, paragraphs=STORY))

    with django_capture_on_commit_callbacks() as first:
        article_submit_url(url=site.url("/a"), inline=True)
    with django_capture_on_commit_callbacks() as duplicate:
        article_submit_url(url=other_site.url("/a"), inline=True)

    assert (len(first), len(duplicate)) == (1, 0)


def test_the_analysis_hook_enqueues_the_registered_analysis_task(db):
    app.loader.import_default_modules()
    registered = "claims.analyse_revision" in app.tasks

    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        before = client.llen("celery")
        enqueued = revision_hand_to_analysis(revision_id=987654)
        queued = [m for m in client.lrange("celery", 0, -1) if b"987654" in m]
        for message in queued:
            client.lrem("celery", 0, message)

    assert enqueued is registered
    assert len(queued) == (1 if registered else 0)
    assert client.llen("celery") == before


@pytest.mark.django_db(transaction=True)
def test_two_workers_ingesting_the_same_url_at_once_make_one_article(site):
    url = site.add("/news/bridges", article_html(title=TITLE, paragraphs=STORY))
    runs = [article_submit_url(url=url) for _ in range(2)]
    items = [run.items.get() for run in runs]
    barrier = threading.Barrier(2)
    errors = []

    def work(item):
        try:
            barrier.wait()
            ingestion_item_process(item=item)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert (Article.objects.count(), ArticleRevision.objects.count()) == (1, 1)
    assert sorted(IngestionItem.objects.values_list("status", flat=True)) == [ItemStatus.NEW, ItemStatus.UNCHANGED]
