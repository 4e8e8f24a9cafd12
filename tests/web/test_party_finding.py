"""Finding parties: the party filter's autocomplete by name and alias, and a party that is not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.enums import ReviewState, Stance
from tests.factories import ClaimFactory, PartyAliasFactory, PartyFactory, StatementFactory, UserFactory


def _parties():
    turkey = PartyFactory(name="Republic of Turkey", slug="turkey")
    PartyAliasFactory(party=turkey, text="Ankara")
    PartyFactory(name="Turkish Defence Ministry", slug="turkey-mod", parent=turkey)
    PartyFactory(name="Armenia", slug="armenia")
    return turkey


def test_suggestions_by_name_and_by_alias(client, viewer):
    _parties()
    client.force_login(viewer)
    by_name = client.get(reverse("claims:party_suggest"), {"party": "turk"}, headers={"HX-Request": "true"})
    by_alias = client.get(reverse("claims:party_suggest"), {"party": "ankar"}, headers={"HX-Request": "true"})
    assert [s.name for s in by_name.context["suggestions"]] == ["Republic of Turkey", "Turkish Defence Ministry"]
    assert by_alias.content.decode().strip() == (
        '<option value="Republic of Turkey">Republic of Turkey (also “Ankara”)</option>'
    )


def test_one_letter_suggests_nothing(client, viewer):
    _parties()
    client.force_login(viewer)
    response = client.get(reverse("claims:party_suggest"), {"party": "t"})
    assert (response.status_code, response.content.decode().strip()) == (200, "")


@pytest.mark.parametrize(("persona", "status"), [("viewer", 200), ("analyst", 200), ("editor", 200)])
def test_suggestions_by_role(db, client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("claims:party_suggest"), {"party": "ar"}).status_code == status


def test_suggestions_need_sign_in_and_a_role(db, client):
    anonymous = client.get(reverse("claims:party_suggest"), {"party": "ar"})
    client.force_login(UserFactory())
    assert (anonymous.status_code, client.get(reverse("claims:party_suggest"), {"party": "ar"}).status_code) == (
        302, 403
    )


def test_the_claims_filter_offers_the_suggestions(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("claims:claim_list")).content.decode()
    assert ('list="party-suggestions"' in page, '<datalist id="party-suggestions"></datalist>' in page) == (True, True)


def test_a_party_not_found_says_so_and_lists_nothing_rather_than_every_denial(client, viewer):
    claim = ClaimFactory()
    StatementFactory(claim=claim, stance=Stance.DENIES, review_state=ReviewState.ACCEPTED)
    client.force_login(viewer)
    response = client.get(reverse("claims:claim_list"), {"party": "Nobody Known", "stance": "denies"},
                          headers={"HX-Request": "true"})
    content = response.content.decode()
    assert (list(response.context["page"].object_list), "No party is called “Nobody Known”" in content) == ([], True)
    found = client.get(reverse("claims:claim_list"), {"stance": "denies"})
    assert [c.pk for c in found.context["page"].object_list] == [claim.pk]
