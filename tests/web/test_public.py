"""Public verdict pages: a published claim for anyone without sign-in; everything else stays behind it."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from claims import services
from claims.enums import EvidenceKind, ReviewState, Stance
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory


def _published(editor, *, text="The reservoir was drained on purpose", rationale="Gauges show no drop."):
    claim = ClaimFactory(text=text)
    revision = ArticleRevisionFactory(text="The utility said the reservoir was drained. The mayor denied it.")
    revision.article.canonical_url = f"https://news.example/reservoir-{claim.pk}"
    revision.article.save()
    StatementFactory(revision=revision, claim=claim, party=PartyFactory(name="Water Utility"), start=0, end=43,
                     stance=Stance.ASSERTS, review_state=ReviewState.ACCEPTED)
    StatementFactory(revision=revision, claim=claim, party=PartyFactory(name="City Mayor"), start=44,
                     end=len(revision.text), stance=Stance.DENIES, review_state=ReviewState.ACCEPTED)
    # Not yet checked by an analyst: never on the public page.
    StatementFactory(revision=revision, claim=claim, party=PartyFactory(name="Unchecked Source"), start=44,
                     end=len(revision.text), stance=Stance.CONFIRMS, review_state=ReviewState.PENDING)
    services.evidence_add(claim=claim, actor=editor, kind=EvidenceKind.LINK, url="https://gauges.example/levels",
                          note="River gauge levels", relation="refutes")
    services.claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale=rationale, publish=True)
    claim.refresh_from_db()
    return claim


def test_anyone_reads_a_published_verdict_with_its_claimreview(client, editor):
    claim = _published(editor)
    response = client.get(reverse("claims:public_claim_detail", args=[claim.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    for shown in ("The reservoir was drained on purpose", "Gauges show no drop.", "River gauge levels",
                  "Water Utility", "City Mayor", "https://gauges.example/levels", f"https://news.example/reservoir-{claim.pk}"):
        assert shown in content, shown
    assert "Unchecked Source" not in content
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1))
    assert (data["@type"], data["url"], data["reviewRating"]["alternateName"]) == (
        "ClaimReview", f"http://testserver/verdicts/{claim.pk}/", "False"
    )
    # No way into the signed-in pages from here but the sign-in link.
    assert (reverse("claims:party_list") in content, reverse("login") in content) == (False, True)


def test_an_accepted_statement_its_article_no_longer_has_is_not_on_the_public_page(client, editor):
    claim = _published(editor)
    mayor = claim.statements.get(party__name="City Mayor")
    later = ArticleRevisionFactory(article=mayor.article, number=2, text="The utility said the reservoir was drained.")
    services.statement_withdraw_many(statement_ids=[mayor.pk], revision=later)
    content = client.get(reverse("claims:public_claim_detail", args=[claim.pk])).content.decode()
    assert ("Water Utility" in content, "City Mayor" in content) == (True, False)


def test_the_usual_address_of_a_published_claim_lands_on_its_public_page(client, editor):
    claim = _published(editor)
    response = client.get(reverse("claims:claim_detail", args=[claim.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("claims:public_claim_detail", args=[claim.pk]))


def test_a_signed_in_user_still_gets_the_workspace_page(client, editor, viewer):
    claim = _published(editor)
    client.force_login(viewer)
    response = client.get(reverse("claims:claim_detail", args=[claim.pk]))
    assert (response.status_code, "Verdict history" in response.content.decode()) == (200, True)


def test_an_unpublished_claim_is_not_public(client, editor):
    claim = ClaimFactory()
    services.claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="Draft.", publish=False)
    public = client.get(reverse("claims:public_claim_detail", args=[claim.pk]))
    usual = client.get(reverse("claims:claim_detail", args=[claim.pk]))
    assert (public.status_code, usual.status_code, usual["Location"].startswith(reverse("login"))) == (404, 302, True)
    assert claim.text not in client.get(reverse("claims:public_claim_list")).content.decode()


def test_the_public_index_lists_published_claims_newest_first(client, editor):
    older = _published(editor, text="Older claim about the dam")
    newer = _published(editor, text="Newer claim about the canal")
    ClaimFactory(text="Never published claim")
    response = client.get(reverse("claims:public_claim_list"))
    assert [c.pk for c in response.context["page"].object_list] == [newer.pk, older.pk]
    assert "Never published claim" not in response.content.decode()


@pytest.mark.parametrize("name", [
    "claims:home", "claims:claim_list", "claims:review_queue", "claims:party_list", "sources:article_list",
    "sources:source_list", "sources:run_list",
])
def test_everything_else_stays_behind_sign_in(db, client, name):
    response = client.get(reverse(name))
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)


def test_the_public_page_of_an_unknown_or_merged_claim_is_404(client, editor):
    claim = _published(editor)
    target = ClaimFactory()
    services.claim_merge(source=claim, target=target, actor=editor)
    assert client.get(reverse("claims:public_claim_detail", args=[claim.pk])).status_code == 404
    assert client.get(reverse("claims:public_claim_detail", args=[999_999])).status_code == 404


def test_the_api_serves_claimreview_as_json_ld_when_asked(client, editor):
    claim = _published(editor)
    url = f"/api/v1/claims/{claim.pk}/claimreview/"
    ld = APIClient().get(url, HTTP_ACCEPT="application/ld+json")
    plain = APIClient().get(url)
    assert (ld.status_code, ld["Content-Type"], plain["Content-Type"]) == (
        200, "application/ld+json", "application/json"
    )
    assert json.loads(ld.content) == plain.json()


@pytest.mark.parametrize("page", ["index", "detail"])
def test_public_page_queries_do_not_grow(client, editor, django_assert_num_queries, page):
    first = _published(editor)

    def url():
        if page == "index":
            return reverse("claims:public_claim_list")
        return reverse("claims:public_claim_detail", args=[first.pk])

    def add():
        if page == "index":
            _published(editor, text=f"Another claim {ClaimFactory().pk}")
        else:  # more parties and statements on the same claim, another article
            revision = ArticleRevisionFactory(text="A minister said the reservoir was drained.")
            StatementFactory(revision=revision, claim=first, party=PartyFactory(), start=0, end=len(revision.text),
                             review_state=ReviewState.ACCEPTED)

    client.get(url())
    with CaptureQueriesContext(connection) as one:
        assert client.get(url()).status_code == 200
    add()
    add()
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url()).status_code == 200
