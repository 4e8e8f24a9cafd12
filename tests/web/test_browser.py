"""The analysts' workspace in headless Chromium against the live server: the main journeys, by role."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from claims.enums import Origin, ReviewState, Stance, Verdict
from claims.models import Claim, Statement
from sources.models import IngestionRun
from tests.factories import (
    ArticleFactory,
    ArticleRevisionFactory,
    ClaimFactory,
    FeedFactory,
    IngestionItemFactory,
    IngestionRunFactory,
    OutletFactory,
    PartyFactory,
    StatementFactory,
)
from tests.web.conftest import ARTIFACTS, CHROMIUM, DESKTOP, PHONE

playwright_api = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct horse battery"

pytestmark = pytest.mark.skipif(not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM),
                                reason="needs Debian's chromium (apt-get install -y chromium)")


def sign_in(page, user, then: str = "/"):
    page.goto(f"{reverse('login')}?next={then}")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(then.split("?")[0]) + r"(\?.*)?$"))


def shoot(page, name: str) -> int:
    """A full-page screenshot under test-artifacts/; returns its width in pixels (from the PNG header)."""
    ARTIFACTS.mkdir(exist_ok=True)
    png = page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return int.from_bytes(png[16:20], "big")


def matrix_row(page, party: str):
    return page.locator(f'table.matrix tr[data-party="{party}"]')


# --- Journeys -----------------------------------------------------------------------------------


def test_analyst_searches_opens_the_claim_and_follows_a_statement(transactional_db, seeded, analyst, new_page):
    page = new_page()
    sign_in(page, analyst)
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_label("Search claims").fill("F-16")
    # htmx replaces the results and puts the search in the address, so the view can be shared.
    page.wait_for_url(re.compile(r"q=F-16"))
    results = page.locator("#results article.claim-row")
    results.first.wait_for()
    assert results.count() == 1
    results.first.get_by_role("link").click()

    f16 = Claim.objects.get(slug="f16-shootdown")
    page.wait_for_url(f"**{reverse('claims:claim_detail', args=[f16.pk])}")
    assert "F-16" in page.locator("h1").inner_text()
    armenia = matrix_row(page, "Armenia")
    assert armenia.locator('td[data-stance="asserts"]').inner_text().split()[0] == "1"
    ministry = matrix_row(page, "Ministry of Defence of Armenia")
    assert ministry.locator('td[data-stance="asserts"]').inner_text().split()[0] == "2"
    assert "part of Armenia" in ministry.inner_text()
    for denier in ("Turkey", "Azerbaijan"):
        assert matrix_row(page, denier).locator('td[data-stance="denies"] .count').count() == 1
        assert matrix_row(page, denier).locator('td[data-stance="asserts"] .count').count() == 0

    statement = Statement.objects.filter(claim=f16, party__slug="turkey").order_by("id").first()
    page.locator(f"#statement-{statement.pk} a.statement-link").click()
    page.wait_for_url(re.compile(rf"/articles/{statement.article_id}/.*#s-{statement.pk}$"))
    highlighted = page.locator("mark.is-target")
    highlighted.first.wait_for()
    assert highlighted.first.is_visible()
    assert " ".join(highlighted.all_inner_texts()).split() == statement.quote.split()
    highlighted.first.focus()  # speaker and claim show on focus as on hover
    page.screenshot(path=str(ARTIFACTS / "desktop-article-followed.png"))
    assert page.dialogs == []


def test_editor_sets_a_verdict_and_sees_it_in_the_history(transactional_db, seeded, editor, new_page):
    f16 = Claim.objects.get(slug="f16-shootdown")
    page = new_page()
    sign_in(page, editor, then=reverse("claims:claim_detail", args=[f16.pk]))
    page.get_by_text("Set the verdict").click()
    page.get_by_label("Verdict", exact=True).select_option(Verdict.FALSE.value)
    page.get_by_label("Rationale").fill("Turkey and Azerbaijan denied it and no wreckage was ever shown.")
    page.get_by_label("Publish this verdict").check()
    page.get_by_role("button", name="Save verdict").click()
    page.wait_for_url(re.compile(r"#history$"))
    history = page.locator("#history li").first
    assert "no wreckage was ever shown" in history.inner_text()
    assert "ed-editor" in history.inner_text()
    assert page.locator(".claim-head .badge").first.inner_text() == "False"
    f16.refresh_from_db()
    assert (f16.verdict, f16.verdict_published_at is not None) == (Verdict.FALSE, True)


def test_editor_told_when_someone_else_changed_the_claim_first(transactional_db, seeded, editor, new_page):
    from claims import services

    f16 = Claim.objects.get(slug="f16-shootdown")
    page = new_page()
    sign_in(page, editor, then=reverse("claims:claim_detail", args=[f16.pk]))
    # Another editor changes the claim while this page is open.
    services.claim_set_verdict(claim=f16, actor=editor, verdict=Verdict.IN_REVIEW, rationale="Checking sources.")
    page.get_by_text("Set the verdict").click()
    page.get_by_label("Verdict", exact=True).select_option(Verdict.CONFIRMED.value)
    page.get_by_label("Rationale").fill("Confirmed by a second source.")
    page.get_by_role("button", name="Save verdict").click()
    alert = page.locator("#verdict [role=alert]")
    alert.wait_for()
    assert "Someone else changed this claim" in alert.inner_text()
    f16.refresh_from_db()
    assert f16.verdict == Verdict.IN_REVIEW


def test_review_queue_with_the_keyboard(transactional_db, analyst, new_page):
    claim = ClaimFactory(text="The dam was breached")
    party = PartyFactory(name="Ruritania")
    texts = ["First: officials said the dam was breached.", "Second: a spokesman said the dam was breached.",
             "Third: the army said the dam was breached."]
    pending = [
        StatementFactory(revision=ArticleRevisionFactory(text=text), claim=claim, party=party, start=0, end=len(text))
        for text in texts
    ]
    page = new_page()
    sign_in(page, analyst, then=reverse("claims:review_queue"))
    assert page.locator("#queue .review-item").count() == 3
    page.keyboard.press("a")  # accept the first
    page.get_by_text("Accepted:").wait_for()
    assert page.locator("#queue .review-item").count() == 2
    page.keyboard.press("j")  # move to the third
    page.keyboard.press("r")  # reject it
    page.get_by_text("Rejected:").wait_for()
    assert page.locator("#queue .review-item").count() == 1
    assert page.locator("#pending-count").inner_text() == "1"
    states = [Statement.objects.get(pk=s.pk).review_state for s in pending]
    assert states == [ReviewState.ACCEPTED, ReviewState.PENDING, ReviewState.REJECTED]
    page.keyboard.press("r")
    page.get_by_text("The queue is empty").wait_for()
    assert page.dialogs == []


def test_viewer_cannot_change_anything(transactional_db, seeded, viewer, new_page):
    f16 = Claim.objects.get(slug="f16-shootdown")
    page = new_page()
    sign_in(page, viewer, then=reverse("claims:claim_detail", args=[f16.pk]))
    # The one form a viewer gets is watching the claim: their own notifications, nothing of the tracker's.
    forms = page.locator("main form")
    assert [forms.nth(i).get_attribute("action") for i in range(forms.count())] == [
        reverse("claims:claim_watch", args=[f16.pk])
    ]
    assert page.get_by_role("link", name="Review").count() == 0
    # Straight to the server, with a valid CSRF token: refused all the same.
    statuses = page.evaluate(
        """async (urls) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const out = [];
            for (const [url, body] of urls) {
                const response = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token,
                    'Content-Type': 'application/x-www-form-urlencoded'}, body});
                out.push(response.status);
            }
            return out;
        }""",
        [
            [reverse("claims:claim_set_verdict", args=[f16.pk]),
             f"verdict=false&rationale=nope&publish=on&version={f16.version}"],
            [reverse("claims:claim_edit", args=[f16.pk]), f"text=changed&kind=factual&tags=&version={f16.version}"],
            [reverse("claims:claim_add_evidence", args=[f16.pk]), "kind=link&relation=supports&url=https://x.org"],
            [reverse("claims:review_bulk"), "action=reject&statements=1"],
        ],
    )
    assert statuses == [403, 403, 403, 403]
    f16.refresh_from_db()
    assert (f16.verdict, f16.text.startswith("A Turkish F-16"), f16.evidence.count()) == (Verdict.UNVERIFIED, True, 0)
    # And without the token, Django's CSRF check refuses even an editor's browser.
    no_token = page.evaluate(
        "async (url) => (await fetch(url, {method: 'POST', body: new URLSearchParams({verdict: 'false'})})).status",
        reverse("claims:claim_set_verdict", args=[f16.pk]),
    )
    assert no_token == 403


HOSTILE = (
    "Officials said <script>alert('xss')</script> the depot burned.\n\n"
    'A witness said <img src=x onerror="alert(document.cookie)"> it was <b>huge</b>.'
)


def test_hostile_article_renders_inert(transactional_db, analyst, new_page):
    claim = ClaimFactory(text="The depot <em>burned</em> <script>alert('claim')</script>")
    party = PartyFactory(name="<img src=x onerror=alert('party')>")
    revision = ArticleRevisionFactory(
        text=HOSTILE, article=ArticleFactory(title="<script>alert('title')</script> Depot fire")
    )
    statement = StatementFactory(
        revision=revision, claim=claim, party=party, start=0, end=HOSTILE.index("\n"), origin=Origin.EXTRACTED,
        review_state=ReviewState.PENDING, stance=Stance.ASSERTS,
    )
    page = new_page()
    sign_in(page, analyst)
    page.goto(reverse("sources:article_detail", args=[revision.article_id]) + f"#s-{statement.pk}")
    text = page.locator("#article-text")
    assert text.inner_text().split() == HOSTILE.split()
    assert text.locator("script, img, b").count() == 0
    assert page.locator("h1").inner_text() == "<script>alert('title')</script> Depot fire"
    page.locator("mark.st").first.hover()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desktop-article-hostile.png"))
    for url in (reverse("claims:review_queue"), reverse("claims:claim_detail", args=[claim.pk]),
                reverse("claims:claim_list") + "?q=depot"):
        page.goto(url)
        assert page.locator("main img").count() == 0
        assert "<script>alert('claim')</script>" in page.locator("main").inner_text()
    assert page.dialogs == []


# --- Screenshots: looked at by a person, kept under test-artifacts/ ------------------------------


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_the_main_pages(transactional_db, seeded, editor, new_page, label, viewport):
    f16 = Claim.objects.get(slug="f16-shootdown")
    StatementFactory(
        revision=f16.statements.first().revision, claim=f16, party=PartyFactory(name="Unnamed source"),
        start=0, end=40, stance=Stance.QUESTIONS, origin=Origin.EXTRACTED, review_state=ReviewState.PENDING,
    )
    _sources_with_health()
    page = new_page(viewport)
    page.goto(reverse("login"))
    shoot(page, f"{label}-sign-in")
    sign_in(page, editor)
    pages = {
        "dashboard": reverse("claims:home"),
        "claims": reverse("claims:claim_list") + "?contested=yes",
        "claim": reverse("claims:claim_detail", args=[f16.pk]),
        "review": reverse("claims:review_queue"),
        "article": reverse("sources:article_detail", args=[f16.statements.first().article_id]),
        "party": reverse("claims:party_detail", args=["armenia"]),
        "parties": reverse("claims:party_list"),
        "sources": reverse("sources:source_list"),
        "run": reverse("sources:run_detail", args=[IngestionRun.objects.order_by("pk").first().pk]),
    }
    too_wide = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, name
        # Nothing may push the page sideways: wide tables scroll inside their own box.
        if shoot(page, f"{label}-{name}") > viewport["width"]:
            too_wide[name] = page.evaluate(WIDER_THAN_VIEWPORT)
    assert (too_wide, page.dialogs) == ({}, [])


def _sources_with_health():
    """An outlet with a healthy and a failing feed, and a finished run with one failed item."""
    from django.utils import timezone

    outlet = OutletFactory(name="Demo Wire", domain="demo-wire.example")
    FeedFactory(outlet=outlet, title="Demo Wire: world", last_success_at=timezone.now())
    FeedFactory(outlet=outlet, title="Demo Wire: region", consecutive_failures=3,
                last_error="HTTP 503 from demo-wire.example")
    run = IngestionRunFactory(kind="url_batch", found=2, new=1, failed=1, status="partial",
                                      finished_at=timezone.now())
    IngestionItemFactory(run=run, url="https://demo-wire.example/news/1", status="new",
                                 article=Claim.objects.get(slug="f16-shootdown").statements.first().article)
    IngestionItemFactory(run=run, url="https://demo-wire.example/news/2", status="failed",
                                 error="HTTP 404: the page is gone")


WIDER_THAN_VIEWPORT = """() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll('body *'))
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(0, 8).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right));
}"""
