"""Reads of the review queue: pending statements, their count and the page of them an analyst works through."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from claims.enums import ReviewState
from claims.models import Statement
from claims.selectors.dashboard import tally_counts
from sources.models import ArticleRevision


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
    pending = statement_list_pending().select_related("party__parent").prefetch_related(
        Prefetch("revision", queryset=ArticleRevision.objects.only("id", "article_id", "number", "text"))
    )
    if after_id is not None:
        pending = pending.filter(pk__gt=after_id)
    return list(pending[:limit])
