"""Triage in the review queue, in headless Chromium: filter, work an article as a group, undo with `u`."""

from __future__ import annotations

import re

from django.urls import reverse

from claims.enums import ReviewState, Stance
from claims.models import Statement
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory
from tests.web.conftest import PHONE
from tests.web.test_browser import shoot, sign_in

TEXT = (
    "Storm report.\n"
    "The mayor said the seawall held through the night, and the harbour master agreed with her.\n"
    "Later paragraph."
)


def _story(party, confidences):
    revision = ArticleRevisionFactory(text=TEXT)
    start, end = TEXT.index("The mayor"), TEXT.index(", and the")
    claim = ClaimFactory(text="The seawall held")
    stances = [Stance.ASSERTS, Stance.CONFIRMS, Stance.QUESTIONS]
    return [
        StatementFactory(revision=revision, start=start, end=end, party=party, claim=claim, stance=stances[i],
                         confidence=c)
        for i, c in enumerate(confidences)
    ]


def _states(statements):
    return [Statement.objects.get(pk=s.pk).review_state for s in statements]


def test_analyst_filters_accepts_an_article_and_undoes_with_u(transactional_db, analyst, new_page):
    mayor = PartyFactory(name="Harbour Town Council")
    first = _story(mayor, [0.4, 0.5, 0.6])
    second = _story(PartyFactory(name="Coast Guard"), [0.95])
    page = new_page()
    sign_in(page, analyst, then=reverse("claims:review_queue"))
    assert page.locator("#queue .review-article").count() == 2
    # The paragraph around the statement, not only its sentence.
    assert "and the harbour master agreed with her." in page.locator("#queue .review-item .context").first.inner_text()
    shoot(page, "triage-queue")

    page.get_by_label("Confidence to").fill("0.7")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"confidence_max=0.7"))
    page.locator("#matching-count").get_by_text("3 match the filters").wait_for()
    assert page.locator("#queue .review-article").count() == 1
    shoot(page, "triage-filtered")

    page.get_by_role("button", name="Accept all 3").click()
    page.get_by_text("3 statements accepted.").wait_for()
    assert _states(first) == [ReviewState.ACCEPTED] * 3
    shoot(page, "triage-accepted-with-undo")

    page.keyboard.press("u")
    page.get_by_text("Undone: 3 statements back as before.").wait_for()
    assert (_states(first), _states(second)) == ([ReviewState.PENDING] * 3, [ReviewState.PENDING])
    assert page.locator("#queue .review-item").count() == 3  # still filtered after the undo
    assert page.dialogs == []


def test_confirmation_is_whole_on_a_phone(transactional_db, analyst, new_page):
    words = ("the seawall held through the night although the storm surge was the highest recorded in the harbour "
             "since the records began more than a century ago")
    revision = ArticleRevisionFactory(text=f"The mayor said {words}.")
    mayor = PartyFactory(name="Mayor")
    statement = StatementFactory(revision=revision, start=0, end=len(revision.text) - 1, party=mayor)
    page = new_page(PHONE)
    sign_in(page, analyst, then=reverse("claims:review_queue"))
    page.keyboard.press("r")
    confirmation = page.locator(".confirmation span").first
    confirmation.wait_for()
    assert confirmation.inner_text() == f"Rejected: Mayor — “{statement.quote}”"
    box = confirmation.bounding_box()
    # Wrapped inside the viewport, not cut off or pushed sideways.
    assert (box["x"] >= 0, box["x"] + box["width"] <= PHONE["width"], box["height"] > 20) == (True, True, True)
    assert shoot(page, "triage-phone-confirmation") <= PHONE["width"]
    page.keyboard.press("u")
    page.get_by_text("Undone: 1 statement back as before.").wait_for()
    assert _states([statement]) == [ReviewState.PENDING]
