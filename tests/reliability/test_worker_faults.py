"""Faults in the job system, with real worker processes: SIGKILL mid-task, two workers on one feed,
the database dropping every connection. Nothing is lost and nothing is stored twice."""

from __future__ import annotations

import os
import signal

import psycopg
import pytest
from django.db import connection
from django.db.models import Count

from claims.models import Claim, Statement
from config.celery import app
from sources import services
from sources.models import Article, ArticleRevision, IngestionItem
from tests.factories import OutletFactory
from tests.reliability.servers import serve_stories as _serve_stories
from tests.reliability.servers import wait_for
from tests.sources.conftest import Response

pytestmark = pytest.mark.worker

def _no_duplicates() -> None:
    assert not Article.objects.values("canonical_url").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not ArticleRevision.objects.values("article", "text_hash").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Statement.objects.values("revision", "start", "end", "party", "speaker_text", "claim", "stance") \
        .annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Claim.objects.values("text").annotate(n=Count("pk")).filter(n__gt=1).exists()


def _items_done(run_ids) -> bool:
    return not IngestionItem.objects.filter(run_id__in=run_ids, status="pending").exists()


def test_a_worker_killed_mid_fetch_loses_nothing_and_the_article_is_stored_once(site, worker_env, workers):
    url, = _serve_stories(site, 1, delay=4)  # the fetch takes 4 s: time to kill the worker inside it
    first = workers("first", worker_env)
    first.wait_ready(app)

    run = services.article_submit_urls(urls=[url])
    wait_for(lambda: site.hits("/news/0") >= 1, timeout=30, what="the first worker to start fetching")
    first.kill()
    assert IngestionItem.objects.get(run=run).status == "pending"
    second = workers("second", worker_env)
    second.wait_ready(app)

    # acks_late: the unacknowledged task comes back after the visibility timeout (20 s here) on the other worker.
    wait_for(lambda: _items_done([run.pk]), timeout=90, what="the task to run again on the second worker")
    item = IngestionItem.objects.get(run=run)
    assert (item.status, Article.objects.count(), ArticleRevision.objects.count()) == ("new", 1, 1)
    assert site.hits("/news/0") >= 2
    _no_duplicates()


def test_a_pool_process_killed_mid_task_runs_again(site, worker_env, workers):
    url, = _serve_stories(site, 1, delay=3)
    worker = workers("prefork", worker_env, pool="prefork", concurrency=1)
    worker.wait_ready(app)

    run = services.article_submit_urls(urls=[url])
    wait_for(lambda: site.hits("/news/0") >= 1, timeout=30, what="the pool process to start fetching")
    for pid in worker.children():
        os.kill(pid, signal.SIGKILL)

    # reject_on_worker_lost: the task goes back to the queue, and a fresh pool process takes it.
    wait_for(lambda: _items_done([run.pk]), timeout=120, what="the lost task to run again")
    assert (IngestionItem.objects.get(run=run).status, Article.objects.count()) == ("new", 1)
    assert site.hits("/news/0") == 2
    _no_duplicates()


def test_two_workers_polling_the_same_feed_at_once_store_each_article_once(site, worker_env, workers):
    urls = _serve_stories(site, 5)
    entries = "".join(f"<item><title>Report {n}</title><link>{u}</link><guid>{u}</guid></item>"
                      for n, u in enumerate(urls))
    feed_url = site.add("/feed.xml", Response(body=f'<?xml version="1.0"?><rss version="2.0"><channel>'
                                                   f"<title>Wire</title>{entries}</channel></rss>",
                                              content_type="application/rss+xml"))
    feed = services.feed_create(outlet=OutletFactory(domain="127.0.0.1"), url=feed_url)
    for name in ("one", "two"):
        workers(name, worker_env).wait_ready(app)

    for _ in range(4):  # two polls each, at once
        app.send_task("sources.poll_feed", kwargs={"feed_id": feed.pk})

    wait_for(lambda: IngestionItem.objects.exists() and _items_done(IngestionItem.objects.values("run_id")),
             timeout=120, what="every item to finish")
    wait_for(lambda: not Article.objects.exclude(status__in=["analysed", "failed", "duplicate"]).exists(),
             timeout=180, what="the analysis of every article")
    assert Article.objects.count() == 5
    assert ArticleRevision.objects.count() == 5
    _no_duplicates()


@pytest.fixture
def web_server():
    """The Django app in a thread of its own, keeping its database connection between requests (CONN_MAX_AGE)
    as gunicorn does; a request with X-Test-Close closes it, so the test database can be dropped afterwards."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    django_app = get_wsgi_application()

    def app(environ, start_response):
        body = django_app(environ, start_response)
        if environ.get("HTTP_X_TEST_CLOSE"):
            connections.close_all()
        return body

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_workers_and_pages_reconnect_after_the_database_drops_every_connection(site, worker_env, workers,
                                                                               web_server):
    import httpx

    urls = _serve_stories(site, 2)
    worker = workers("db", worker_env)
    worker.wait_ready(app)
    first = services.article_submit_urls(urls=[urls[0]])
    wait_for(lambda: _items_done([first.pk]), timeout=60, what="the first article")
    browser = httpx.Client(base_url=web_server, timeout=20)
    assert browser.get("/healthz").status_code == 200

    # What a PostgreSQL restart does to every client: their connections are cut.
    name = connection.settings_dict["NAME"]
    admin = connection.settings_dict
    with psycopg.connect(host=admin["HOST"], port=admin["PORT"], user=admin["USER"], dbname="postgres",
                         autocommit=True) as conn:
        cut = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> %s", [name, connection.connection.info.backend_pid
                                                                if connection.connection else -1]).fetchone()[0]
    assert cut >= 1

    # The web thread's kept connection is dead now; CONN_HEALTH_CHECKS finds out and opens a new one.
    again = browser.get("/healthz", headers={"X-Test-Close": "1"})
    assert (again.status_code, again.json()["database"]) == (200, "ok")
    second = services.article_submit_urls(urls=[urls[1]])
    wait_for(lambda: _items_done([second.pk]), timeout=60, what="the worker to reconnect and ingest")
    assert IngestionItem.objects.get(run=second).status == "new"
    assert worker.process.poll() is None
