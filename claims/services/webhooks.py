"""Writes of webhook subscriptions: a token's subscriptions to claim and statement events."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from claims.models import ApiToken, WebhookEvent, WebhookSubscription
from claims.services._common import _choice
from core.enums import Role
from core.roles import require_role


def webhook_subscription_create(*, token: ApiToken, target_url: str, events: Iterable[str]) -> WebhookSubscription:
    """Subscribe a token to events; the secret for the signatures is made here and returned on the row.

    Refuses a target that is not http(s) or resolves to a private address (the SSRF guard the
    deliveries apply again at every attempt), and a token whose user has no role.
    """
    from core.urlguard import FetchError, url_check

    require_role(token.user, Role.VIEWER, action="Subscribing to events")
    events = sorted(set(events))
    if not events:
        raise ValidationError({"events": ["choose at least one event"]})
    for event in events:
        _choice(event, WebhookEvent, "event")
    try:
        url_check(target_url)  # the ingestion's SSRF guard; INGEST_ALLOWED_HOSTS lets tests use 127.0.0.1
    except FetchError as exc:
        raise ValidationError({"target_url": [str(exc)]}) from None
    return WebhookSubscription.objects.create(
        token=token, target_url=target_url, events=events, secret=secrets.token_hex(32)
    )


def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Stop and forget a subscription, with its delivery log."""
    subscription.delete()
