"""PartyResolver.add: parties and aliases added to a built resolver give the lookups of a resolver built at once."""

from __future__ import annotations

import dataclasses

import pytest

from claims.analysis import KnownParty
from claims.analysis.parties import PartyResolver

# Names that compete: "Georgia" twice (a state and a later party of the same name), alias words that several
# parties contain equally ("defence ministry"), children found through a parent, a later alias of an early party
# that another party also uses.
EARLY = [
    KnownParty(id="1", name="Georgia", kind="state", aliases=("Tbilisi",)),
    KnownParty(id="2", name="Defence Ministry", kind="ministry", parent="1", aliases=("Georgian Defence Ministry",)),
    KnownParty(id="3", name="Russia", kind="state", aliases=("Kremlin",)),
    KnownParty(id="4", name="Ministry of Foreign Affairs of Russia", kind="ministry", parent="3"),
]
LATER = [
    KnownParty(id="5", name="Georgia", kind="person", aliases=("Georgia Smith",)),
    KnownParty(id="6", name="Defence Ministry", kind="ministry", parent="3", aliases=("Russian Defence Ministry",)),
    KnownParty(id="7", name="Sergei Lavrov", kind="person", parent="4", aliases=("Lavrov", "Moscow")),
    KnownParty(id="8", name="Military of Georgia", kind="military", parent="1"),
]
# Aliases added later to early parties: "Moscow" is already party 7's, but party 3 comes first.
EXTENDED = [
    dataclasses.replace(EARLY[2], aliases=(*EARLY[2].aliases, "Moscow", "the Russian government")),
    dataclasses.replace(EARLY[0], aliases=(*EARLY[0].aliases, "Georgia Smith")),
]
MENTIONS = [
    "Georgia", "Tbilisi", "Georgia Smith", "the Georgian defence ministry", "the defence ministry", "Moscow",
    "the Kremlin", "Russia's defence ministry", "Russian Foreign Minister Sergei Lavrov", "Lavrov",
    "the military of Georgia", "Georgia's military", "the Russian government", "a local farmer", "",
]


def _lookups(resolver: PartyResolver) -> dict:
    return {
        "resolve": {mention: resolver.resolve(mention) for mention in MENTIONS},
        "ancestors": {pid: resolver.ancestors(pid) for pid in map(str, range(1, 9))},
        "kind": {pid: resolver.kind(pid) for pid in map(str, range(1, 9))},
        "name": {pid: resolver.name(pid) for pid in map(str, range(1, 9))},
        "index": (resolver.parties, resolver._exact, resolver._token_sets, resolver._children),
    }


def test_added_parties_and_aliases_resolve_as_a_resolver_built_with_them():
    full = PartyResolver([EXTENDED[1], *EARLY[1:2], EXTENDED[0], *EARLY[3:], *LATER])
    added = PartyResolver(EARLY)
    added.add(LATER[:2])
    added.add([EXTENDED[0], *LATER[2:]])
    added.add([EXTENDED[1]])

    assert _lookups(added) == _lookups(full)
    # the competing names went to the party given first, whichever came through add
    assert added.resolve("Georgia").party_id == "1"
    assert added.resolve("Moscow").party_id == "3"
    assert added.resolve("Georgia Smith").party_id == "1"


def test_adding_to_an_empty_resolver_is_building_one():
    added = PartyResolver([])
    added.add([*EARLY, *LATER])

    assert _lookups(added) == _lookups(PartyResolver([*EARLY, *LATER]))


@pytest.mark.parametrize(
    "changed",
    [
        dataclasses.replace(EARLY[0], name="Sakartvelo"),
        dataclasses.replace(EARLY[1], parent="3"),
        dataclasses.replace(EARLY[2], kind="person"),
        dataclasses.replace(EARLY[0], aliases=()),  # an alias removed
        dataclasses.replace(EARLY[1], aliases=("Another alias", "Georgian Defence Ministry")),  # not appended
    ],
)
def test_a_change_to_a_known_party_is_refused(changed):
    resolver = PartyResolver(EARLY)

    with pytest.raises(ValueError, match=f"party {changed.id} has changed"):
        resolver.add([changed])
