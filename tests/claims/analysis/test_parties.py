"""Resolving speaker mentions to known parties."""

from __future__ import annotations

import pytest

from claims.analysis.parties import PartyResolver, normalise_name, proposed_name


@pytest.fixture(scope="module")
def resolver(parties) -> PartyResolver:
    return PartyResolver(parties)


@pytest.mark.parametrize(
    ("mention", "party_id"),
    [
        ("Georgia", "georgia"),
        ("GEORGIA", "georgia"),
        ("Tbilisi", "georgia"),
        ("the Georgian government", "georgia"),
        ("Georgia’s defence ministry", "georgia-mod"),
        ("Georgia's Defense Ministry", "georgia-mod"),
        ("The Georgian Ministry of Defense", "georgia-mod"),
        ("Russian Foreign Minister Sergei Lavrov", "lavrov"),
        ("the Russian Foreign Ministry", "russia-mfa"),
        ("The military of the separatist region", "abkhazia-military"),
        ("Abkhazia’s military", "abkhazia-military"),
        ("the Kremlin", "russia"),
    ],
)
def test_mentions_resolve_through_aliases_demonyms_and_possessives(resolver, mention, party_id):
    assert resolver.resolve(mention).party_id == party_id


def test_unknown_mention_resolves_to_nothing(resolver):
    assert resolver.resolve("a local farmer").party_id is None


def test_ancestors_follow_the_hierarchy(resolver):
    assert resolver.ancestors("lavrov") == ["lavrov", "russia-mfa", "russia"]


def test_normalise_name_folds_case_apostrophes_and_spelling():
    assert normalise_name("The Ministry’s  Defense Office's") == normalise_name("ministry defence office")


def test_proposed_name_drops_the_article_and_capitalises():
    assert proposed_name("the village council,") == "Village council"
