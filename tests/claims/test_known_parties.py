"""known_parties: what the analysis is given for every article, read as plain rows in two queries."""

from claims.analysis import KnownParty
from claims.enums import PartyKind, ReviewState
from claims.linking import known_parties
from tests.factories import PartyAliasFactory, PartyFactory


def test_every_party_not_rejected_with_its_aliases_and_parent_in_two_queries(db, django_assert_num_queries):
    armenia = PartyFactory(name="Armenia", kind=PartyKind.STATE)
    ministry = PartyFactory(name="Armenian Defence Ministry", kind=PartyKind.GOVERNMENT_BODY, parent=armenia)
    PartyFactory(name="Zzz rejected", review_state=ReviewState.REJECTED)
    PartyAliasFactory(party=armenia, text="Yerevan")
    PartyAliasFactory(party=ministry, text="Armenian MoD")
    PartyAliasFactory(party=armenia, text="Republic of Armenia")

    with django_assert_num_queries(2):
        parties = known_parties()

    assert parties == [
        KnownParty(id=str(armenia.pk), name="Armenia", kind=PartyKind.STATE, parent=None,
                   aliases=("Yerevan", "Republic of Armenia")),
        KnownParty(id=str(ministry.pk), name="Armenian Defence Ministry", kind=PartyKind.GOVERNMENT_BODY,
                   parent=str(armenia.pk), aliases=("Armenian MoD",)),
    ]


def test_the_resolver_is_kept_while_the_parties_stay_the_same_and_rebuilt_when_they_change(db):
    from claims.linking import party_resolver

    armenia = PartyFactory(name="Armenia", kind=PartyKind.STATE)
    first = party_resolver()
    assert party_resolver() is first
    assert first.resolve("Yerevan").party_id is None

    PartyAliasFactory(party=armenia, text="Yerevan")
    second = party_resolver()
    assert second is not first
    assert second.resolve("Yerevan").party_id == str(armenia.pk)

    armenia.name = "Republic of Armenia"
    armenia.save()
    assert party_resolver() is not second
