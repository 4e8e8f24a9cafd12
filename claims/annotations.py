"""Import and export of hand annotations shaped like the seed's gold.json: articles, parties, claims, statements."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from claims import services
from claims.enums import Origin, Quotation
from claims.models import Claim, Party, Statement
from sources import selectors as source_selectors
from sources import services as source_services
from sources.enums import ArticleStatus
from sources.models import Article, ArticleRevision

ABOUT = (
    "Annotation exported by the claims tracker: every attributed statement (who said what, with what stance) "
    "and the claims they form. 'evidence' is an exact substring of the article text in the .txt file named by "
    "'file'; 'cue' is the reporting word(s). stance: asserts | denies | confirms | questions | retracts | position. "
    "A claim id shared across articles means the same claim reported by both."
)
# Where an annotated article has no URL of its own: a reserved, never-resolving domain (RFC 2606).
PLACEHOLDER_URL = "https://annotation.invalid/{id}"
_QUOTES = "“”\""


class AnnotationError(ValueError):
    """The annotation file cannot be imported as it is; the message names the entry at fault."""


@dataclass
class ImportReport:
    articles_created: int = 0
    articles_matched: int = 0
    parties_created: int = 0
    claims_created: int = 0
    statements_created: int = 0
    statements_existing: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"articles: {self.articles_created} new, {self.articles_matched} matched; "
            f"parties: {self.parties_created} new; claims: {self.claims_created} new; "
            f"statements: {self.statements_created} new, {self.statements_existing} already there"
        )


def _squash(text: str) -> str:
    return " ".join(text.split())


def _parse_published(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise AnnotationError(f"published {value!r} is not an ISO date or date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _find_revision(*, external_id: str, text: str) -> ArticleRevision | None:
    """An article already in the tracker with this annotation id, or with this text (ingested before)."""
    article = Article.objects.filter(external_id=external_id).first()
    if article is not None:
        return article.revisions.order_by("-number").first()
    exact = source_selectors.article_revision_find_by_text(text=text)
    if exact is not None:
        return exact
    # The same article as extracted from a web page may differ in white space, and page extraction keeps
    # the headline out of the body (an annotated text file usually opens with it): find it by its longest
    # paragraph, then compare with white space folded, with and without the stored title in front.
    paragraph = max((p.strip() for p in text.split("\n")), key=len, default="")
    if len(paragraph) < 80:
        return None
    squashed = _squash(text)
    for revision in ArticleRevision.objects.filter(text__contains=paragraph).select_related("article")[:20]:
        if squashed in (_squash(revision.text), _squash(f"{revision.article.title} {revision.text}")):
            return revision
    return None


def _locate(revision_text: str, *, evidence: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the annotated words are in the stored revision (its text may differ in white space)."""
    if revision_text[start:end] == evidence:
        return start, end
    hits = [m.start() for m in re.finditer(re.escape(evidence), revision_text)]
    if hits:
        best = min(hits, key=lambda h: abs(h - start))
        return best, best + len(evidence)
    pattern = r"\s+".join(re.escape(word) for word in evidence.split())
    hits2 = list(re.finditer(pattern, revision_text))
    if hits2:
        best = min(hits2, key=lambda m: abs(m.start() - start))
        return best.start(), best.end()
    return None


def _quotation(evidence: str) -> str:
    if not any(q in evidence for q in _QUOTES):
        return Quotation.INDIRECT
    if evidence.lstrip()[:1] in _QUOTES and evidence.count("”") + evidence.count('"') >= 1:
        return Quotation.DIRECT
    return Quotation.MIXED


