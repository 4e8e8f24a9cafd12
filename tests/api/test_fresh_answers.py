"""API answers are made from the database on every request (no read cache: docs/architecture.md, "The read
cache"): a write committed anywhere is in the next answer, each caller gets their own, and a detail's ETag
names the version of what it shows.

These tests commit for real (transactional_db), so a write from another session is visible as in production.
"""

from __future__ import annotations

import psycopg
import pytest

from claims.services import claim_set_verdict
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim(db):
    return factories.ClaimFactory(text="A jet was shot down over the border")


def _get(client, path: str, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, response.content
    assert "X-Cache" not in response
    return response


def test_a_change_committed_elsewhere_is_seen_at_once(analyst_client, claim, settings):
    """A fix made in psql (or by the worker): no code of ours ran, and the next read sees it."""
    first = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("UPDATE claims_claim SET text = %s WHERE id = %s", ("A jet was shot down at sea", claim.pk))

    after = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")

    assert (first.json()["text"], after.json()["text"]) == ("A jet was shot down over the border",
                                                            "A jet was shot down at sea")


def test_a_verdict_set_through_the_service_is_seen_by_the_next_list_and_moves_the_etag(analyst_client, editor, claim):
    before = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")
    _get(analyst_client, "/api/v1/claims/")
    claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="Debunked", publish=True)

    listed = _get(analyst_client, "/api/v1/claims/")
    after = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")

    assert [c["verdict"] for c in listed.json()["results"]] == ["false"]
    assert (before["ETag"], after["ETag"]) == (f'"claim-{claim.pk}-v1"', f'"claim-{claim.pk}-v2"')


def test_each_caller_has_answers_of_their_own(analyst_client, api, claim):
    """The anonymous public sees published verdicts only: an analyst's list must never reach them."""
    analyst_list = _get(analyst_client, "/api/v1/claims/")
    public_list = _get(api, "/api/v1/claims/")

    assert [c["id"] for c in analyst_list.json()["results"]] == [claim.pk]
    assert public_list.json()["results"] == []
