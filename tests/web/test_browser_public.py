"""The public verdict pages in headless Chromium: a visitor without an account follows a shared link."""

from __future__ import annotations

import json

from django.urls import reverse

from claims import services
from claims.enums import ReviewState, Stance
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory
from tests.web.conftest import PHONE
from tests.web.test_browser import shoot


def test_visitor_opens_a_shared_claim_link_and_reads_the_verdict(transactional_db, editor, new_page):
    claim = ClaimFactory(text="The old lighthouse was demolished by the port authority")
    revision = ArticleRevisionFactory(text="The port authority said it demolished the lighthouse.")
    StatementFactory(revision=revision, claim=claim, party=PartyFactory(name="Port Authority"), start=0,
                     end=len(revision.text), stance=Stance.ASSERTS, review_state=ReviewState.ACCEPTED)
    services.claim_set_verdict(claim=claim, actor=editor, verdict="confirmed",
                               rationale="Photographs from the site show the empty plinth.", publish=True)
    ClaimFactory(text="An unpublished draft claim")
    for label, viewport in (("desktop", None), ("phone", PHONE)):
        page = new_page(viewport) if viewport else new_page()
        page.goto(reverse("claims:claim_detail", args=[claim.pk]))  # the workspace address someone shared
        page.get_by_role("heading", name=claim.text).wait_for()
        assert page.url.endswith(reverse("claims:public_claim_detail", args=[claim.pk]))
        assert page.get_by_text("Photographs from the site show the empty plinth.").is_visible()
        assert page.locator(".public-who li").first.inner_text() == "Port Authority asserts · 1 statement"
        data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
        assert (data["@type"], data["reviewRating"]["alternateName"]) == ("ClaimReview", "Confirmed")
        assert shoot(page, f"public-{label}-verdict") <= (viewport or {"width": 1280})["width"]
        page.get_by_role("link", name="← Published verdicts").click()
        page.get_by_role("heading", name="Published verdicts").wait_for()
        assert (page.get_by_text(claim.text).count(), page.get_by_text("An unpublished draft claim").count()) == (1, 0)
        shoot(page, f"public-{label}-index")
        # The workspace stays closed: its dashboard asks for sign-in.
        page.goto(reverse("claims:home"))
        page.get_by_label("User name").wait_for()
        assert page.dialogs == []
