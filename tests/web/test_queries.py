"""Every list page costs the same number of queries for 1 item as for 3: no query per row (N+1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.enums import Origin, ReviewState, Stance
from sources.models import Article
from tests.factories import (
    ArticleRevisionFactory,
    ClaimFactory,
    FeedFactory,
    IngestionItemFactory,
    IngestionRunFactory,
    OutletFactory,
    PartyFactory,
    StatementFactory,
)


def _claim_with_statements(claim=None):
    """A claim asserted by a party under a parent and denied by another, in its own article."""
    claim = claim or ClaimFactory(tags=["t"])
    parent = PartyFactory()
    revision = ArticleRevisionFactory(text="Officials said the bridge fell. Others denied the bridge fell at all.")
    StatementFactory(revision=revision, claim=claim, party=PartyFactory(parent=parent), start=0, end=31,
                     origin=Origin.ANALYST, review_state=ReviewState.ACCEPTED)
    StatementFactory(revision=revision, claim=claim, stance=Stance.DENIES, start=32, end=len(revision.text),
                     origin=Origin.ANALYST, review_state=ReviewState.ACCEPTED)
    return claim


def _pending_statement():
    return StatementFactory(party=PartyFactory(parent=PartyFactory()))


def _statement_for_claim(claim):
    return StatementFactory(claim=claim, party=PartyFactory(parent=PartyFactory()), review_state=ReviewState.ACCEPTED)


def _dashboard_item():
    """A contested claim in an article of a status and a day of its own: the dashboard's panels all grow."""
    claim = _claim_with_statements()
    n = Article.objects.count()
    Article.objects.filter(statements__claim=claim).update(
        status=("queued", "fetched", "failed", "analysed")[n % 4],
        published_at=timezone.now() - dt.timedelta(days=n, hours=3),
    )
    return claim


def _outlet_with_feeds():
    outlet = OutletFactory()
    FeedFactory(outlet=outlet)
    FeedFactory(outlet=outlet, consecutive_failures=2, last_error="HTTP 503")
    return outlet


def _run():
    return IngestionRunFactory(kind="feed_poll", feed=FeedFactory())


# (page, how to add one item, what the page needs from the first item for its URL)
LISTS = {
    "claims": ("claims:claim_list", lambda ctx: _claim_with_statements(), None),
    "claims-filtered": ("claims:claim_list", lambda ctx: _claim_with_statements(), "?q=bridge&contested=yes&tag=t"),
    "parties": ("claims:party_list", lambda ctx: PartyFactory(parent=PartyFactory()), None),
    "articles": ("sources:article_list", lambda ctx: StatementFactory().article, None),
    "review-queue": ("claims:review_queue", lambda ctx: _pending_statement(), None),
    "review-queue-filtered": (
        "claims:review_queue", lambda ctx: _pending_statement(), "?origin=extracted&confidence_min=0.5&confidence_max=1"
    ),
    "dashboard": ("claims:home", lambda ctx: _dashboard_item(), None),
    "sources": ("sources:source_list", lambda ctx: _outlet_with_feeds(), None),
    "runs": ("sources:run_list", lambda ctx: _run(), None),
}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("page", LISTS)
def test_list_page_queries_do_not_grow(client, editor, django_assert_num_queries, page):
    name, add, query = LISTS[page]
    client.force_login(editor)
    url = reverse(name) + (query or "")
    add(None)
    _get(client, url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as one:
        _get(client, url)
    add(None)
    add(None)
    with django_assert_num_queries(len(one.captured_queries)):
        _get(client, url)


def test_claim_page_queries_do_not_grow_with_statements(client, editor, django_assert_num_queries):
    client.force_login(editor)
    claim = _claim_with_statements()
    url = reverse("claims:claim_detail", args=[claim.pk])
    _get(client, url)
    with CaptureQueriesContext(connection) as one:
        _get(client, url)
    _statement_for_claim(claim)
    _statement_for_claim(claim)
    with django_assert_num_queries(len(one.captured_queries)):
        _get(client, url)


def test_article_reader_queries_do_not_grow_with_statements(client, editor, django_assert_num_queries):
    client.force_login(editor)
    revision = ArticleRevisionFactory(text="One said this. Two said that. Three said more. Four said less.")
    StatementFactory(revision=revision, start=0, end=14)
    url = reverse("sources:article_detail", args=[revision.article_id])
    _get(client, url)
    with CaptureQueriesContext(connection) as one:
        _get(client, url)
    StatementFactory(revision=revision, start=15, end=29)
    StatementFactory(revision=revision, start=30, end=46)
    with django_assert_num_queries(len(one.captured_queries)):
        _get(client, url)


def test_run_page_queries_do_not_grow_with_items(client, editor, django_assert_num_queries):

    client.force_login(editor)
    run = _run()
    IngestionItemFactory(run=run, url="https://a.example/1", status="failed", error="HTTP 404")
    url = reverse("sources:run_detail", args=[run.pk])
    _get(client, url)
    with CaptureQueriesContext(connection) as one:
        _get(client, url)
    IngestionItemFactory(run=run, url="https://a.example/2", status="failed", error="HTTP 404")
    IngestionItemFactory(run=run, url="https://a.example/3", status="pending")
    with django_assert_num_queries(len(one.captured_queries)):
        _get(client, url)


# The dashboard is a dozen small aggregates (counts, verdicts, health); the lists are a handful of queries.
@pytest.mark.parametrize(
    ("page", "ceiling"), [("claims", 12), ("parties", 10), ("dashboard", 22), ("review-queue", 12)]
)
def test_list_pages_stay_cheap(client, editor, page, ceiling):
    """A ceiling as well, so that a page does not creep up to dozens of constant queries."""
    name, add, query = LISTS[page]
    client.force_login(editor)
    for _ in range(3):
        add(None)
    url = reverse(name) + (query or "")
    _get(client, url)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    assert len(queries.captured_queries) <= ceiling, [q["sql"][:120] for q in queries.captured_queries]


def test_party_page_queries_do_not_grow_with_its_track_record(client, editor, django_assert_num_queries):
    client.force_login(editor)
    state = PartyFactory()
    ministry = PartyFactory(parent=state)

    def backed_claim():
        StatementFactory(party=ministry, claim=ClaimFactory(), review_state=ReviewState.ACCEPTED)

    backed_claim()
    url = reverse("claims:party_detail", args=[state.slug])
    _get(client, url)
    with CaptureQueriesContext(connection) as one:
        _get(client, url)
    backed_claim()
    StatementFactory(party=PartyFactory(parent=state), claim=ClaimFactory(), stance=Stance.DENIES)
    with django_assert_num_queries(len(one.captured_queries)):
        response = _get(client, url)
    assert len(response.context["entries"]) == 3
