"""The API's party= filter takes a party's id or its slug (the address of its page carries the slug)."""

from __future__ import annotations

from claims.enums import ReviewState, Stance
from tests.factories import ClaimFactory, PartyFactory, StatementFactory


def _world():
    state = PartyFactory(slug="republic-of-x")
    ministry = PartyFactory(slug="x-ministry", parent=state)
    backed = ClaimFactory()
    StatementFactory(party=ministry, claim=backed, stance=Stance.DENIES, review_state=ReviewState.ACCEPTED)
    StatementFactory(claim=ClaimFactory(), review_state=ReviewState.ACCEPTED)
    return state, backed


def test_claims_by_party_slug_as_by_id(viewer_client):
    state, backed = _world()
    by_id = viewer_client.get(f"/api/v1/claims/?party={state.pk}&stance=denies").json()
    by_slug = viewer_client.get("/api/v1/claims/?party=republic-of-x&stance=denies").json()
    assert ([c["id"] for c in by_slug["results"]], by_slug["results"]) == ([backed.pk], by_id["results"])


def test_statements_by_party_slug(viewer_client):
    _, backed = _world()
    answer = viewer_client.get("/api/v1/statements/?party=republic-of-x").json()
    assert [s["claim"] for s in answer["results"]] == [backed.pk]


def test_an_unknown_slug_is_a_clear_400_not_an_unfiltered_list(viewer_client):
    _world()
    answer = viewer_client.get("/api/v1/claims/?party=no-such-party&stance=denies")
    assert (answer.status_code, "There is no party with the slug 'no-such-party'" in answer.content.decode()) == (
        400, True
    )


def test_a_merged_away_partys_slug_means_the_party_it_was_merged_into(viewer_client, analyst):
    from claims.services import party_merge

    state, backed = _world()
    old = PartyFactory(slug="old-name-of-x")
    StatementFactory(party=old, claim=(other := ClaimFactory()), review_state=ReviewState.ACCEPTED)
    party_merge(source=old, target=state, actor=analyst)
    answer = viewer_client.get("/api/v1/statements/?party=old-name-of-x").json()
    assert sorted(s["claim"] for s in answer["results"]) == sorted([backed.pk, other.pk])
