"""Fixtures of the page tests: a small tracker built from factories (headless Chromium is tests/conftest.py's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claims.enums import Origin, ReviewState, Stance
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: F401 -- the browser tests import them from here
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
