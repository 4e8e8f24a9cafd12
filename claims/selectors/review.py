"""Reads of the review queue: pending statements, their count and the page of them an analyst works through."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet

from claims.enums import ReviewState
from claims.models import Statement
from claims.selectors.dashboard import tally_counts
from sources.models import Article, ArticleRevision


def statement_list_pending() -> QuerySet[Statement]:
    """The review queue: machine-made statements nobody has accepted or rejected yet, the likeliest to be kept first
    (their confidence, docs/analysis.md "Confidence"), then oldest first, so poor claims sort last; not those a
    later revision of their article no longer has (withdrawn)."""
    return (
        Statement.objects.filter(review_state=ReviewState.PENDING, withdrawn_at__isnull=True)
        .select_related("party", "claim", "article__outlet")
        .order_by(F("confidence").desc(), "created_at", "id")
    )


def statement_review_count() -> int:
    """Statements waiting for review, exact, from the tallies rather than a count of the statements."""
    return tally_counts(names=("statements:pending",)).get("statements:pending", 0)


def statement_review_batch(*, limit: int = 20, after_id: int | None = None) -> list[Statement]:
    """A page of the review queue with the revision text each item's context is cut from; two queries.

    The revisions come in a query of their own: planning the seven-table join that select_related made cost
    about twice planning the six-table one plus the revisions by id. Only the
    revision's number and text are read: its fetched page (raw_html, compressed HTML, tens of kilobytes each),
    metadata and near-duplicate bands stay in the database.
    """
    pending = _pending_with_revisions()
    if after_id is not None:
        pending = pending.filter(pk__gt=after_id)
    return list(pending[:limit])


def _pending_with_revisions() -> QuerySet[Statement]:
    return statement_list_pending().select_related("party__parent").prefetch_related(
        Prefetch("revision", queryset=ArticleRevision.objects.only("id", "article_id", "number", "text"))
    )


@dataclass(frozen=True)
class QueueFilters:
    """What the analyst narrowed the review queue to; every field empty means the whole queue."""

    article_id: int | None = None
    claim_id: int | None = None
    party_id: int | None = None
    origin: str = ""
    confidence_min: float | None = None
    confidence_max: float | None = None

    def apply(self, statements: QuerySet[Statement]) -> QuerySet[Statement]:
        if self.article_id is not None:
            statements = statements.filter(article_id=self.article_id)
        if self.claim_id is not None:
            statements = statements.filter(claim_id=self.claim_id)
        if self.party_id is not None:
            statements = statements.filter(party_id=self.party_id)
        if self.origin:
            statements = statements.filter(origin=self.origin)
        if self.confidence_min is not None:
            statements = statements.filter(confidence__gte=self.confidence_min)
        if self.confidence_max is not None:
            statements = statements.filter(confidence__lte=self.confidence_max)
        return statements

    @property
    def active(self) -> bool:
        return self != QueueFilters()


@dataclass(frozen=True)
class ArticleGroup:
    """The queue's statements from one article, with how many of that article's statements wait in all."""

    article: Article
    items: list[tuple[Statement, tuple[str, str, str]]]
    pending_in_article: int


def statement_review_groups(*, filters: QueueFilters, limit: int = 20) -> list[ArticleGroup]:
    """A page of the (filtered) queue grouped by article in the queue's order, each statement in its paragraph.

    Three queries whatever the page holds: the statements, their revisions, and one count of what waits per
    article (under the same filters), so "accept all N" names what it will do.
    """
    batch = list(filters.apply(_pending_with_revisions())[:limit])
    counts = dict(
        filters.apply(Statement.objects.filter(review_state=ReviewState.PENDING, withdrawn_at__isnull=True))
        .filter(article_id__in={s.article_id for s in batch})
        .order_by()
        .values("article_id")
        .annotate(n=Count("id"))
        .values_list("article_id", "n")
    ) if batch else {}
    groups: dict[int, ArticleGroup] = {}
    for statement in batch:
        group = groups.get(statement.article_id)
        if group is None:
            group = groups[statement.article_id] = ArticleGroup(
                article=statement.article, items=[], pending_in_article=counts.get(statement.article_id, 0)
            )
        group.items.append((statement, statement_paragraph(statement=statement)))
    return list(groups.values())


def statement_pending_ids(*, filters: QueueFilters, article_id: int, limit: int = 1_000) -> list[int]:
    """The ids of an article's statements waiting for review under the queue's filters (a bulk decision's list)."""
    pending = filters.apply(Statement.objects.filter(
        review_state=ReviewState.PENDING, withdrawn_at__isnull=True, article_id=article_id
    ))
    return list(pending.order_by("id").values_list("id", flat=True)[:limit])


def statement_paragraph(*, statement: Statement, width: int = 600) -> tuple[str, str, str]:
    """(before, quoted words, after): the paragraph the statement stands in, cut at a word past `width` a side.

    Paragraphs are the revision's lines (extraction keeps one paragraph a line); a blank line counts as one too.
    """
    text = statement.revision.text
    start, end = statement.start, statement.end
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    before, after = text[lo:start], text[end:hi]
    if len(before) > width:
        before = "…" + before[-width:].split(" ", 1)[-1]
    if len(after) > width:
        after = after[:width].rsplit(" ", 1)[0] + "…"
    return before, text[start:end], after


def statement_review_count_matching(*, filters: QueueFilters, limit: int = 1_000) -> int:
    """How many statements wait under the filters, counted up to `limit` + 1 (shown as "1000+")."""
    pending = filters.apply(Statement.objects.filter(review_state=ReviewState.PENDING, withdrawn_at__isnull=True))
    return pending.order_by()[: limit + 1].count()
