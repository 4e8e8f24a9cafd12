"""From the analysis's plain results to the database: parties resolved or proposed, claims matched or proposed.

The analysis package (claims.analysis) knows nothing of the database; this module feeds it the known
parties, stores what it finds as machine-made statements waiting for review, and links each
statement to an existing claim when it reports the same thing in other words.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from claims import services
from claims.enums import Origin, PartyKind, Quotation, ReviewState, Stance
from claims.models import Claim, Party, PartyAlias, Statement
from claims.retrieval import claim_candidates
from claims.selectors import party_resolve
from sources.enums import ArticleStatus
from sources.models import Article, ArticleRevision

logger = logging.getLogger(__name__)

@dataclass
class AnalysisReport:
    revision_id: int
    found: int = 0
    created: int = 0
    skipped_reviewed: int = 0
    removed_stale: int = 0
    claims_linked: int = 0
    claims_proposed: int = 0
    parties_proposed: int = 0
    problems: list[str] = field(default_factory=list)


def known_parties() -> list:
    """Every party with its aliases, as the analysis package wants them.

    Read as plain rows (two queries): it runs for every article, and model instances plus a prefetch of 20,000
    parties' aliases took ~2-5 s of each article's analysis at a million claims (manage.py bench_ingestion).
    """
    from claims.analysis import KnownParty

    aliases: dict[int, list[str]] = {}
    for party_id, text in PartyAlias.objects.order_by("pk").values_list("party_id", "text"):
        aliases.setdefault(party_id, []).append(text)
    parties = Party.objects.exclude(review_state=ReviewState.REJECTED).order_by("name", "pk")
    return [
        KnownParty(
            id=str(pk), name=name, kind=kind, parent=str(parent_id) if parent_id else None,
            aliases=tuple(aliases.get(pk, ())),
        )
        for pk, name, kind, parent_id in parties.values_list("pk", "name", "kind", "parent_id")
    ]


_resolver_cache: dict[tuple, object] = {}


def party_resolver():
    """The analysis's PartyResolver over the known parties, built again only when the parties have changed.

    Building it from 20,000 parties took ~0.5 s per article at a million claims (manage.py bench_ingestion);
    reading the rows (known_parties) is ~0.1 s and tells whether anything changed since the last article.
    """
    from claims.analysis.parties import PartyResolver

    key = tuple(known_parties())
    resolver = _resolver_cache.get(key)
    if resolver is None:
        resolver = PartyResolver(key)
        _resolver_cache.clear()
        _resolver_cache[key] = resolver
    return resolver


def claim_match(*, text: str, exclude_ids: tuple[int, ...] = ()) -> tuple[Claim | None, float]:
    """The live claim that says the same as `text`, with its score; (None, best score) when none is close enough.

    A few candidates come from indexes (claim_candidates: nearest wordings by embedding, and claims
    sharing the text's rarest words); the analysis's similarity (word and character TF-IDF plus static
    embeddings, threshold tuned on the Emergent corpus) decides among them.
    """
    from claims.analysis.similarity import SAME_CLAIM_THRESHOLD, similarity

    text = text.strip()
    if not text:
        return None, 0.0
    candidates = claim_candidates(text=text, exclude_ids=exclude_ids)
    if not candidates:
        return None, 0.0
    scores = similarity([text], [c.text for c in candidates])[0]
    best = int(scores.argmax())
    score = float(scores[best])
    return (candidates[best] if score >= SAME_CLAIM_THRESHOLD else None), score


def _proposed_party(name: str) -> Party:
    existing = party_resolve(mention=name)
    if existing is not None:
        return existing
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return services.party_create(
        slug=f"{slugify(name)[:80] or 'speaker'}-{digest}", name=name, kind=PartyKind.ORGANISATION,
        aliases=[name], origin=Origin.EXTRACTED,
    )


def _overlaps_reviewed(revision: ArticleRevision, *, start: int, end: int, party: Party | None, stance: str) -> bool:
    """An analyst already recorded (or rejected) this attribution: the machine does not propose it again."""
    return (
        Statement.objects.filter(revision=revision, start__lt=end, end__gt=start, stance=stance, party=party)
        .filter(Q(origin=Origin.ANALYST) | ~Q(review_state=ReviewState.PENDING))
        .exists()
    )


def revision_analyse(*, revision: ArticleRevision) -> AnalysisReport:
    """Run the analysis on one revision and store what it finds; safe to run again on the same revision.

    Side effects: pending machine-made statements of this revision that the analysis no longer finds
    are removed (nothing an analyst reviewed is changed or removed); new statements are created with
    origin "extracted" and review state "pending"; unknown speakers become proposed parties, and claims
    nobody has reported yet become proposed claims; the article is marked analysed.
    """
    from claims.analysis import analyse

    report = AnalysisReport(revision_id=revision.pk)
    statements = analyse(revision.text, party_resolver())
    report.found = len(statements)
    with transaction.atomic():
        keep: set[int] = set()
        claim_for_key: dict[str, Claim] = {}
        for extracted in statements:
            if not extracted.content and not extracted.cue:
                continue
            spans = extracted.content or extracted.cue
            start, end = min(s.start for s in spans), max(s.end for s in spans)
            party = Party.objects.filter(pk=int(extracted.party_id)).first() if extracted.party_id else None
            if party is None and extracted.proposed_party:
                created_before = Party.objects.count()
                party = _proposed_party(extracted.proposed_party)
                report.parties_proposed += Party.objects.count() - created_before
            speaker = extracted.speaker.text if extracted.speaker else ""
            if party is None and not speaker:
                report.problems.append(f"statement at {start}-{end} has no speaker; kept out")
                continue
            stance = extracted.stance
            if _overlaps_reviewed(revision, start=start, end=end, party=party, stance=stance):
                report.skipped_reviewed += 1
                continue
            claim = None
            if stance != Stance.POSITION and extracted.claim_key:
                claim = claim_for_key.get(extracted.claim_key)
                if claim is None:
                    claim = _claim_for(extracted, revision=revision, report=report)
                    claim_for_key[extracted.claim_key] = claim
            cue = extracted.cue[0] if extracted.cue else None
            statement, created = services.statement_create(
                revision=revision, start=start, end=end, stance=stance, origin=Origin.EXTRACTED, party=party,
                speaker_text="" if party else speaker, claim=claim,
                cue_start=cue.start if cue else None, cue_end=cue.end if cue else None,
                quotation=Quotation.DIRECT if extracted.direct else Quotation.INDIRECT,
                confidence=max(0.0, min(1.0, float(extracted.confidence))),
            )
            keep.add(statement.pk)
            report.created += int(created)
        stale = Statement.objects.filter(
            revision=revision, origin=Origin.EXTRACTED, review_state=ReviewState.PENDING
        ).exclude(pk__in=keep)
        report.removed_stale = stale.count()
        stale.delete()
        Article.objects.filter(pk=revision.article_id).exclude(status=ArticleStatus.DUPLICATE).update(
            status=ArticleStatus.ANALYSED
        )
    return report


def _claim_for(extracted, *, revision: ArticleRevision, report: AnalysisReport) -> Claim | None:
    wording = (extracted.claim_text or " ".join(s.text for s in extracted.content)).strip()
    if not wording:
        return None
    claim, _score = claim_match(text=wording)
    if claim is not None:
        report.claims_linked += 1
        return claim
    report.claims_proposed += 1
    return services.claim_create(
        text=_readable(wording), origin=Origin.EXTRACTED,
        first_reported_at=revision.article.published_at or revision.fetched_at,
    )


def _readable(wording: str) -> str:
    """Canonical wording for a proposed claim: one sentence, capitalised, no trailing punctuation."""
    wording = " ".join(wording.split()).strip(" ,;:.“”\"'")
    # Reported speech keeps its complementiser ("said that ..."); a claim reads without it.
    wording = re.sub(r"^(that|whether)\s+", "", wording, flags=re.IGNORECASE)
    return wording[:1].upper() + wording[1:]
