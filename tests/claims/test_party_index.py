"""linking.party_resolver: one PartyResolver per process, added to as parties are added, rebuilt on other changes."""

from __future__ import annotations

import pytest

from claims import linking
from claims.analysis.parties import PartyResolver
from claims.enums import PartyKind, ReviewState
from claims.linking import known_parties, party_resolver
from claims.models import Party, PartyAlias
from tests.factories import PartyAliasFactory, PartyFactory

MENTIONS = [
    "Armenia", "Yerevan", "the Armenian defence ministry", "Armenia's military", "Azerbaijan", "Baku",
    "the Azerbaijani defence ministry", "Ruritania", "the Ruritanian interior ministry", "Zenda",
    "Local officials", "a local farmer",
]


def _resolutions(resolver: PartyResolver) -> dict:
    return {mention: resolver.resolve(mention) for mention in MENTIONS}


def _as_built_now() -> dict:
    return _resolutions(PartyResolver(known_parties()))


@pytest.fixture
def parties(db):
    linking._party_index.index = None  # another test's index would be rebuilt anyway; each test starts from a build
    armenia = PartyFactory(name="Armenia", kind=PartyKind.STATE)
    PartyFactory(name="Armenian Defence Ministry", kind=PartyKind.GOVERNMENT_BODY, parent=armenia)
    gap = PartyFactory(name="Never committed").pk
    Party.objects.filter(pk=gap).delete()
    azerbaijan = PartyFactory(name="Azerbaijan", kind=PartyKind.STATE)
    PartyAliasFactory(party=azerbaijan, text="Baku")
    PartyFactory(name="Rejected Speaker", review_state=ReviewState.REJECTED)
    return {"armenia": armenia, "azerbaijan": azerbaijan, "gap": gap}


def test_unchanged_parties_keep_the_resolver_for_one_query(parties, django_assert_num_queries):
    first = party_resolver()

    with django_assert_num_queries(1):
        assert party_resolver() is first
    assert _resolutions(first) == _as_built_now()


def test_parties_and_aliases_added_are_added_to_the_resolver_as_a_build_would_have_them(parties):
    resolver = party_resolver()
    ruritania = PartyFactory(name="Ruritania", kind=PartyKind.STATE)
    PartyFactory(name="Ruritanian Interior Ministry", kind=PartyKind.GOVERNMENT_BODY, parent=ruritania)
    PartyAliasFactory(party=ruritania, text="Zenda")
    PartyAliasFactory(party=parties["armenia"], text="Yerevan")
    PartyAliasFactory(party=PartyFactory(name="Local officials", review_state=ReviewState.REJECTED), text="Locals")

    assert party_resolver() is resolver
    assert resolver.resolve("Yerevan").party_id == str(parties["armenia"].pk)
    assert resolver.resolve("the Ruritanian interior ministry").party_id is not None
    assert resolver.resolve("Local officials").party_id is None  # rejected: not for the analysis
    assert _resolutions(resolver) == _as_built_now()
    # and what it took in is part of the fingerprint: a second look finds nothing new
    assert party_resolver() is resolver
    assert _resolutions(resolver) == _as_built_now()


def test_fields_the_index_does_not_use_change_nothing(parties):
    resolver = party_resolver()
    Party.objects.filter(name="Armenia").update(country="Armenia", slug="armenia-state")
    Party.objects.filter(review_state=ReviewState.PENDING).update(review_state=ReviewState.ACCEPTED)

    assert party_resolver() is resolver


def _edit(parties):
    party = parties["armenia"]
    party.name = "Republic of Armenia"
    party.save()


def _move_alias(parties):  # what merging two parties by hand does first
    PartyAlias.objects.filter(text="Baku").update(party=parties["armenia"])


def _delete_alias(parties):
    PartyAlias.objects.filter(text="Baku").delete()


def _delete_party(parties):
    Party.objects.filter(name="Armenian Defence Ministry").delete()


def _reject(parties):
    Party.objects.filter(pk=parties["azerbaijan"].pk).update(review_state=ReviewState.REJECTED)


def _restore(parties):
    Party.objects.filter(name="Rejected Speaker").update(review_state=ReviewState.PENDING)


def _reparent(parties):
    Party.objects.filter(name="Armenian Defence Ministry").update(parent=parties["azerbaijan"])


def _new_kind(parties):
    Party.objects.filter(name="Azerbaijan").update(kind=PartyKind.ORGANISATION)


def _late_commit(parties):
    # A party committed after the resolver took in a higher id (two transactions took their ids in one order and
    # committed in the other): under the mark, so not an addition the index can tell from the rows after it.
    PartyFactory(pk=parties["gap"], name="Late Party")


@pytest.mark.parametrize(
    "change", [_edit, _move_alias, _delete_alias, _delete_party, _reject, _restore, _reparent, _new_kind, _late_commit]
)
def test_any_other_change_builds_it_again(parties, change):
    resolver = party_resolver()

    change(parties)
    again = party_resolver()

    assert again is not resolver
    assert _resolutions(again) == _as_built_now()
    assert party_resolver() is again


def test_a_merge_rebuilds_the_index_with_the_survivor_in_the_merged_partys_place(parties, analyst):
    from claims.services import party_merge

    proposal = PartyFactory(name="Ruritanian Interior Ministry", kind=PartyKind.GOVERNMENT_BODY)
    PartyAliasFactory(party=proposal, text="Zenda")
    survivor = PartyFactory(name="Ruritania", kind=PartyKind.STATE)
    resolver = party_resolver()
    assert resolver.resolve("Zenda").party_id == str(proposal.pk)

    party_merge(source=proposal, target=survivor, actor=analyst)

    rebuilt = party_resolver()
    assert rebuilt is not resolver
    assert rebuilt.resolve("Zenda").party_id == str(survivor.pk)
    assert str(proposal.pk) not in rebuilt.parties
    assert _resolutions(rebuilt) == _as_built_now()
