"""Fixtures of the page tests: a small tracker built from factories, and headless Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from claims.enums import Origin, ReviewState, Stance
from tests.factories import (
    ArticleFactory,
    ArticleRevisionFactory,
    ClaimFactory,
    FeedFactory,
    IngestionRunFactory,
    PartyFactory,
    StatementFactory,
)

# pytest-django's live_server runs in a thread while Playwright's sync API runs an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# Here rather than in one test module: a session-scoped browser imported into two modules would start twice.
@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages in their own browser contexts (own cookies); every dialog is recorded and dismissed."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tracker(db):
    """One of everything the pages show: a party under a state, a claim asserted and denied, a feed, a run."""

    state = PartyFactory(name="Ruritania", slug="ruritania")
    ministry = PartyFactory(name="Ruritanian Defence Ministry", slug="ruritania-mod", parent=state)
    rival = PartyFactory(name="Borduria", slug="borduria")
    claim = ClaimFactory(text="A bridge over the Vltava was destroyed by shelling", tags=["bridges"])
    revision = ArticleRevisionFactory(
        text="The ministry said the bridge was destroyed. Borduria denied that the bridge was hit at all."
    )
    asserted = StatementFactory(
        revision=revision, party=ministry, claim=claim, stance=Stance.ASSERTS, start=0, end=42,
        origin=Origin.ANALYST, review_state=ReviewState.ACCEPTED,
    )
    denied = StatementFactory(
        revision=revision, party=rival, claim=claim, stance=Stance.DENIES, start=44, end=len(revision.text),
        origin=Origin.ANALYST, review_state=ReviewState.ACCEPTED,
    )
    feed = FeedFactory(outlet=revision.article.outlet)
    run = IngestionRunFactory(kind="manual")
    return {
        "state": state, "ministry": ministry, "rival": rival, "claim": claim, "revision": revision,
        "article": revision.article, "asserted": asserted, "denied": denied, "feed": feed, "run": run,
    }


@pytest.fixture
def pending(tracker):
    """A machine-made statement waiting for review."""
    revision = ArticleRevisionFactory(
        article=ArticleFactory(outlet=tracker["article"].outlet),
        text="Officials in Ruritania claimed that the bridge over the Vltava was destroyed overnight.",
    )
    return StatementFactory(
        revision=revision, party=tracker["state"], claim=tracker["claim"], stance=Stance.ASSERTS, start=0,
        end=len(revision.text), origin=Origin.EXTRACTED, review_state=ReviewState.PENDING, confidence=0.7,
    )
