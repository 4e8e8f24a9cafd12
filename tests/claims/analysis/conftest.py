"""Parties for the analysis tests: invented wording about real states, none of it from the seed."""

from __future__ import annotations

import pytest

from claims.analysis import KnownParty


@pytest.fixture(scope="session")
def parties() -> list[KnownParty]:
    return [
        KnownParty(id="georgia", name="Georgia", kind="state", aliases=("Georgia", "Tbilisi")),
        KnownParty(
            id="georgia-mod",
            name="Ministry of Defence of Georgia",
            kind="ministry",
            parent="georgia",
            aliases=("Georgian Defence Ministry",),
        ),
        KnownParty(id="russia", name="Russia", kind="state", aliases=("Russia", "Moscow", "Kremlin")),
        KnownParty(
            id="russia-mfa",
            name="Ministry of Foreign Affairs of Russia",
            kind="ministry",
            parent="russia",
            aliases=("Russian Foreign Ministry",),
        ),
        KnownParty(id="lavrov", name="Sergei Lavrov", kind="person", parent="russia-mfa", aliases=("Lavrov",)),
        KnownParty(id="serbia", name="Serbia", kind="state", aliases=("Serbia", "Belgrade")),
        KnownParty(id="kosovo", name="Kosovo", kind="state", aliases=("Kosovo", "Pristina")),
        KnownParty(id="eu", name="European Union", kind="international-body", aliases=("EU", "European Union")),
        KnownParty(
            id="abkhazia",
            name="Abkhazia authorities",
            kind="de-facto-authority",
            aliases=("Abkhazia", "the separatist region"),
        ),
        KnownParty(
            id="abkhazia-military",
            name="Abkhazia military",
            kind="military",
            parent="abkhazia",
        ),
    ]