@transaction.atomic
def annotation_import(*, data: dict, base_dir: Path) -> ImportReport:
    """Load an annotation as analyst-made data. Importing the same file twice creates nothing twice.

    Articles are matched to ones already in the tracker (by annotation id, by text, or by text up to
    white space when the article was ingested from the web) and created otherwise, with the text
    read from `base_dir / file`. Statements' offsets are moved onto the stored text when it differs.
    Any problem aborts the whole import: nothing is half-loaded.
    """
    report = ImportReport()
    for key in ("articles", "parties", "claims", "statements"):
        if not isinstance(data.get(key), list):
            raise AnnotationError(f"the annotation has no '{key}' list")

    revisions: dict[str, ArticleRevision] = {}
    for entry in data["articles"]:
        art_id = entry.get("id") or ""
        path = base_dir / (entry.get("file") or f"{art_id}.txt")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AnnotationError(f"article {art_id!r}: cannot read {path}: {exc}") from None
        published = _parse_published(entry.get("published"))
        revision = _find_revision(external_id=art_id, text=text)
        if revision is None:
            url = entry.get("url") or PLACEHOLDER_URL.format(id=art_id)
            try:
                revision = source_services.article_create_with_text(
                    url=url, text=text, external_id=art_id, title=entry.get("headline", ""),
                    dateline=entry.get("dateline", ""), published_at=published, language="en",
                    status=ArticleStatus.ANALYSED,
                )
            except ValidationError as exc:
                raise AnnotationError(f"article {art_id!r}: {'; '.join(exc.messages)}") from None
            report.articles_created += 1
        else:
            article = revision.article
            changed = []
            for attr, value in (
                ("external_id", art_id), ("dateline", entry.get("dateline", "")),
                ("title", entry.get("headline", "")), ("published_at", published),
            ):
                if value and not getattr(article, attr):
                    setattr(article, attr, value)
                    changed.append(attr)
            if changed:
                article.save(update_fields=[*changed, "updated_at"])
            report.articles_matched += 1
        revisions[art_id] = revision

    parties: dict[str, Party] = {}
    for entry in data["parties"]:
        party = Party.objects.filter(slug=entry["id"]).first()
        if party is None:
            try:
                party = services.party_create(slug=entry["id"], name=entry["name"], kind=entry["kind"])
            except ValidationError as exc:
                raise AnnotationError(f"party {entry['id']!r}: {'; '.join(exc.messages)}") from None
            report.parties_created += 1
        parties[entry["id"]] = party
    for entry in data["parties"]:
        party = parties[entry["id"]]
        parent_id = entry.get("parent")
        if parent_id:
            if parent_id not in parties:
                raise AnnotationError(f"party {entry['id']!r}: parent {parent_id!r} is not among the parties")
            if party.parent_id != parties[parent_id].pk:
                try:
                    services.party_update(
                        party=party, name=party.name, kind=party.kind, parent=parties[parent_id], country=party.country
                    )
                except ValidationError as exc:
                    raise AnnotationError(f"party {entry['id']!r}: {'; '.join(exc.messages)}") from None
        for alias in entry.get("aliases", []):
            try:
                services.party_alias_add(party=party, text=alias)
            except ValidationError as exc:
                raise AnnotationError(f"party {entry['id']!r}: {'; '.join(exc.messages)}") from None

    claims: dict[str, Claim] = {}
    for entry in data["claims"]:
        claim = Claim.objects.filter(slug=entry["id"]).first()
        if claim is None:
            claim = services.claim_create(
                text=entry["summary"], kind=entry.get("kind", "factual"), slug=entry["id"], origin=Origin.ANALYST
            )
            report.claims_created += 1
        claims[entry["id"]] = claim

    for number, entry in enumerate(data["statements"], start=1):
        where = f"statement {number} ({entry.get('article')}, {entry.get('party')})"
        revision = revisions.get(entry.get("article"))
        if revision is None:
            raise AnnotationError(f"{where}: article {entry.get('article')!r} is not among the articles")
        if entry.get("party") not in parties:
            raise AnnotationError(f"{where}: party {entry.get('party')!r} is not among the parties")
        claim_id = entry.get("claim")
        if claim_id is not None and claim_id not in claims:
            raise AnnotationError(f"{where}: claim {claim_id!r} is not among the claims")
        span = _locate(revision.text, evidence=entry["evidence"], start=entry["start"], end=entry["end"])
        if span is None:
            raise AnnotationError(f"{where}: evidence {entry['evidence'][:60]!r} is not in the article's text")
        start, end = span
        cue = entry.get("cue", "")
        cue_at = revision.text.lower().find(cue.lower(), start, end) if cue else -1
        try:
            _, created = services.statement_create(
                revision=revision, start=start, end=end, stance=entry["stance"], origin=Origin.ANALYST,
                party=parties[entry["party"]], claim=claims[claim_id] if claim_id else None, cue=cue,
                cue_start=cue_at if cue_at >= 0 else None, cue_end=cue_at + len(cue) if cue_at >= 0 else None,
                quotation=_quotation(entry["evidence"]),
            )
        except ValidationError as exc:
            raise AnnotationError(f"{where}: {'; '.join(exc.messages)}") from None
        if created:
            report.statements_created += 1
        else:
            report.statements_existing += 1
    return report


def _published(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    if value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return value.isoformat()


def _statement_entry(statement: Statement, article_key: str) -> dict:
    entry = {
        "article": article_key,
        "party": statement.party.slug if statement.party_id else None,
        "stance": statement.stance,
        "claim": (statement.claim.slug or f"claim-{statement.claim_id}") if statement.claim_id else None,
        "cue": statement.cue,
        "evidence": statement.quote,
        "start": statement.start,
        "end": statement.end,
    }
    if statement.party_id is None:
        entry["speaker"] = statement.speaker_text  # unresolved: the speaker as the article names them
    return entry


def annotation_export() -> tuple[dict, dict[str, str]]:
    """Everything the tracker knows, as (annotation, {file name: article text}).

    Articles with statements are exported with the text of the revision their statements point at;
    statements are written in article order, then by position. Rejected statements are left out.
    """
    statements = list(
        Statement.objects.exclude(review_state="rejected")
        .select_related("article", "revision", "party", "claim")
        .order_by("article_id", "start", "id")
    )
    articles, texts, article_keys = [], {}, {}
    for statement in statements:
        article = statement.article
        if article.pk in article_keys:
            continue
        key = article.external_id or f"article-{article.pk}"
        article_keys[article.pk] = key
        entry = {"id": key, "file": f"{key}.txt"}
        if article.published_at:
            entry["published"] = _published(article.published_at)
        if article.dateline:
            entry["dateline"] = article.dateline
        if article.title:
            entry["headline"] = article.title
        if not article.canonical_url.startswith(PLACEHOLDER_URL.format(id="")):
            entry["url"] = article.canonical_url
        articles.append(entry)
        texts[entry["file"]] = statement.revision.text

    parties = Party.objects.select_related("parent").prefetch_related("aliases").order_by("id")
    claims = Claim.objects.live().order_by("id")
    return (
        {
            "about": ABOUT,
            "articles": articles,
            "parties": [
                {
                    "id": p.slug, "name": p.name, "kind": p.kind, "parent": p.parent.slug if p.parent_id else None,
                    "aliases": [a.text for a in p.aliases.all()],
                }
                for p in parties
            ],
            "claims": [{"id": c.slug or f"claim-{c.pk}", "kind": c.kind, "summary": c.text} for c in claims],
            "statements": [_statement_entry(s, article_keys[s.article_id]) for s in statements],
        },
        texts,
    )
