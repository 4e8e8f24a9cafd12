"""Redis (the broker) stops and comes back: queued work survives, workers reconnect, pages keep serving and say
that ingestion is paused meanwhile. A private Redis on a free port; the shared one is never touched."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.urls import reverse

from config import health
from sources.models import Article, IngestionItem
from tests.factories import IngestionItemFactory, IngestionRunFactory
from tests.reliability.servers import wait_for
from tests.reliability.test_worker_faults import _no_duplicates, _serve_stories

pytestmark = pytest.mark.worker


def _queue(producer: Celery, urls: list[str]) -> list[int]:
    run = IngestionRunFactory(kind="url_batch", found=len(urls))
    items = [IngestionItemFactory(run=run, url=url, canonical_url=url) for url in urls]
    for item in items:
        producer.send_task("sources.ingest_item", kwargs={"item_id": item.pk})
    return [item.pk for item in items]


def _done(item_ids: list[int]) -> bool:
    return not IngestionItem.objects.filter(pk__in=item_ids, status="pending").exists()


def test_queued_work_survives_a_redis_restart_and_workers_reconnect(site, worker_env, workers, private_redis,
                                                                    monkeypatch, client, viewer):
    env = dict(worker_env, REDIS_URL=private_redis.url)
    # Not the current app: shared tasks elsewhere in the run must keep using config.celery.app.
    producer = Celery("producer", broker=private_redis.url, set_as_current=False)
    urls = _serve_stories(site, 4)
    first = workers("before", env)
    first.wait_ready(producer)
    first.stop()

    # Work queued while no worker runs; then Redis stops and starts again (append-only file).
    queued = _queue(producer, urls[:3])
    private_redis.stop()

    monkeypatch.setattr(health, "broker_url", lambda: private_redis.url)  # the page's checks look at this Redis
    health.broker_check_reset()
    client.force_login(viewer)
    while_down = client.get(reverse("claims:party_list"))
    reads = [client.get(reverse(name)).status_code for name in ("sources:article_list", "sources:source_list")]
    health_down = client.get("/healthz")
    assert while_down.status_code == 200 and "Ingestion is paused" in while_down.content.decode()
    assert reads == [200, 200]
    assert health_down.status_code == 503

    private_redis.start()
    health.broker_check_reset()
    assert "Ingestion is paused" not in client.get(reverse("claims:party_list")).content.decode()
    worker = workers("after", env)
    worker.wait_ready(producer)
    wait_for(lambda: _done(queued), timeout=90, what="the queued items after the restart")
    assert list(IngestionItem.objects.filter(pk__in=queued).values_list("status", flat=True)) == ["new"] * 3

    # Redis goes away under a running worker and comes back: the worker reconnects by itself.
    private_redis.stop()
    time.sleep(3)
    private_redis.start()
    worker.wait_ready(producer, timeout=60)
    late = _queue(producer, urls[3:])
    wait_for(lambda: _done(late), timeout=90, what="an item queued after the worker reconnected")

    assert Article.objects.count() == 4
    assert worker.process.poll() is None
    _no_duplicates()
