"""Webhook events: which subscriptions want one, the signed POST that tells them, and the delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, Statement, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription
from core.urlguard import BlockedUrl, FetchError, url_check

SIGNATURE_HEADER = "X-Claims-Signature"
TIMESTAMP_HEADER = "X-Claims-Timestamp"
DELIVERY_HEADER = "X-Claims-Delivery"
EVENT_HEADER = "X-Claims-Event"


def claim_event_data(claim: Claim) -> dict:
    return {
        "id": claim.pk, "slug": claim.slug, "text": claim.text, "kind": claim.kind, "verdict": claim.verdict,
        "verdict_published_at": claim.verdict_published_at, "first_reported_at": claim.first_reported_at,
        "tags": list(claim.tags), "version": claim.version,
    }


def statement_event_data(statement: Statement) -> dict:
    return {
        "id": statement.pk, "claim_id": statement.claim_id, "party_id": statement.party_id,
        "speaker_text": statement.speaker_text, "stance": statement.stance, "quote": statement.quote,
        "article_id": statement.article_id, "revision_id": statement.revision_id, "origin": statement.origin,
        "review_state": statement.review_state, "confidence": statement.confidence,
    }


def webhook_event_emit(*, event: str, data: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active subscription of a live token that asked for it.

    Side effects: one pending WebhookDelivery per subscription, written in the caller's
    transaction; one Celery task per delivery, queued only when that transaction commits (a rolled
    back change tells nobody). One indexed query when nobody subscribes.
    """
    subscriptions = list(
        WebhookSubscription.objects.filter(
            is_active=True, events__contains=[event], token__revoked_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if not subscriptions:
        return []
    # The payload goes through JSON once here so that dates and decimals are stored as they will be sent.
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription_id=pk, delivery_id=uuid.uuid4(), event=event, payload=payload)
        for pk in subscriptions
    )
    ids = [d.pk for d in deliveries]

    def queue() -> None:
        from claims.tasks import webhook_deliver

        for delivery_id in ids:
            webhook_deliver.delay(delivery_id=delivery_id)

    transaction.on_commit(queue)
    return deliveries


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": the receiver recomputes it and rejects old timestamps."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def webhook_body(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "delivery_id": str(delivery.delivery_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def _pinned_post(client: httpx.Client, target, headers: dict[str, str], body: bytes) -> httpx.Request:
    """A POST to the address url_check approved, with the original Host and TLS name: DNS cannot swap it."""
    original = httpx.URL(target.url)
    request = client.build_request(
        "POST", original.copy_with(host=target.address),
        headers={**headers, "Host": original.netloc.decode("ascii")}, content=body,
    )
    if target.scheme == "https":
        request.extensions["sni_hostname"] = target.host
    return request


def _retry_delay(attempts: int) -> int:
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> int | None:
    """POST one delivery once and log the outcome; returns seconds to wait before retrying, or None.

    A 2xx answer delivers it. Any other answer, a timeout or a refused connection is retried
    with exponential backoff until WEBHOOK_MAX_ATTEMPTS; a target that resolves to a private
    address (core.urlguard.url_check, the SSRF guard) fails at once. Redirects are not
    followed: they could lead anywhere.
    """
    subscription = delivery.subscription
    if delivery.status in (WebhookDeliveryStatus.DELIVERED, WebhookDeliveryStatus.FAILED):
        return None
    body = webhook_body(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ClaimsTracker-Webhooks/1.0",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(secret=subscription.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    entry: dict = {"at": timezone.now().isoformat(), "status_code": None, "error": ""}
    give_up = False
    try:
        target = url_check(subscription.target_url)  # the ingestion's SSRF guard, checked at every attempt
        with httpx.Client(follow_redirects=False, trust_env=False, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as client:
            response = client.send(_pinned_post(client, target, headers, body))
        entry["status_code"] = response.status_code
        if not 200 <= response.status_code < 300:
            entry["error"] = f"answered {response.status_code}"
    except BlockedUrl as exc:
        entry["error"], give_up = str(exc), True
    except (FetchError, httpx.HTTPError) as exc:
        entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
    entry["duration_ms"] = int((time.monotonic() - started) * 1000)

    delivery.attempts += 1
    delivery.last_status_code = entry["status_code"]
    delivery.log = [*delivery.log, entry]
    retry_in = None
    if not entry["error"]:
        delivery.status, delivery.delivered_at = WebhookDeliveryStatus.DELIVERED, timezone.now()
    elif give_up or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDeliveryStatus.FAILED
    else:
        delivery.status = WebhookDeliveryStatus.RETRYING
        retry_in = _retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_status_code", "log", "status", "delivered_at"])
    return retry_in

