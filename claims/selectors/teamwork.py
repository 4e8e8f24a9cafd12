"""Reads of teamwork: claims assigned to a user, notes on a claim, watches and notifications."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from claims.models import Claim, ClaimNote, Notification, Party, Watch
from core.enums import Role

ANALYST_GROUPS = (Role.ANALYST.value, Role.EDITOR.value)


def claim_list_assigned(*, user, limit: int = 8) -> list[Claim]:
    """The live claims the user works on, the most recently changed first ("my claims" on the dashboard)."""
    return list(Claim.objects.filter(assignee=user, merged_into__isnull=True).order_by("-updated_at", "-id")[:limit])


def claim_notes(*, claim: Claim) -> list[ClaimNote]:
    return list(claim.notes.select_related("author").order_by("created_at", "id"))


def user_choices_for_assignment() -> list[tuple[int, str]]:
    """Users who may work claims (analysts, editors, admins), by name: the assignment picker's options."""
    users = get_user_model().objects.filter(is_active=True).filter(
        Q(groups__name__in=ANALYST_GROUPS) | Q(is_superuser=True)
    )
    return list(users.distinct().order_by("username").values_list("pk", "username")[:500])


def watch_exists(*, user, claim: Claim | None = None, party: Party | None = None) -> bool:
    if not user.is_authenticated:
        return False
    target = {"claim": claim} if claim is not None else {"party": party}
    return Watch.objects.filter(user=user, **target).exists()


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).select_related("claim").order_by("-created_at", "-id")


def notification_unread_count(*, user, limit: int = 100) -> int:
    """Unread notifications, counted up to `limit` + 1 (shown as "100+")."""
    return Notification.objects.filter(user=user, read_at__isnull=True)[: limit + 1].count()
