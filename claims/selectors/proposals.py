"""Reads of the machine's proposals waiting for review: proposed parties and claims, what each might be merged
into, and the record of merges."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from claims.enums import Origin, ReviewState
from claims.models import Claim, ClaimMerge, Party, PartyAlias, PartyMerge
from claims.selectors._common import _counted_statements


def _proposed_parties() -> QuerySet[Party]:
    return Party.objects.filter(review_state=ReviewState.PENDING, merged_into__isnull=True, origin=Origin.EXTRACTED)


def party_list_proposed() -> QuerySet[Party]:
    """Parties the analysis proposed for unknown speakers and nobody has decided on, oldest first, each with its
    aliases and how many live statements name it (the queue's partial index, claims party_proposed_idx)."""
    return (
        _proposed_parties()
        .select_related("parent")
        .prefetch_related(Prefetch("aliases", queryset=PartyAlias.objects.order_by("text", "id")))
        .annotate(statement_total=Coalesce(
            Subquery(_counted_statements().filter(party=OuterRef("pk")).order_by().values("party")
                     .annotate(n=Count("pk")).values("n")),
            0,
        ))
        .order_by("created_at", "id")
    )


# The queues' tabs count up to this many ("10000+"): counting 100,000 proposals costs more than the page.
PROPOSALS_COUNT_LIMIT = 10_000


def party_proposed_count() -> int:
    """How many proposed parties wait, up to PROPOSALS_COUNT_LIMIT + 1."""
    return _proposed_parties()[: PROPOSALS_COUNT_LIMIT + 1].count()


@dataclass(frozen=True)
class MergeCandidate:
    party: Party
    alias: str  # the alias that matched, or "" when the name did
    score: float  # pg_trgm's similarity of the names, 0 to 1


def party_merge_candidates(*, party: Party, limit: int = 5) -> list[MergeCandidate]:
    """Live parties that may be the same speaker as `party`, likeliest first: their name or one of their aliases
    is like its name by trigrams, or holds it whole ("Haddad" in "Abdullah Haddad"). Keys are the mention keys
    of claims.normalise (case, accents, possessives and a leading "the" ignored), the ones the resolver and the
    party autocomplete use. Two queries through the trigram indexes on names and aliases."""
    key = party.name_normalised
    if len(key) < 2:
        return []
    others = Q(merged_into__isnull=True) & ~Q(pk=party.pk) & ~Q(review_state=ReviewState.REJECTED)
    by_name = (
        Party.objects.filter(others)
        .filter(Q(name_normalised__trigram_similar=key) | Q(name_normalised__trigram_word_similar=key)
                | Q(name_normalised__contains=key))
        .annotate(score=Greatest(TrigramSimilarity("name_normalised", key),
                                 TrigramWordSimilarity(key, "name_normalised")))
        .order_by("-score", "id")[:limit]
    )
    by_alias = (
        PartyAlias.objects.filter(party__merged_into__isnull=True).exclude(party=party)
        .exclude(party__review_state=ReviewState.REJECTED)
        .filter(Q(normalised__trigram_similar=key) | Q(normalised__trigram_word_similar=key)
                | Q(normalised__contains=key))
        .select_related("party")
        .annotate(score=Greatest(TrigramSimilarity("normalised", key), TrigramWordSimilarity(key, "normalised")))
        .order_by("-score", "id")[:limit]
    )
    found: dict[int, MergeCandidate] = {}
    for other in by_name:
        found[other.pk] = MergeCandidate(party=other, alias="", score=other.score)
    for alias in by_alias:
        known = found.get(alias.party_id)
        if known is None or alias.score > known.score:
            found[alias.party_id] = MergeCandidate(party=alias.party, alias=alias.text, score=alias.score)
    # An accepted party before a fellow proposal at the same score: merging into it settles both.
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.party.review_state != ReviewState.ACCEPTED,
                                                   c.party.pk))
    return ranked[:limit]


def claim_list_proposed() -> QuerySet[Claim]:
    """Claims the analysis proposed and nobody has decided on, oldest first, with live statements (a proposal left
    with none is hidden already, Claim.listed); through claims claim_proposed_idx."""
    return (
        Claim.objects.filter(review_state=ReviewState.PENDING, origin=Origin.EXTRACTED, merged_into__isnull=True,
                             listed=True)
        .order_by("created_at", "id")
    )


def claim_proposed_count() -> int:
    """How many proposed claims wait, up to PROPOSALS_COUNT_LIMIT + 1."""
    return claim_list_proposed().order_by()[: PROPOSALS_COUNT_LIMIT + 1].count()


def claim_merges_in(*, claim: Claim) -> list[ClaimMerge]:
    """The claims merged into this one: who merged which, when."""
    return list(ClaimMerge.objects.filter(target=claim).select_related("source", "actor").order_by("-created_at",
                                                                                                     "-id"))


def party_merges_in(*, party: Party) -> list[PartyMerge]:
    """The parties merged into this one: who merged which, when."""
    return list(PartyMerge.objects.filter(target=party).select_related("source", "actor").order_by("-created_at",
                                                                                                     "-id"))


def party_resolve_merged(party: Party) -> Party:
    """The live party a (possibly merged-away) party now is."""
    seen: set[int] = set()
    while party.merged_into_id is not None and party.merged_into_id not in seen:
        seen.add(party.pk)
        party = Party.objects.get(pk=party.merged_into_id)
    return party
