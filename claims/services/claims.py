"""Writes of claims: creating, editing, setting a verdict (the one audited path), merging, and evidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from claims.embeddings import claim_embedding_store
from claims.enums import ClaimKind, EvidenceKind, EvidenceRelation, Origin, ReviewState, Verdict
from claims.models import Claim, ClaimMerge, Evidence, Statement, StatusChange, WebhookEvent
from claims.services._common import _choice
from claims.services.teamwork import notifications_queue_for_verdict
from claims.webhooks import claim_event_data, webhook_event_emit
from core.enums import Role
from core.exceptions import StaleVersion, VerdictUnchanged
from core.roles import has_role, require_role
from core.stages import pipeline_stage

# The longest rationale a verdict change keeps: the pages, the API and imports all stop here.
RATIONALE_MAX_LENGTH = 5000


def claim_tags_normalise(*, tags: Iterable[str]) -> list[str]:
    """Tags as they are stored and searched: trimmed, lowercased, without empties or repeats, sorted."""
    return sorted({tag.strip().lower() for tag in tags if tag and tag.strip()})


@pipeline_stage("claims written")
def claim_create(
    *,
    text: str,
    kind: str = ClaimKind.FACTUAL,
    slug: str = "",
    tags: Iterable[str] = (),
    first_reported_at: datetime | None = None,
    origin: str = Origin.ANALYST,
) -> Claim:
    """A new claim; machine-made claims start as proposals waiting for review. Queues claim.created.

    The wording's embedding is stored with it (the similar-claim lookup's nearest neighbours).
    """
    _choice(kind, ClaimKind, "claim kind")
    _choice(origin, Origin, "origin")
    if not text.strip():
        raise ValidationError("a claim needs its wording")
    with transaction.atomic():
        claim = Claim.objects.create(
            text=text.strip(), kind=kind, slug=slug, tags=claim_tags_normalise(tags=tags),
            first_reported_at=first_reported_at,
            origin=origin, review_state=ReviewState.ACCEPTED if origin == Origin.ANALYST else ReviewState.PENDING,
        )
        claim_embedding_store(claim)
        webhook_event_emit(event=WebhookEvent.CLAIM_CREATED, data=claim_event_data(claim))
    return claim


def claim_set_verdict(
    *,
    claim: Claim,
    actor,
    verdict: str,
    rationale: str,
    publish: bool = False,
    expected_version: int | None = None,
) -> StatusChange:
    """Change a claim's verdict: the only way a verdict changes, for the pages and the API alike.

    Who: editors (and admins) set any verdict and may publish it; analysts may only propose,
    that is move a claim to "in review" with their rationale, unpublished.

    Side effects, all in one transaction with the claim's row locked:
    - claim.verdict and claim.rationale take the new values, claim.version goes up by one;
    - claim.verdict_published_at is set to now when `publish`, cleared when an unpublished
      change replaces the verdict (a changed verdict is published again on purpose, never silently);
    - one StatusChange row records from, to, rationale, publish and actor;
    - a claim.verdict_changed webhook event is queued for subscribers, sent once the transaction commits.

    Refuses, with ValidationError, an unknown verdict, an empty rationale or one over RATIONALE_MAX_LENGTH
    characters, or a verdict the claim
    already has (unless that call publishes it); with PermissionDenied a role that may not do it;
    with StaleVersion when `expected_version` is given and the claim has moved on since.
    """
    _choice(verdict, Verdict, "verdict")
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError("a verdict change needs a rationale")
    if len(rationale) > RATIONALE_MAX_LENGTH:
        raise ValidationError(
            {"rationale": f"a rationale is at most {RATIONALE_MAX_LENGTH:,} characters, not {len(rationale):,}"}
        )
    if not has_role(actor, Role.EDITOR):
        require_role(actor, Role.ANALYST, action="Proposing a verdict")
        if verdict != Verdict.IN_REVIEW or publish:
            raise PermissionDenied(
                "analysts propose a verdict by moving the claim to 'in review'; an editor sets and publishes it"
            )
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version)
        if locked.verdict == verdict and not publish:
            raise VerdictUnchanged(f"the claim is already {Verdict(verdict).label.lower()}")
        change = StatusChange.objects.create(
            claim=locked, from_verdict=locked.verdict, to_verdict=verdict, rationale=rationale,
            published=publish, actor=actor,
        )
        locked.verdict, locked.rationale = verdict, rationale
        locked.verdict_published_at = timezone.now() if publish else None
        locked.version = F("version") + 1
        locked.save(update_fields=["verdict", "rationale", "verdict_published_at", "version", "updated_at"])
        locked.refresh_from_db(fields=["version"])
        webhook_event_emit(
            event=WebhookEvent.CLAIM_VERDICT_CHANGED,
            data={
                "claim": claim_event_data(locked), "from_verdict": change.from_verdict,
                "to_verdict": change.to_verdict, "rationale": rationale, "published": publish,
                "status_change_id": change.pk,
            },
        )
        notifications_queue_for_verdict(claim_id=locked.pk, status_change_id=change.pk)
    claim.verdict, claim.rationale = locked.verdict, locked.rationale
    claim.verdict_published_at, claim.version = locked.verdict_published_at, locked.version
    return change


def claim_update(
    *,
    claim: Claim,
    actor,
    text: str | None = None,
    kind: str | None = None,
    tags: Iterable[str] | None = None,
    expected_version: int | None = None,
) -> Claim:
    """Edit a claim's wording, kind or tags (analysts and up). Accepts a proposed claim as it goes.

    A new wording gets its embedding in the same save, so the similar-claim lookup finds the claim by it.
    """
    require_role(actor, Role.ANALYST, action="Editing a claim")
    if kind is not None:
        _choice(kind, ClaimKind, "claim kind")
    if text is not None and not text.strip():
        raise ValidationError("a claim needs its wording")
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version)
        if text is not None:
            locked.text = text.strip()
        if kind is not None:
            locked.kind = kind
        if tags is not None:
            locked.tags = claim_tags_normalise(tags=tags)
        locked.review_state = ReviewState.ACCEPTED
        locked.version += 1
        locked.save()
        if text is not None:
            claim_embedding_store(locked)
    return locked


def _twin_on(claim: Claim) -> Q:
    """A statement the claim already has in the same words, by the same speaker, with the same stance."""
    same = Statement.objects.filter(
        claim=claim, revision_id=OuterRef("revision_id"), start=OuterRef("start"), end=OuterRef("end"),
        speaker_text=OuterRef("speaker_text"), stance=OuterRef("stance"),
    )
    # Two unresolved speakers match too (the comparison of a NULL party with another is not true in SQL).
    return Q(Exists(same.filter(party_id=OuterRef("party_id")))) | (
        Q(party__isnull=True) & Q(Exists(same.filter(party__isnull=True)))
    )


def claim_merge(*, source: Claim, target: Claim, actor) -> Claim:
    """Fold `source` into `target`: one claim reported in other words. Returns the target.

    Side effects, in one transaction with both claims locked (lowest id first, so two merges
    cannot deadlock): every statement and evidence of the source moves to the target (a statement
    that would duplicate one the target already has is dropped: it is the same attribution);
    tags are united; first_reported_at takes the earlier date; source.merged_into = target, so
    statements the analysis links to the source later land on the target (statement_create); the
    source's embedding is removed, so the similar-claim lookup never offers it again (the target keeps
    its wording and its embedding); a ClaimMerge row records who merged it, when, and how many statements
    moved (the claim pages list it; the source's address redirects to the target).
    """
    require_role(actor, Role.ANALYST, action="Merging claims")
    if source.pk == target.pk:
        raise ValidationError("a claim cannot be merged into itself")
    with transaction.atomic():
        both = Claim.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
        locked = {c.pk: c for c in both}
        src, dst = locked[source.pk], locked[target.pk]
        if src.merged_into_id is not None:
            raise ValidationError(f"claim {src.pk} was already merged into claim {src.merged_into_id}")
        if dst.merged_into_id is not None:
            raise ValidationError(f"claim {dst.pk} was merged into claim {dst.merged_into_id}; merge into that one")
        moving = Statement.objects.filter(claim=src)
        list(moving.select_for_update().values_list("pk", flat=True))  # lock them all in one query
        moving.filter(_twin_on(dst)).delete()
        moved = moving.update(claim=dst, version=F("version") + 1)
        Evidence.objects.filter(claim=src).update(claim=dst)
        dst.tags = sorted(set(dst.tags) | set(src.tags))
        dates = [d for d in (src.first_reported_at, dst.first_reported_at) if d is not None]
        dst.first_reported_at = min(dates) if dates else None
        dst.version += 1
        dst.save()
        src.merged_into = dst
        src.version += 1
        src.save()
        claim_embedding_store(src)
        ClaimMerge.objects.create(source=src, target=dst, actor=actor, statements_moved=moved)
    source.merged_into, source.version = dst, src.version
    return dst


def claim_proposal_reject(*, claim: Claim, actor) -> int:
    """Reject a machine-proposed claim: what the analysis read is not a claim worth tracking. Returns how many of
    its statements were rejected with it.

    Its pending statements are rejected too (each through statement_review, as the review queue would), so the
    claim, left with no live statement, drops out of the lists (Claim.listed) but keeps its page. Refuses, with
    ValidationError, a claim an analyst made or already decided on, a merged one, and one with accepted
    statements (they say the claim was reported: merge it into the claim they report instead).
    """
    from claims.services.review import statement_review

    require_role(actor, Role.ANALYST, action="Rejecting a proposed claim")
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.merged_into_id is not None:
            raise ValidationError(f"claim {locked.pk} was merged into claim {locked.merged_into_id}")
        if locked.origin != Origin.EXTRACTED or locked.review_state != ReviewState.PENDING:
            raise ValidationError(f"claim {locked.pk} is not a proposal waiting for review")
        accepted = Statement.objects.filter(claim=locked, review_state=ReviewState.ACCEPTED).count()
        if accepted:
            raise ValidationError(
                f"{accepted} accepted statement{'s' if accepted != 1 else ''} report claim {locked.pk}: "
                "merge it into the claim they report instead"
            )
        pending = list(Statement.objects.filter(claim=locked, review_state=ReviewState.PENDING).order_by("pk"))
        for statement in pending:
            statement_review(statement=statement, actor=actor, action="reject")
        locked.review_state = ReviewState.REJECTED
        locked.version += 1
        locked.save()
    claim.review_state, claim.version = locked.review_state, locked.version
    return len(pending)


def claim_resolve_merged(claim: Claim) -> Claim:
    """The live claim a (possibly merged) claim now lives in, read from the database, not the caller's copy."""
    seen: set[int] = set()
    merged_into = Claim.objects.filter(pk=claim.pk).values_list("merged_into", flat=True).first()
    while merged_into is not None and merged_into not in seen:
        seen.add(merged_into)
        claim = Claim.objects.get(pk=merged_into)
        merged_into = claim.merged_into_id
    return claim


def evidence_add(
    *,
    claim: Claim,
    actor,
    kind: str,
    relation: str = EvidenceRelation.SUPPORTS,
    url: str = "",
    article=None,
    file=None,
    note: str = "",
) -> Evidence:
    """Attach a link, an article or a file that supports, refutes or gives context to a claim."""
    require_role(actor, Role.ANALYST, action="Adding evidence")
    _choice(kind, EvidenceKind, "evidence kind")
    _choice(relation, EvidenceRelation, "evidence relation")
    if kind == EvidenceKind.LINK and not url:
        raise ValidationError("link evidence needs a URL")
    if kind == EvidenceKind.ARTICLE and article is None:
        raise ValidationError("article evidence needs an article")
    if kind == EvidenceKind.FILE and not file:
        raise ValidationError("file evidence needs a file")
    evidence = Evidence(claim=claim, kind=kind, relation=relation, url=url, article=article, note=note, added_by=actor)
    if file:
        evidence.file = file
    evidence.full_clean(exclude=["claim", "article", "added_by"])
    evidence.save()
    return evidence
