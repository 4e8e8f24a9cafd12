"""What the selector modules share: the statements that count on the pages and the order stances are listed in."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.enums import ReviewState, Stance
from claims.models import Statement

_STANCE_ORDER = {stance.value: i for i, stance in enumerate(Stance)}


# Statements that count on the pages: everything but what an analyst rejected.
def _counted_statements() -> QuerySet[Statement]:
    return Statement.objects.exclude(review_state=ReviewState.REJECTED)
