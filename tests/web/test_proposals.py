"""The queues of proposed parties and claims as analysts use them: roles, CSRF, decisions, suggestions, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.enums import Origin, PartyKind, ReviewState
from claims.models import Claim, ClaimMerge, Party, PartyMerge, Statement
from tests.factories import ClaimFactory, PartyFactory, StatementFactory

PAGES = ["claims:party_proposal_list", "claims:claim_proposal_list"]


def _proposed_party(name: str) -> Party:
    return services.party_create(slug=name.lower().replace(" ", "-"), name=name, kind=PartyKind.ORGANISATION,
                                 aliases=[name], origin=Origin.EXTRACTED)


def _proposed_claim(text: str) -> Claim:
    claim = services.claim_create(text=text, origin=Origin.EXTRACTED)
    StatementFactory(claim=claim)
    return claim


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Roles ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_an_analyst(client, name, viewer, analyst, editor):
    url = reverse(name)
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    for user in (analyst, editor):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_decisions_and_suggestions_need_an_analyst(client, viewer):
    party, claim = _proposed_party("Port Office"), _proposed_claim("The port was closed")
    posts = [reverse("claims:party_proposal_decide", args=[party.pk]),
             reverse("claims:claim_proposal_decide", args=[claim.pk])]
    gets = [reverse("claims:party_proposal_candidates", args=[party.pk]),
            reverse("claims:claim_proposal_candidates", args=[claim.pk])]
    for url in posts:
        assert client.post(url, {"action": "reject"}).status_code == 302
    client.force_login(viewer)
    for url in posts:
        assert client.post(url, {"action": "reject"}).status_code == 403
    for url in gets:
        assert client.get(url).status_code == 403
    assert (Party.objects.get(pk=party.pk).review_state, Claim.objects.get(pk=claim.pk).review_state) == (
        ReviewState.PENDING, ReviewState.PENDING)


def test_decisions_need_the_csrf_token(analyst):
    party = _proposed_party("Port Office")
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(reverse("claims:party_proposal_decide", args=[party.pk]), {"action": "reject"}).status_code \
        == 403
    page = client.get(reverse("claims:party_proposal_list"))
    assert b'name="csrfmiddlewaretoken"' in page.content
    assert Party.objects.get(pk=party.pk).review_state == ReviewState.PENDING


# --- Parties ----------------------------------------------------------------------------------------------------


def test_accept_a_party_renamed_as_another_kind(client, analyst):
    party = _proposed_party("Gen Haddad")
    client.force_login(analyst)
    response = client.post(reverse("claims:party_proposal_decide", args=[party.pk]),
                           {"action": "accept", "name": "Abdullah Haddad", "kind": "person"}, follow=True)
    assert _messages(response) == ["Accepted Abdullah Haddad (person)."]
    party = Party.objects.get(pk=party.pk)
    assert (party.name, party.kind, party.review_state) == ("Abdullah Haddad", "person", ReviewState.ACCEPTED)
    assert list(response.context["page"]) == []


def test_merge_a_party_by_alias_and_its_old_address_answers(client, analyst):
    survivor = PartyFactory(name="Levee Authority", slug="levee-authority")
    services.party_alias_add(party=survivor, text="the Authority")
    party = _proposed_party("Levee Authority spokesman")
    StatementFactory(party=party)
    client.force_login(analyst)

    suggestions = client.get(reverse("claims:party_proposal_candidates", args=[party.pk]))
    assert [c.party for c in suggestions.context["candidates"]] == [survivor]
    assert b"Merge into Levee Authority" in suggestions.content

    response = client.post(reverse("claims:party_proposal_decide", args=[party.pk]),
                           {"action": "merge", "target": "The Authority"}, follow=True)
    assert _messages(response) == ["Merged Levee Authority spokesman into Levee Authority: 1 statement moved."]
    assert PartyMerge.objects.get().actor == analyst
    old = client.get(reverse("claims:party_detail", args=[party.slug]), follow=True)
    assert old.redirect_chain == [(reverse("claims:party_detail", args=[survivor.slug]), 302)]
    assert _messages(old) == ["Levee Authority spokesman was merged into Levee Authority."]
    assert [m.source for m in old.context["merges_in"]] == [Party.objects.get(pk=party.pk)]
    assert b"Merged into it" in old.content


def test_refusals_say_why_and_change_nothing(client, analyst):
    party = _proposed_party("Harbour Office")
    StatementFactory(party=party, review_state=ReviewState.ACCEPTED)
    client.force_login(analyst)
    url = reverse("claims:party_proposal_decide", args=[party.pk])
    cases = [
        ({"action": "merge", "target": "Nobody Known"},
         "Not saved: No party by that name or alias. Nothing was changed."),
        ({"action": "reject"}, "Not saved: 1 accepted statement name Harbour Office: merge it into the party it is "
                               "instead. Nothing was changed."),
        ({"action": "explode"}, "Not saved: Select a valid choice. explode is not one of the available choices. "
                                "Nothing was changed."),
        ({"action": "merge", "target": "harbour-office"}, "Not saved: a party cannot be merged into itself. "
                                                          "Nothing was changed."),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 303
        assert _messages(client.get(response["Location"])) == [message]
    assert Party.objects.get(pk=party.pk).review_state == ReviewState.PENDING
    assert client.post(reverse("claims:party_proposal_decide", args=[99999]), {"action": "reject"}).status_code == 303
    assert client.get(reverse("claims:party_proposal_candidates", args=[99999])).status_code == 404


# --- Claims -----------------------------------------------------------------------------------------------------


def test_accept_a_claim_with_new_wording(client, analyst):
    claim = _proposed_claim("the port was closed they said")
    client.force_login(analyst)
    response = client.post(reverse("claims:claim_proposal_decide", args=[claim.pk]),
                           {"action": "accept", "text": "The port of Vale was closed on 3 May"}, follow=True)
    assert _messages(response) == [f"Accepted claim {claim.pk}: “The port of Vale was closed on 3 May”"]
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.text, claim.review_state) == ("The port of Vale was closed on 3 May", ReviewState.ACCEPTED)


def test_merge_a_claim_from_the_similar_lookup_and_reject_another(client, analyst):
    target = ClaimFactory(text="The northern dam was opened on purpose to flood the valley")
    claim = _proposed_claim("The northern dam was opened on purpose to flood the valley, officials said")
    other = _proposed_claim("A convoy was stopped at the border crossing")
    client.force_login(analyst)

    suggestions = client.get(reverse("claims:claim_proposal_candidates", args=[claim.pk]))
    assert [c.pk for c in suggestions.context["candidates"]][:1] == [target.pk]

    response = client.post(reverse("claims:claim_proposal_decide", args=[claim.pk]),
                           {"action": "merge", "target": str(target.pk)}, follow=True)
    assert _messages(response) == [f"Merged claim {claim.pk} into claim {target.pk}: 1 statement moved."]
    assert ClaimMerge.objects.get().source_id == claim.pk
    page = client.get(reverse("claims:claim_detail", args=[claim.pk]), follow=True)
    assert page.redirect_chain == [(reverse("claims:claim_detail", args=[target.pk]), 302)]
    assert b"Merged into this claim" in page.content

    response = client.post(reverse("claims:claim_proposal_decide", args=[other.pk]), {"action": "reject"},
                           follow=True)
    assert _messages(response) == [f"Rejected claim {other.pk} and its 1 waiting statement."]
    assert list(response.context["page"]) == []
    assert Statement.objects.get(claim=other).review_state == ReviewState.REJECTED


def test_claim_merge_needs_a_number_that_exists(client, analyst):
    claim = _proposed_claim("The port was closed")
    client.force_login(analyst)
    url = reverse("claims:claim_proposal_decide", args=[claim.pk])
    for data, message in [
        ({"action": "merge"}, "Not saved: Give the number of the claim to merge into. Nothing was changed."),
        ({"action": "merge", "target": "987654"}, "Not saved: there is no claim number 987654. Nothing was changed."),
        ({"action": "merge", "target": "x"}, "Not saved: Enter a whole number. Nothing was changed."),
    ]:
        assert _messages(client.get(client.post(url, data)["Location"])) == [message]
    assert Claim.objects.get(pk=claim.pk).merged_into_id is None


# --- Constant queries -------------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "make"), [
    ("claims:party_proposal_list", lambda n: StatementFactory(party=_proposed_party(f"Speaker {n}"))),
    ("claims:claim_proposal_list", lambda n: _proposed_claim(f"Proposed claim number {n} about a bridge")),
])
def test_queue_pages_cost_the_same_queries_for_1_and_3_items(client, analyst, name, make):
    client.force_login(analyst)
    url = reverse(name)
    make(0)
    one = _queries(client, url)
    make(1)
    make(2)
    assert len(client.get(url).context["page"]) == 3
    assert _queries(client, url) == one


def test_a_decided_claim_cannot_be_accepted_again_from_a_stale_page(client, analyst):
    claim = _proposed_claim("The port was closed")
    client.force_login(analyst)
    url = reverse("claims:claim_proposal_decide", args=[claim.pk])
    client.post(url, {"action": "reject"}, follow=True)  # its confirmation shown
    response = client.post(url, {"action": "accept", "text": "Reworded"})
    assert _messages(client.get(response["Location"])) == [
        f"Not saved: claim {claim.pk} is not a proposal waiting for review. Nothing was changed."
    ]
    assert Claim.objects.get(pk=claim.pk).text == "The port was closed"


def test_hostile_decisions_get_a_clear_answer_never_a_500(client, analyst):
    party = _proposed_party("Harbour Watch")
    claim = _proposed_claim("The ferry pier was closed")
    client.force_login(analyst)
    party_url = reverse("claims:party_proposal_decide", args=[party.pk])
    claim_url = reverse("claims:claim_proposal_decide", args=[claim.pk])
    answers = [
        client.post(party_url, {"action": "accept", "name": "Harbour\x00Watch"}).status_code,  # NUL byte
        client.post(claim_url, {"action": "merge", "target": "9" * 40}).status_code,  # a number past bigint
        client.post(party_url, {"action": "explode"}).status_code,  # no such decision
        client.post(reverse("claims:party_proposal_decide", args=[2**62]), {"action": "reject"}).status_code,
        client.get(reverse("claims:claim_proposal_candidates", args=[2**62])).status_code,
    ]
    assert all(code < 500 for code in answers), answers
    assert answers[0] == 400 and answers[4] == 404
    party.refresh_from_db()
    assert party.name == "Harbour Watch" and Claim.objects.get(pk=claim.pk).merged_into_id is None
