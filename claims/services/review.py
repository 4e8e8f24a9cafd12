"""Writes of the review queue: an analyst's decision on a statement, or on many at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

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


@dataclass(frozen=True)
class ReviewUndo:
    """What one decision changed, so that it can be taken back: the statement as it was, and its version after."""

    statement_id: int
    version: int  # the statement's version the decision left; an undo refuses once someone changed it again
    party_id: int | None
    claim_id: int | None
    stance: str
    review_state: str
    accepted_claim_id: int | None = None  # a proposed claim this decision accepted along with the statement

    def as_dict(self) -> dict:
        return asdict(self)


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
    Accepting a statement about a proposed claim accepts the claim too.
    """
    return statement_review_with_undo(
        statement=statement, actor=actor, action=action, party=party, claim=claim, stance=stance,
        expected_version=expected_version,
    )[0]


def statement_review_with_undo(
    *,
    statement: Statement,
    actor,
    action: str,
    party: Party | None = None,
    claim: Claim | None = None,
    stance: str | None = None,
    expected_version: int | None = None,
) -> tuple[Statement, ReviewUndo]:
    """statement_review, also returning what statement_review_undo needs to take the decision back."""
    require_role(actor, Role.ANALYST, action="Reviewing statements")
    if action not in (ReviewAction.ACCEPT, ReviewAction.REJECT):
        raise ValidationError(f"unknown review action {action!r}; expected accept or reject")
    if stance is not None:
        _choice(stance, Stance, "stance")
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version, what="statement")
        before = (locked.party_id, locked.claim_id, locked.stance, locked.review_state)
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
        accepted_claim_id = None
        if action == ReviewAction.ACCEPT and locked.claim_id and locked.claim.review_state == ReviewState.PENDING:
            Claim.objects.filter(pk=locked.claim_id).update(review_state=ReviewState.ACCEPTED, version=F("version") + 1)
            accepted_claim_id = locked.claim_id
    undo = ReviewUndo(
        statement_id=locked.pk, version=locked.version, party_id=before[0], claim_id=before[1], stance=before[2],
        review_state=before[3], accepted_claim_id=accepted_claim_id,
    )
    return locked, undo


@dataclass(frozen=True)
class UndoReport:
    undone: int
    refused: list[str]  # "#<id>: why", for each decision that could not be taken back


def statement_review_undo(*, undo: Iterable[ReviewUndo], actor) -> UndoReport:
    """Takes decisions back: each statement returns to its party, claim, stance and review state before them.

    A statement someone has changed since (its version moved on) or that is gone is left as it is and reported;
    a proposed claim the decision accepted goes back to proposed unless another accepted statement now backs it.
    """
    require_role(actor, Role.ANALYST, action="Reviewing statements")
    undone, refused = 0, []
    for entry in sorted(undo, key=lambda e: e.statement_id):
        with transaction.atomic():
            locked = Statement.objects.select_for_update().filter(pk=entry.statement_id).first()
            if locked is None:
                refused.append(f"#{entry.statement_id}: it is gone")
                continue
            if locked.version != entry.version:
                refused.append(f"#{entry.statement_id}: someone reviewed it again since")
                continue
            locked.party_id, locked.claim_id, locked.stance = entry.party_id, entry.claim_id, entry.stance
            locked.review_state = entry.review_state
            if entry.review_state == ReviewState.PENDING:
                locked.reviewed_by, locked.reviewed_at = None, None
            locked.version += 1
            locked.save()
            if entry.accepted_claim_id is not None:
                still_backed = Statement.objects.filter(
                    claim_id=entry.accepted_claim_id, review_state=ReviewState.ACCEPTED
                ).exists()
                if not still_backed:
                    Claim.objects.filter(pk=entry.accepted_claim_id, review_state=ReviewState.ACCEPTED).update(
                        review_state=ReviewState.PENDING, version=F("version") + 1
                    )
            undone += 1
    return UndoReport(undone=undone, refused=refused)


@dataclass(frozen=True)
class BulkReviewReport:
    done: int
    failed: list[str]  # "#<id>: why", for each statement that was not saved
    undo: list[ReviewUndo] = field(default_factory=list)


def statement_review_bulk(*, statement_ids: Iterable[int], actor, action: str) -> BulkReviewReport:
    """One decision (accept or reject) on many statements, each through statement_review, each on its own.

    A statement that cannot take the decision is reported in `failed` and the others are still saved; ids of
    statements that are gone are passed over. Refuses at once, with PermissionDenied, a role that may not review.
    """
    require_role(actor, Role.ANALYST, action="Reviewing statements")
    failed, undo = [], []
    for statement in Statement.objects.filter(pk__in=list(statement_ids)).order_by("pk"):
        try:
            undo.append(statement_review_with_undo(statement=statement, actor=actor, action=action)[1])
        except ValidationError as exc:
            failed.append(f"#{statement.pk}: {'; '.join(exc.messages)}")
    return BulkReviewReport(done=len(undo), failed=failed, undo=undo)
