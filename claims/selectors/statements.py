"""Reads of statements: one or a few by id, the newest, a revision's, counts per article, and a statement's context."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from claims.enums import ReviewState
from claims.models import Statement
from claims.selectors._common import _counted_statements


def statement_list_newest(*, limit: int = 8) -> list[Statement]:
    return list(
        _counted_statements().select_related("party", "claim", "article__outlet").order_by("-created_at", "-id")[
            :limit
        ]
    )


def statement_context(*, statement: Statement, width: int = 240) -> tuple[str, str, str]:
    """(before, quoted words, after) around a statement, cut at sentence or word boundaries."""
    text = statement.revision.text
    start, end = statement.start, statement.end
    lo = max(0, start - width)
    before = text[lo:start]
    cut = max(before.rfind(". "), before.rfind("\n"))
    if cut >= 0:
        before = before[cut + 1 :].lstrip()
    elif lo > 0:
        before = "…" + before.split(" ", 1)[-1]
    after = text[end : end + width]
    stop = min((i for i in (after.find(". "), after.find("\n")) if i >= 0), default=-1)
    if stop >= 0:
        after = after[: stop + 1]
    elif end + width < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return before, text[start:end], after


def statement_list_for_revision(*, revision) -> QuerySet[Statement]:
    """Every statement found in a revision (rejected ones left out), in text order, for the article reader, which
    shows them a page at a time; an earlier revision shows those withdrawn since too (its text had them)."""
    return (
        Statement.objects.exclude(review_state=ReviewState.REJECTED)
        .filter(revision=revision)
        .select_related("party", "claim")
        .order_by("start", "-end", "id")
    )


def statement_get(*, pk: int) -> Statement:
    return Statement.objects.select_related("party").get(pk=pk)


def statement_list_by_ids(*, ids: list[int]) -> list[Statement]:
    return list(Statement.objects.filter(pk__in=ids).order_by("pk"))


def statement_count_per_article() -> Coalesce:
    """How many statements (rejected and withdrawn ones left out) an article holds, as a per-row subquery on articles.

    Correlated, so that only the page's rows are counted: a JOIN with GROUP BY counts the statements of every
    article before the page can be taken (docs/architecture.md, "Reads").
    """
    counted = (
        Statement.objects.filter(article=OuterRef("pk"))
        .exclude(review_state=ReviewState.REJECTED)
        .filter(withdrawn_at__isnull=True)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
