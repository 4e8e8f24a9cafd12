"""Celery tasks of the ingestion: thin wrappers that load a row by id and call a service.

All are acks_late (a task whose worker dies runs again) and idempotent (a poll twice skips known
entries; an item that is no longer pending is left alone). Only ingest_item retries: on network errors, and
when the database cannot be reached (a restart); a failing feed is not retried here, its backoff
(services.feed_poll) is the retry.
"""

from __future__ import annotations

import random

from celery import shared_task
from django.db import InterfaceError, OperationalError

from sources import services
from sources.fetching import FetchError
from sources.models import Feed, IngestionItem

ITEM_MAX_RETRIES = 4
DATABASE_RETRY_SECONDS = 5


@shared_task(name="sources.enqueue_due_feeds", acks_late=True, ignore_result=True, time_limit=60, soft_time_limit=50)
def enqueue_due_feeds() -> int:
    services.ingestion_items_expire_stale()
    return services.feeds_enqueue_due()


@shared_task(name="sources.poll_feed", acks_late=True, ignore_result=True, time_limit=180, soft_time_limit=170)
def poll_feed(*, feed_id: int) -> None:
    feed = Feed.objects.select_related("outlet").filter(pk=feed_id, is_active=True).first()
    if feed is None:
        return  # deleted or paused since it was queued
    services.feed_poll(feed=feed)


@shared_task(
    bind=True, name="sources.ingest_item", acks_late=True, ignore_result=True, max_retries=ITEM_MAX_RETRIES,
    time_limit=150, soft_time_limit=140,
)
def ingest_item(self, *, item_id: int) -> None:
    try:
        item = IngestionItem.objects.select_related("run", "run__feed").filter(pk=item_id).first()
        if item is None:
            return
        services.ingestion_item_process(item=item, final_attempt=self.request.retries >= self.max_retries)
    except FetchError as exc:  # only retryable network errors reach here
        # 30 s, 60 s, 120 s, 240 s, with jitter so that a host's items do not come back all at once.
        countdown = 30 * 2**self.request.retries + random.uniform(0, 10)  # noqa: S311 -- jitter, not security
        raise self.retry(exc=exc, countdown=countdown) from None
    except (OperationalError, InterfaceError) as exc:  # the database is away; 5 s, 10 s, 20 s, 40 s
        countdown = DATABASE_RETRY_SECONDS * 2**self.request.retries + random.uniform(0, 2)  # noqa: S311 -- jitter
        raise self.retry(exc=exc, countdown=countdown) from None
