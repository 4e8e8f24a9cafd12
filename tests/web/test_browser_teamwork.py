"""Teamwork in headless Chromium: an analyst takes a claim, leaves a note, watches it, and is told of news."""

from __future__ import annotations

import time

from django.urls import reverse

from claims import services
from claims.enums import Stance
from claims.models import Notification
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory
from tests.web.test_browser import shoot, sign_in


def test_analyst_assigns_notes_watches_and_reads_a_notification(celery_worker, analyst, editor, new_page):
    claim = ClaimFactory(text="The ferry service was suspended for the winter")
    page = new_page()
    page.set_default_timeout(45_000)  # the claim page's first similar-claims lookup loads the analysis models
    sign_in(page, analyst, then=reverse("claims:claim_detail", args=[claim.pk]))
    page.get_by_label("Assign to").select_option(label="ana-analyst (me)")
    page.get_by_role("button", name="Assign").click()
    page.get_by_text("Assigned to ana-analyst.").wait_for()
    page.get_by_label("Add a note").fill("Asked the ferry operator for the timetable.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    assert "Asked the ferry operator for the timetable." in page.locator("#notes").inner_text()
    page.get_by_role("button", name="Watch this claim").click()
    page.get_by_role("button", name="Stop watching").wait_for()
    shoot(page, "teamwork-claim")

    # Elsewhere: a new statement about it is saved, and an editor sets its verdict.
    revision = ArticleRevisionFactory(text="The operator said the ferry service was suspended.")
    services.statement_create(revision=revision, start=0, end=len(revision.text), stance=Stance.ASSERTS,
                              origin="extracted", party=PartyFactory(name="Ferry Operator"), claim=claim)
    services.claim_set_verdict(claim=claim, actor=editor, verdict="confirmed", rationale="Timetable.", publish=False)
    deadline = time.monotonic() + 30
    while Notification.objects.filter(user=analyst).count() < 2:
        assert time.monotonic() < deadline, "the worker did not make both notifications"
        time.sleep(0.2)

    page.goto(reverse("claims:home"))
    assert page.locator("#my-claims").get_by_text(claim.text).count() == 1
    page.locator("#unread-notifications").get_by_text("2").wait_for()
    shoot(page, "teamwork-dashboard")
    page.locator("#unread-notifications").click()
    page.get_by_text("Ferry Operator asserts “The ferry service was suspended for the winter”").wait_for()
    page.get_by_text("Verdict on “The ferry service was suspended for the winter”: Unverified → Confirmed").wait_for()
    shoot(page, "teamwork-notifications")
    page.get_by_role("button", name="Mark all read").click()
    page.get_by_text("2 notifications marked read.").wait_for()
    assert page.dialogs == []
