"""Celery tasks of the claims app; thin: fetch the row, return quietly if it is gone, delegate."""

from celery import shared_task

from claims.models import WebhookDelivery
from claims.webhooks import webhook_delivery_attempt


@shared_task(name="claims.webhook_deliver", bind=True, max_retries=None, acks_late=True)
def webhook_deliver(self, *, delivery_id: int) -> None:
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return
    retry_in = webhook_delivery_attempt(delivery=delivery)
    if retry_in is not None:
        # webhook_delivery_attempt counts attempts and gives up itself; Celery only waits.
        raise self.retry(countdown=retry_in)


@shared_task(
    name="claims.analyse_revision", acks_late=True, time_limit=300, soft_time_limit=280,
)
def analyse_revision(*, revision_id: int) -> dict | None:
    """Find the statements of one article revision (enqueued by ingestion's hand-over hook)."""
    from claims.linking import revision_analyse
    from sources.models import ArticleRevision

    revision = ArticleRevision.objects.select_related("article").filter(pk=revision_id).first()
    if revision is None:
        return None
    report = revision_analyse(revision=revision)
    return {"revision_id": revision_id, "found": report.found, "created": report.created}
