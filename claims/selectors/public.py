"""Reads of the public verdict pages: only claims whose verdict is published, only statements an analyst accepted
and their article still has (not withdrawn by a later revision)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from claims.enums import ReviewState, Stance
from claims.models import Claim, ClaimStance, Statement

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
    """Who says what about the claim, from accepted statements only: what the world reads an analyst checked.

    The most-accepted (party or speaker, stance) groups, from the accepted counts the claim stances' trigger keeps
    (claims/sql/claim_stances.sql): the first entries of claim_stance_accepted_idx, whatever the claim's size.
    """
    groups = (
        ClaimStance.objects.filter(claim=claim, accepted__gt=0, stance__in=PUBLIC_STANCES)
        .annotate(who=Coalesce("party__name", "speaker"))
        .order_by("-accepted", "who", "stance")
        .values_list("who", "stance", "accepted")[:limit]
    )
    return [PublicStance(who=who, stance=stance, statements=n) for who, stance, n in groups]


def claim_public_appearances(*, claim: Claim, limit: int = PUBLIC_APPEARANCES) -> list:
    """The first articles (by publication) whose accepted statements report the claim, with their outlets.

    Articles with such a statement (EXISTS, as the stance summary's first articles): for a claim reported
    300,000 times PostgreSQL walks the articles' date index until it has `limit`, for a small one it starts
    from the claim's statements; never every accepted statement sorted.
    """
    from sources.models import Article

    accepted = Statement.objects.filter(
        article=OuterRef("pk"), claim=claim, review_state=ReviewState.ACCEPTED, withdrawn_at__isnull=True
    )
    return list(
        Article.objects.filter(Exists(accepted)).select_related("outlet")
        .order_by(F("published_at").asc(nulls_last=True), "id")[:limit]
    )
