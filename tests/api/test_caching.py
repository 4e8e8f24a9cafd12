"""The API read cache (core/api/caching.py): answers kept under the data version are never stale.

These tests commit for real (transactional_db): inside a test's transaction the cache stands aside on purpose.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.services import claim_set_verdict
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim(db):
    return factories.ClaimFactory(text="A jet was shot down over the border")


def _get(client, path: str, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200, response.content
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_repeated_read_is_answered_from_the_cache_without_reading_the_claims(analyst_client, claim):
    first, first_sql = _get(analyst_client, "/api/v1/claims/")
    second, second_sql = _get(analyst_client, "/api/v1/claims/")

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == "application/json"
    assert any("claims_claim" in sql for sql in first_sql)
    assert not any("claims_claim" in sql for sql in second_sql)


def test_a_detail_keeps_its_etag_when_answered_from_the_cache(analyst_client, claim):
    first, _ = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")
    second, _ = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")

    assert second["X-Cache"] == "hit"
    assert (second["ETag"], second.json()) == (first["ETag"], first.json())


def test_a_change_committed_elsewhere_is_seen_at_once(analyst_client, claim, settings):
    """A fix made in psql (or by the worker): no code of ours ran, and the next read still sees it."""
    _get(analyst_client, f"/api/v1/claims/{claim.pk}/")
    assert _get(analyst_client, f"/api/v1/claims/{claim.pk}/")[0]["X-Cache"] == "hit"

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("UPDATE claims_claim SET text = %s WHERE id = %s", ("A jet was shot down at sea", claim.pk))

    after, _ = _get(analyst_client, f"/api/v1/claims/{claim.pk}/")
    assert (after["X-Cache"], after.json()["text"]) == ("miss", "A jet was shot down at sea")


def test_a_verdict_set_through_the_service_is_seen_by_the_next_list(analyst_client, editor, claim):
    _get(analyst_client, "/api/v1/claims/")
    claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="Debunked", publish=True)

    after, _ = _get(analyst_client, "/api/v1/claims/")

    assert after["X-Cache"] == "miss"
    assert [c["verdict"] for c in after.json()["results"]] == ["false"]


def test_each_caller_has_answers_of_their_own(analyst_client, api, claim):
    """The anonymous public sees published verdicts only: an analyst's cached list must never reach them."""
    analyst_list, _ = _get(analyst_client, "/api/v1/claims/")
    public_list, _ = _get(api, "/api/v1/claims/")

    assert [c["id"] for c in analyst_list.json()["results"]] == [claim.pk]
    assert (public_list["X-Cache"], public_list.json()["results"]) == ("miss", [])


def test_the_browsable_api_is_never_cached(analyst_client, claim):
    """Its HTML carries the user's name and a CSRF token."""
    for _ in range(2):
        response, _ = _get(analyst_client, "/api/v1/claims/", HTTP_ACCEPT="text/html")
        assert "X-Cache" not in response


def test_errors_are_not_cached(analyst_client, claim):
    for _ in range(2):
        missing = analyst_client.get("/api/v1/claims/999999/")
        assert (missing.status_code, missing.headers.get("X-Cache")) == (404, None)


def test_the_cache_can_be_turned_off(analyst_client, claim, settings):
    settings.API_CACHE_SECONDS = 0
    for _ in range(2):
        assert "X-Cache" not in _get(analyst_client, "/api/v1/claims/")[0]


def test_inside_a_transaction_the_cache_stands_aside(analyst_client, claim):
    """A transaction's own uncommitted writes may never commit: nothing is kept or answered from the cache."""
    from django.db import transaction

    with transaction.atomic():
        _get(analyst_client, "/api/v1/claims/")
        claim.text = "Changed inside the transaction"
        claim.save(update_fields=["text"])
        inside, _ = _get(analyst_client, "/api/v1/claims/")

    assert "X-Cache" not in inside
    assert inside.json()["results"][0]["text"] == "Changed inside the transaction"
