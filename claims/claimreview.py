"""schema.org ClaimReview JSON-LD for a claim with a published verdict: for the API and the claim page."""

from __future__ import annotations

import json

from django.conf import settings

from claims.enums import PartyKind, ReviewState, Stance, Verdict
from claims.models import Claim, Statement

# The project's verdicts on a 1-3 truth scale; verdicts that do not place a claim on it
# (unverifiable, in review, unverified) get a rating with alternateName only, as schema.org allows.
RATING_WORST, RATING_BEST = 1, 3
RATING_VALUES = {Verdict.FALSE: 1, Verdict.MISLEADING: 2, Verdict.CONFIRMED: 3}

_PARTY_TYPES = {
    PartyKind.PERSON: "Person",
    PartyKind.STATE: "GovernmentOrganization",
    PartyKind.GOVERNMENT_BODY: "GovernmentOrganization",
    PartyKind.MINISTRY: "GovernmentOrganization",
    PartyKind.AGENCY: "GovernmentOrganization",
    PartyKind.MILITARY: "GovernmentOrganization",
    PartyKind.DE_FACTO_AUTHORITY: "GovernmentOrganization",
    PartyKind.MEDIA: "NewsMediaOrganization",
}


# Bounds for claims reported thousands of times (the page embeds this JSON-LD; it was 15 MB for the biggest).
# Finding the first 50 accepted statements of the biggest claim walks ~2,500 articles by date (100 ms).
FIRST_STATEMENTS = 50
APPEARANCES = 20


class NotPublished(ValueError):
    """Only a published verdict has a ClaimReview: an unpublished one is the newsroom's business."""


def _date(value) -> str | None:
    return value.date().isoformat() if value else None


def claim_review_jsonld(*, claim: Claim, url: str) -> dict:
    """The ClaimReview of a claim whose verdict is published; `url` is the claim's public page.

    itemReviewed is the Claim: its author is every party that asserts it (those that confirm it
    when nobody asserts it), its appearances the articles whose accepted statements report it.
    Only accepted statements count: what the world reads should be what an analyst has checked.
    A claim reported 100,000 times is read from its first FIRST_STATEMENTS accepted statements
    (who first made it, where it first appeared), and at most APPEARANCES articles are listed.
    Raises NotPublished for a claim without a published verdict.
    """
    if claim.verdict_published_at is None:
        raise NotPublished(f"claim {claim.pk} has no published verdict")
    statements = list(
        Statement.objects.filter(claim=claim, review_state=ReviewState.ACCEPTED, withdrawn_at__isnull=True)
        .select_related("party", "article__outlet")
        .order_by("article__published_at", "article_id", "start", "id")[:FIRST_STATEMENTS]
    )
    authors = _authors(statements, Stance.ASSERTS) or _authors(statements, Stance.CONFIRMS)
    articles = list({s.article_id: s.article for s in statements}.values())[:APPEARANCES]
    rating: dict = {"@type": "Rating", "alternateName": Verdict(claim.verdict).label}
    if claim.verdict in RATING_VALUES:
        rating |= {
            "ratingValue": RATING_VALUES[claim.verdict], "bestRating": RATING_BEST, "worstRating": RATING_WORST,
        }
    if claim.rationale:
        rating["ratingExplanation"] = claim.rationale
    item: dict = {"@type": "Claim", "author": authors, "appearance": [_appearance(a) for a in articles]}
    if articles:
        item["firstAppearance"] = _appearance(articles[0])
    if claim.first_reported_at:
        item["datePublished"] = _date(claim.first_reported_at)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.text,
        "datePublished": _date(claim.verdict_published_at),
        "author": {"@type": "Organization", "name": settings.CLAIMREVIEW_AUTHOR},
        "reviewRating": rating,
        "itemReviewed": item,
    }


def claim_review_script(*, claim: Claim, url: str) -> str:
    """The JSON-LD as a <script type="application/ld+json"> body, safe to put in a page ("</" escaped)."""
    text = json.dumps(claim_review_jsonld(claim=claim, url=url), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _authors(statements: list[Statement], stance: str) -> list[dict]:
    seen: dict = {}
    for s in statements:
        if s.stance != stance:
            continue
        if s.party_id is not None:
            seen.setdefault(("party", s.party_id), {"@type": _PARTY_TYPES.get(s.party.kind, "Organization"),
                                                    "name": s.party.name})
        elif s.speaker_text:
            seen.setdefault(("speaker", s.speaker_text), {"@type": "Thing", "name": s.speaker_text})
    return list(seen.values())


def _appearance(article) -> dict:
    appearance: dict = {"@type": "NewsArticle", "url": article.canonical_url}
    if article.title:
        appearance["headline"] = article.title
    if article.published_at:
        appearance["datePublished"] = _date(article.published_at)
    if article.outlet_id:
        appearance["publisher"] = {"@type": "NewsMediaOrganization", "name": article.outlet.name}
    return appearance
