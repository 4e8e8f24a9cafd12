"""Writes of the review queue: an analyst's decision on a statement, or on many at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.enums import ReviewState, Stance
from claims.models import Claim, Party, Statement
from claims.services._common import _choice
from claims.services.claims import StaleVersion, claim_resolve_merged
from core.enums import Role
from core.roles import require_role


class ReviewAction:
    ACCEPT = "accept"
    REJECT = "reject"


def statement_review(
    *,
    statement: Statement,
    actor,
    action: str,
    party: Party | None = None,
    claim: Claim | None = None,
    stance: str | None = None,
    expected_version: int | None = None,
) -> Statement:
    """An analyst's decision on a statement: accept or reject it, optionally correcting it first.

    `party`, `claim` and `stance` reassign the statement before the decision is recorded; a
    statement turned into a position loses its claim. Records who reviewed it and when, bumps
    its version. Re-reviewing is allowed (an analyst can change their mind); the last word wins.
    """
    require_role(actor, Role.ANALYST, action="Reviewing statements")
    if action not in (ReviewAction.ACCEPT, ReviewAction.REJECT):
        raise ValidationError(f"unknown review action {action!r}; expected accept or reject")
    if stance is not None:
        _choice(stance, Stance, "stance")
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version, what="statement")
        if party is not None:
            locked.party = party
        if stance is not None:
            locked.stance = stance
        if claim is not None:
            locked.claim = claim_resolve_merged(claim)
        if locked.stance == Stance.POSITION:
            locked.claim = None
        elif claim is None and stance is not None and locked.claim_id is None:
            raise ValidationError(f"a statement that {stance} something needs a claim; choose one")
        locked.review_state = ReviewState.ACCEPTED if action == ReviewAction.ACCEPT else ReviewState.REJECTED
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.version += 1
        locked.save()
        if action == ReviewAction.ACCEPT and locked.claim_id and locked.claim.review_state == ReviewState.PENDING:
            # Accepting a statement about a proposed claim accepts the proposal too.
            Claim.objects.filter(pk=locked.claim_id).update(review_state=ReviewState.ACCEPTED, version=F("version") + 1)
    return locked


@dataclass(frozen=True)
class BulkReviewReport:
    done: int
    failed: list[str]  # "#<id>: why", for each statement that was not saved


def statement_review_bulk(*, statement_ids: Iterable[int], actor, action: str) -> BulkReviewReport:
    """One decision (accept or reject) on many statements, each through statement_review, each on its own.

    A statement that cannot take the decision is reported in `failed` and the others are still saved; ids of
    statements that are gone are passed over. Refuses at once, with PermissionDenied, a role that may not review.
    """
    require_role(actor, Role.ANALYST, action="Reviewing statements")
    done, failed = 0, []
    for statement in Statement.objects.filter(pk__in=list(statement_ids)).order_by("pk"):
        try:
            statement_review(statement=statement, actor=actor, action=action)
            done += 1
        except ValidationError as exc:
            failed.append(f"#{statement.pk}: {'; '.join(exc.messages)}")
    return BulkReviewReport(done=done, failed=failed)
