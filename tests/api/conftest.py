"""API test fixtures: clients for each persona, tokens, a small world of every resource."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from claims.services import api_token_create, claim_set_verdict, evidence_add
from sources.services import article_submit_text
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are made per test; the production hasher would spend most of the suite's time hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in Redis across tests (and runs); each test starts with none of its own."""
    client = cache._cache.get_client()
    for key in client.scan_iter(match="*throttle_*"):
        client.delete(key)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_client(user, *, read_write: bool, name: str = "tool") -> APIClient:
    token, raw = api_token_create(user=user, name=name, read_write=read_write)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.token, client.raw_token = token, raw
    return client


@pytest.fixture
def editor_client(editor) -> APIClient:
    return token_client(editor, read_write=True)


@pytest.fixture
def analyst_client(analyst) -> APIClient:
    return token_client(analyst, read_write=True)


@pytest.fixture
def viewer_client(viewer) -> APIClient:
    return token_client(viewer, read_write=False)


@pytest.fixture
def world(db, editor):
    """One of everything the API serves: a published and an unpublished claim, statements, evidence..."""
    outlet = factories.OutletFactory(name="Demo Wire", domain="demo.example")
    feed = factories.FeedFactory(outlet=outlet)
    revision = factories.ArticleRevisionFactory(article__outlet=outlet, article__feed=feed)
    party = factories.PartyFactory(name="Ministry of Defence", parent=factories.PartyFactory(name="Armenia"))
    factories.PartyAliasFactory(party=party, text="Armenian MoD")
    published = factories.ClaimFactory(text="A jet was shot down over the border")
    unpublished = factories.ClaimFactory(text="A bridge was destroyed near the river")
    statement = factories.StatementFactory(revision=revision, party=party, claim=published)
    factories.StatementFactory(revision=revision, party=party, claim=unpublished, stance="denies")
    change = claim_set_verdict(claim=published, actor=editor, verdict="false", rationale="Debunked", publish=True)
    evidence = evidence_add(claim=published, actor=editor, kind="link", url="https://example.org/proof")
    run = article_submit_text(title="Pasted", text="Officials said the road was closed.", submitted_by=editor)
    return {
        "outlet": outlet, "feed": feed, "article": revision.article, "revision": revision, "party": party,
        "published": published, "unpublished": unpublished, "statement": statement, "change": change,
        "evidence": evidence, "run": run,
    }

