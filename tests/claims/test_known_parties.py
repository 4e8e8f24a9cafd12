"""known_parties: the parties the analysis knows, read as plain rows in one query."""

from claims.analysis import KnownParty
from claims.enums import PartyKind, ReviewState
from claims.linking import known_parties
from tests.factories import PartyAliasFactory, PartyFactory


def test_every_party_not_rejected_with_its_aliases_and_parent_in_one_query(db, django_assert_num_queries):
    armenia = PartyFactory(name="Armenia", kind=PartyKind.STATE)
    ministry = PartyFactory(name="Armenian Defence Ministry", kind=PartyKind.GOVERNMENT_BODY, parent=armenia)
    PartyFactory(name="Zzz rejected", review_state=ReviewState.REJECTED)
    PartyAliasFactory(party=armenia, text="Yerevan")
    PartyAliasFactory(party=ministry, text="Armenian MoD")
    PartyAliasFactory(party=armenia, text="Republic of Armenia")

    with django_assert_num_queries(1):
        parties = known_parties()

    assert parties == [
        KnownParty(id=str(armenia.pk), name="Armenia", kind=PartyKind.STATE, parent=None,
                   aliases=("Yerevan", "Republic of Armenia")),
        KnownParty(id=str(ministry.pk), name="Armenian Defence Ministry", kind=PartyKind.GOVERNMENT_BODY,
                   parent=str(armenia.pk), aliases=("Armenian MoD",)),
    ]
