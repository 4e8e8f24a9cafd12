"""Reads of the public verdict pages: only claims whose verdict is published, only statements an analyst accepted
and their article still has (not withdrawn by a later revision)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from claims.enums import ReviewState, Stance
from claims.models import Claim, Statement

PUBLIC_WHO = 50  # parties named on a public page; a claim reported 100,000 times names its most-quoted
PUBLIC_APPEARANCES = 20
PUBLIC_STANCES = (Stance.ASSERTS, Stance.CONFIRMS, Stance.DENIES, Stance.QUESTIONS, Stance.RETRACTS)


@dataclass(frozen=True)
class PublicStance:
    who: str
    stance: str
    statements: int


def claim_list_published() -> QuerySet[Claim]:
    """Live claims with a published verdict, the most recently published first."""
    return Claim.objects.published().filter(merged_into__isnull=True).order_by("-verdict_published_at", "-id")


def claim_get_published(*, pk: int) -> Claim:
    """A live claim with a published verdict; Claim.DoesNotExist for any other (unpublished is not public)."""
    return claim_list_published().get(pk=pk)


def claim_is_published(*, pk: int) -> bool:
    return claim_list_published().filter(pk=pk).exists()


def claim_public_who(*, claim: Claim, limit: int = PUBLIC_WHO) -> list[PublicStance]:
    """Who says what about the claim, from accepted statements only: what the world reads an analyst checked."""
    rows = (
        Statement.objects.filter(
            claim=claim, review_state=ReviewState.ACCEPTED, withdrawn_at__isnull=True, stance__in=PUBLIC_STANCES
        )
        .order_by()
        .values("party__name", "speaker_text", "stance")
        .annotate(n=Count("id"))
        .order_by("-n", "party__name", "speaker_text", "stance")[:limit]
    )
    return [
        PublicStance(who=r["party__name"] or r["speaker_text"], stance=r["stance"], statements=r["n"]) for r in rows
    ]


def claim_public_appearances(*, claim: Claim, limit: int = PUBLIC_APPEARANCES) -> list:
    """The first articles (by publication) whose accepted statements report the claim, with their outlets."""
    from sources.models import Article

    first = (
        Statement.objects.filter(claim=claim, review_state=ReviewState.ACCEPTED, withdrawn_at__isnull=True)
        .order_by("article__published_at", "article_id")
        .values_list("article_id", flat=True)[: limit * 5]
    )
    ids = list(dict.fromkeys(first))[:limit]
    articles = {a.pk: a for a in Article.objects.filter(pk__in=ids).select_related("outlet")}
    return [articles[i] for i in ids if i in articles]
