"""Reads of parties, claims and statements, shaped for the pages, the API and the analysis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from claims.enums import OPPOSING_STANCES, SUPPORTING_STANCES, ReviewState, Stance
from claims.models import Claim, Party, PartyAlias, Statement
from claims.normalise import normalise_mention
from sources.models import Article

_STANCE_ORDER = {stance.value: i for i, stance in enumerate(Stance)}


def party_resolve(*, mention: str) -> Party | None:
    """The party a mention names, by alias or name, ignoring case, accents and possessives.

    "Azerbaijan’s defence ministry" finds the party with that alias; "the Armenian Defense Ministry"
    finds "Armenian Defense Ministry". None when nothing matches: the caller decides whether to
    propose a new party.
    """
    key = normalise_mention(mention)
    if not key:
        return None
    alias = PartyAlias.objects.select_related("party").filter(normalised=key).first()
    if alias is not None:
        return alias.party
    return Party.objects.filter(name_normalised=key).order_by("id").first()


@dataclass(frozen=True)
class ArticleRef:
    id: int
    title: str
    outlet: str
    published_at: datetime | None


@dataclass(frozen=True)
class PartyStance:
    """One party's stance on a claim, over all the statements in which it takes it."""

    party_id: int | None
    party: str
    parent: str | None
    stance: str
    statements: int
    article_ids: tuple[int, ...]
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class ClaimStanceSummary:
    claim_id: int
    parties: tuple[PartyStance, ...]
    articles: tuple[ArticleRef, ...]
    first_seen: datetime | None
    last_seen: datetime | None
    contested: bool


def claim_stance_summary(*, claim: Claim) -> ClaimStanceSummary:
    """Who asserts, confirms, denies, questions or retracts a claim, in which articles and when.

    Rejected statements do not count. A statement with no resolved party counts under its speaker's
    words. "Contested": some party asserts or confirms it and some party denies it.
    """
    statements = (
        Statement.objects.filter(claim=claim)
        .exclude(review_state=ReviewState.REJECTED)
        .select_related("party__parent", "article__outlet")
        .order_by("id")
    )
    groups: dict[tuple, list[Statement]] = {}
    articles: dict[int, Article] = {}
    for statement in statements:
        who = (statement.party_id, statement.speaker_text if statement.party_id is None else "")
        groups.setdefault((*who, statement.stance), []).append(statement)
        articles[statement.article_id] = statement.article

    def seen(statement: Statement) -> datetime:
        return statement.article.published_at or statement.created_at

    parties = []
    for (_party_id, _speaker, stance), members in groups.items():
        first = members[0]
        dates = [seen(s) for s in members]
        parties.append(
            PartyStance(
                party_id=first.party_id,
                party=first.party.name if first.party_id else first.speaker_text,
                parent=first.party.parent.name if first.party_id and first.party.parent_id else None,
                stance=stance,
                statements=len(members),
                article_ids=tuple(sorted({s.article_id for s in members})),
                first_seen=min(dates),
                last_seen=max(dates),
            )
        )
    parties.sort(key=lambda p: (_STANCE_ORDER[p.stance], p.party))
    stances = {p.stance for p in parties}
    all_dates = [d for p in parties for d in (p.first_seen, p.last_seen)]
    return ClaimStanceSummary(
        claim_id=claim.pk,
        parties=tuple(parties),
        articles=tuple(
            ArticleRef(
                id=a.pk, title=str(a), outlet=a.outlet.name if a.outlet_id else "", published_at=a.published_at
            )
            for a in sorted(articles.values(), key=lambda a: (a.published_at is None, a.published_at, a.pk))
        ),
        first_seen=min(all_dates) if all_dates else None,
        last_seen=max(all_dates) if all_dates else None,
        contested=bool(stances & SUPPORTING_STANCES) and bool(stances & OPPOSING_STANCES),
    )


def statement_list_pending() -> QuerySet[Statement]:
    """The review queue: machine-made statements nobody has accepted or rejected yet, oldest first."""
    return (
        Statement.objects.filter(review_state=ReviewState.PENDING)
        .select_related("party", "claim", "article__outlet")
        .order_by("created_at", "id")
    )


def tracker_counts() -> dict[str, int]:
    """What the home page shows: how much the tracker holds."""
    return {
        "claims": Claim.objects.live().count(),
        "statements": Statement.objects.count(),
        "parties": Party.objects.count(),
        "articles": Article.objects.count(),
        "pending_review": Statement.objects.filter(review_state=ReviewState.PENDING).count(),
    }
