"""The scale benchmark's rows for the review queues and the public pages run (their pages answer, their floor
queries are valid SQL) on a small tracker: `make bench` measures them at a million claims."""

from __future__ import annotations

import pytest

from claims import services
from claims.enums import Origin, PartyKind
from tests.factories import ClaimFactory, PartyFactory, StatementFactory
from tools.bench.scale import Fixture, plan

ROWS = [
    "review queue filtered by claim", "proposed parties queue", "proposed claims queue", "public verdict index",
]


@pytest.mark.parametrize("name", ROWS)
def test_a_queue_row_answers_and_its_floor_runs(client, analyst, name):
    party = PartyFactory()
    claim = ClaimFactory()
    StatementFactory(claim=claim, party=party)
    services.party_create(slug="speaker-x", name="Speaker X", kind=PartyKind.PERSON, origin=Origin.EXTRACTED)
    StatementFactory(claim=services.claim_create(text="A proposed claim", origin=Origin.EXTRACTED))
    fx = Fixture(
        parties=[(party.pk, party.slug)], heavy_party=(party.pk, party.slug, 1), words=["bridge"],
        typical_claims=[claim.pk], heavy_claim=claim.pk, heavy_claim_statements=1, deep_position="2026-01-01",
        statement_texts=["x"], published_claims=[claim.pk], heavy_published=(claim.pk, 1),
    )
    [(_group, _name, next_path, next_floor)] = [row for row in plan(fx) if row[1] == name]
    client.force_login(analyst)
    assert client.get(next_path()).status_code == 200
    assert isinstance(next_floor()(), list)
