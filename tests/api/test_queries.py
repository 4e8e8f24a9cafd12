"""Every list answers in the same number of queries for 1 item and for 3: no query per row."""

from __future__ import annotations

import uuid

import pytest

from claims.services import api_token_create, claim_set_verdict, evidence_add
from sources.enums import IngestionKind
from tests import factories
from tests.api.conftest import token_client
from tests.factories import (
    IngestionItemFactory,
    IngestionRunFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
)


def _statement(**kwargs):
    """A statement in its own article and outlet, with a party that has a parent and an alias."""
    party = factories.PartyFactory(parent=factories.PartyFactory())
    factories.PartyAliasFactory(party=party)
    return factories.StatementFactory(party=party, **kwargs)


def add_claim(ctx):
    _statement()


def add_statement(ctx):
    _statement(reviewed_by=ctx["user"])


def add_party(ctx):
    factories.PartyAliasFactory(party=factories.PartyFactory(parent=factories.PartyFactory()))


def add_outlet(ctx):
    factories.OutletFactory()


def add_feed(ctx):
    factories.FeedFactory()


def add_article(ctx):
    revision = factories.ArticleRevisionFactory()
    factories.ArticleRevisionFactory(article=revision.article, number=2, text=revision.text + " Updated.")
    factories.StatementFactory(revision=revision)


def add_evidence(ctx):
    evidence_add(claim=factories.ClaimFactory(), actor=ctx["user"], kind="link", url="https://example.org/e")


def add_status_change(ctx):
    claim_set_verdict(claim=factories.ClaimFactory(), actor=ctx["user"], verdict="false", rationale="r")


def add_run(ctx):
    run = IngestionRunFactory(kind=IngestionKind.URL_BATCH)
    IngestionItemFactory(run=run, url="https://example.org/a")
    IngestionItemFactory(run=run, url="https://example.org/b")


def add_token(ctx):
    api_token_create(user=ctx["user"], name="another tool")


def add_subscription(ctx):
    WebhookSubscriptionFactory(
        token=ctx["client"].token, target_url="https://example.org/hook", events=["claim.created"], secret="s"
    )


def add_delivery(ctx):
    WebhookDeliveryFactory(
        subscription=ctx["subscription"], delivery_id=uuid.uuid4(), event="claim.created", payload={}
    )


def add_detail_statement(ctx):
    _statement(claim=ctx["claim"])


# (path, add one item, queries): the token lookup, which also reads the user's groups, is 1 of them.
LISTS = [
    ("/api/v1/claims/", add_claim, 2),
    ("/api/v1/claims/{claim}/", add_detail_statement, 5),
    ("/api/v1/statements/", add_statement, 2),
    ("/api/v1/parties/", add_party, 4),
    ("/api/v1/outlets/", add_outlet, 3),
    ("/api/v1/feeds/", add_feed, 3),
    ("/api/v1/articles/", add_article, 3),
    ("/api/v1/evidence/", add_evidence, 2),
    ("/api/v1/status-changes/", add_status_change, 2),
    ("/api/v1/ingestion-runs/", add_run, 3),
    ("/api/v1/tokens/", add_token, 3),
    ("/api/v1/webhooks/", add_subscription, 3),
    ("/api/v1/webhooks/{subscription}/deliveries/", add_delivery, 4),
    ("/api/v1/export/claims.csv", add_claim, 3),
    ("/api/v1/export/claims.jsonl", add_claim, 3),
    ("/api/v1/export/statements.csv", add_statement, 2),
    ("/api/v1/export/statements.jsonl", add_statement, 2),
]


def _get(client, path) -> tuple[int, bytes]:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.mark.parametrize(("path", "add", "queries"), LISTS, ids=[p for p, _, _ in LISTS])
def test_list_queries_do_not_grow_with_rows(path, add, queries, editor, django_assert_num_queries):
    client = token_client(editor, read_write=True)
    claim = factories.ClaimFactory(text="The claim whose page is measured")
    subscription = WebhookSubscriptionFactory(
        token=client.token, target_url="https://example.org/own", events=["claim.created"], secret="s"
    )
    ctx = {"user": editor, "client": client, "claim": claim, "subscription": subscription}
    path = path.format(claim=claim.pk, subscription=subscription.pk)
    client.get("/api/v1/claims/")  # records last_used_at now, so the measured requests only read

    add(ctx)
    with django_assert_num_queries(queries):
        status_one, body_one = _get(client, path)
    add(ctx)
    add(ctx)
    with django_assert_num_queries(queries):
        status_three, body_three = _get(client, path)

    assert (status_one, status_three) == (200, 200)
    assert body_three != body_one  # the two new rows are really in the second answer

