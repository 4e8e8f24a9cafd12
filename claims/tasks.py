"""Celery tasks of the claims app; thin: fetch the row, return quietly if it is gone, delegate."""

import random

from celery import shared_task
from django.db import IntegrityError, InterfaceError, OperationalError
from psycopg import errors as pg_errors

from claims.models import WebhookDelivery
from claims.services import tally_fold
from claims.webhooks import webhook_delivery_attempt


@shared_task(name="claims.fold_tallies", acks_late=True, ignore_result=True, time_limit=60, soft_time_limit=50)
def fold_tallies() -> None:
    """The tally rows of ended sessions into one per count, so the dashboard's reads sum few rows."""
    tally_fold()


@shared_task(name="claims.webhook_deliver", bind=True, max_retries=None, acks_late=True)
def webhook_deliver(self, *, delivery_id: int) -> None:
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return
    retry_in = webhook_delivery_attempt(delivery=delivery)
    if retry_in is not None:
        # webhook_delivery_attempt counts attempts and gives up itself; Celery only waits.
        raise self.retry(countdown=retry_in)


# Two analyses running at once (two worker processes) collide: both propose the same new party, and the second
# insert of its slug fails once the first commits; or they lock the same claims in another order, and PostgreSQL
# ends one as a deadlock. The analysis is one transaction and safe to run again: the loser runs again shortly.
COLLISIONS = (pg_errors.UniqueViolation, pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


@shared_task(
    bind=True, name="claims.analyse_revision", acks_late=True, time_limit=300, soft_time_limit=280, max_retries=5,
)
def analyse_revision(self, *, revision_id: int) -> dict | None:
    """Find the statements of one article revision (enqueued by ingestion's hand-over hook)."""
    from claims.linking import revision_analyse
    from sources.models import ArticleRevision

    try:
        revision = ArticleRevision.objects.select_related("article").filter(pk=revision_id).first()
        if revision is None:
            return None
        report = revision_analyse(revision=revision)
    except (IntegrityError, OperationalError, InterfaceError) as exc:
        if isinstance(exc.__cause__, COLLISIONS):
            countdown = random.uniform(0.2, 2.0)  # noqa: S311 -- jitter, not security
        elif isinstance(exc, IntegrityError):
            raise
        else:  # the database went away (a restart): the analysis is one transaction; 5 s, 10 s, 20 s, 40 s, 80 s
            countdown = 5 * 2**self.request.retries + random.uniform(0, 2)  # noqa: S311 -- jitter, not security
        raise self.retry(exc=exc, countdown=countdown) from None
    return {"revision_id": revision_id, "found": report.found, "created": report.created,
            "carried_over": report.carried_over, "withdrawn": report.withdrawn, "superseded_by": report.superseded_by}


def revision_analysis_enqueue(*, revision_id: int) -> None:
    """Ingestion's hand-off (core.hooks.revision_analyse): analyse the revision in a worker."""
    analyse_revision.apply_async(kwargs={"revision_id": revision_id})


@shared_task(name="claims.notify_statements", acks_late=True, max_retries=3)
def notify_statements(*, statement_ids: list[int]) -> int:
    """Tell the watchers of new statements (queued on commit by the services that create statements)."""
    from claims.services.teamwork import notifications_for_statements

    return notifications_for_statements(statement_ids=statement_ids)


@shared_task(name="claims.notify_verdict", acks_late=True, max_retries=3)
def notify_verdict(*, status_change_id: int) -> int:
    """Tell a claim's watchers of its verdict change (queued on commit by claim_set_verdict)."""
    from claims.services.teamwork import notifications_for_verdict

    return notifications_for_verdict(status_change_id=status_change_id)
