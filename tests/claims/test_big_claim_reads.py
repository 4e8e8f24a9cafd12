"""A claim quoted many times: the parts of its page that list a few statements read those, not all of them."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from claims.enums import ReviewState
from claims.models import Statement
from claims.selectors import claim_withdrawn_statements
from tests.factories import ArticleRevisionFactory, ClaimFactory, StatementFactory

pytestmark = pytest.mark.django_db


def _rows_read(node, table: str) -> float:
    """Rows a plan took out of `table`, those its filters dropped included."""
    own = 0.0
    if node.get("Relation Name") == table:
        own = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
               + node.get("Rows Removed by Index Recheck", 0)) * node["Actual Loops"]
    return own + sum(_rows_read(child, table) for child in node.get("Plans", []))


def test_the_withdrawn_statements_of_a_big_claim_are_read_from_their_own_index():
    claim = ClaimFactory()
    revision = ArticleRevisionFactory(text="The ministry said the bridge was destroyed. " * 400)
    StatementFactory.create_batch(400, claim=claim, revision=revision, start=0, end=43)
    later = ArticleRevisionFactory(article=revision.article, number=2, text="The ministry said nothing.")
    Statement.objects.filter(pk__in=list(claim.statements.values_list("pk", flat=True)[:2])).update(
        withdrawn_at=timezone.now(), withdrawn_in=later
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_statement")
    statements, more = claim_withdrawn_statements(claim=claim)
    query = (  # the selector's query
        Statement.objects.filter(claim=claim, withdrawn_at__isnull=False).exclude(review_state=ReviewState.REJECTED)
        .select_related("party", "article__outlet", "revision", "withdrawn_in").order_by("-withdrawn_at", "-id")[:51]
    )

    plan = json.loads(query.explain(format="json", analyze=True))[0]["Plan"]

    assert (len(statements), more) == (2, False)
    assert _rows_read(plan, "claims_statement") == 2  # not the claim's 400
