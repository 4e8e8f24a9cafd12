"""The claim detail embeds a capped page of statements and a capped stance summary, and links to the rest."""

from __future__ import annotations

from claims import selectors
from claims.enums import Stance
from tests import factories
from tests.api.conftest import token_client


def test_claim_detail_embeds_the_newest_statements_and_links_to_all(viewer, monkeypatch):
    monkeypatch.setattr(selectors.api_claim_statements, "__kwdefaults__", {"limit": 2})
    claim = factories.ClaimFactory()
    made = [factories.StatementFactory(claim=claim, stance=s) for s in (Stance.ASSERTS, Stance.DENIES, Stance.ASSERTS)]
    client = token_client(viewer, read_write=False)

    body = client.get(f"/api/v1/claims/{claim.pk}/").json()
    listed = client.get(body["statements_url"]).json()["results"]

    assert [s["id"] for s in body["statements"]] == [made[2].pk, made[1].pk]
    assert (body["more_statements"], body["statement_count"]) == (True, 3)
    assert body["statements_url"] == f"http://testserver/api/v1/statements/?claim={claim.pk}"
    assert [s["id"] for s in listed] == [m.pk for m in reversed(made)]
    summary = body["stance_summary"]
    assert [(p["stance"], p["statements"]) for p in summary["parties"]] == [("asserts", 1), ("asserts", 1),
                                                                           ("denies", 1)]
    assert (summary["parties_total"], summary["more_articles"], summary["contested"]) == (3, False, True)
    assert len(summary["articles"]) == 3


def test_a_small_claim_says_nothing_is_left_out(viewer):
    statement = factories.StatementFactory()
    body = token_client(viewer, read_write=False).get(f"/api/v1/claims/{statement.claim_id}/").json()
    assert ([s["id"] for s in body["statements"]], body["more_statements"]) == ([statement.pk], False)
