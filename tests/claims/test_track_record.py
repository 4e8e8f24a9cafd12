"""A party's track record: the right claims page by page, and a page reads what it shows, not the history."""

import json

import pytest
from django.db import connection

from claims.enums import ReviewState, Stance
from claims.models import ClaimStance
from claims.selectors import party_track_record, party_track_record_entries
from tests.factories import ClaimFactory, PartyFactory, StatementFactory

pytestmark = pytest.mark.django_db


def _pages(record, size):
    claims, offset = [], 0
    while page := record[offset: offset + size]:
        claims += [c.pk for c in page]
        offset += size
    return claims


def test_every_page_lists_the_claims_backed_or_denied_below_the_party_newest_first():
    state = PartyFactory()
    ministry, other = PartyFactory(parent=state), PartyFactory()
    spokeswoman = PartyFactory(parent=ministry)
    claims = ClaimFactory.create_batch(8)
    # Several stances and several of the state's parties on one claim: still one row, once.
    for claim, party, stance in [
        (claims[0], state, Stance.ASSERTS), (claims[0], ministry, Stance.DENIES),
        (claims[0], spokeswoman, Stance.CONFIRMS), (claims[1], ministry, Stance.ASSERTS),
        (claims[1], ministry, Stance.DENIES), (claims[1], ministry, Stance.CONFIRMS),
        (claims[2], spokeswoman, Stance.DENIES), (claims[3], other, Stance.ASSERTS),  # another party's
        (claims[4], state, Stance.QUESTIONS),  # not backing or denying
        (claims[6], state, Stance.ASSERTS), (claims[7], spokeswoman, Stance.ASSERTS), (claims[7], state, Stance.DENIES),
    ]:
        StatementFactory(claim=claim, party=party, stance=stance)
    StatementFactory(claim=claims[5], party=state, stance=Stance.ASSERTS, review_state=ReviewState.REJECTED)
    expected = [c.pk for c in (claims[7], claims[6], claims[2], claims[1], claims[0])]

    record = party_track_record(party=state)

    for size in (1, 2, 3, 5, 25):
        assert _pages(record, size) == expected, size
    assert [record.count_upto(n) for n in (1, 4, 5, 6, 1001)] == [1, 4, 5, 5, 5]
    assert _pages(party_track_record(party=ministry), 2) == [c.pk for c in (claims[7], claims[2], claims[1], claims[0])]
    entries = party_track_record_entries(record[3:5], party=state)
    assert [(e.claim.pk, e.stances, e.statements) for e in entries] == [
        (claims[1].pk, ("asserts", "confirms", "denies"), 3), (claims[0].pk, ("asserts", "confirms", "denies"), 3),
    ]


def test_the_verdict_filter_keeps_the_claims_with_that_verdict():
    state = PartyFactory()
    claims = [ClaimFactory(verdict=v) for v in ("false", "confirmed", "false", "false")]
    for claim in claims:
        StatementFactory(claim=claim, party=PartyFactory(parent=state), stance=Stance.DENIES)

    record = party_track_record(party=state, verdict="false")

    assert _pages(record, 2) == [claims[3].pk, claims[2].pk, claims[0].pk]
    assert record.count_upto(1001) == 3


def _scans(node):
    if node.get("Relation Name") == "claims_claimstance":
        yield node
    for child in node.get("Plans", []):
        yield from _scans(child)


def test_a_page_of_a_busy_party_reads_what_the_page_shows_not_its_history():
    state = PartyFactory()
    parties = [state, PartyFactory(parent=state), PartyFactory(parent=state)]
    claims = ClaimFactory.create_batch(400)
    # 1,200 groups: each party backs and denies every claim (no statements needed: the groups are what is read).
    ClaimStance.objects.bulk_create(
        ClaimStance(claim=claim, party=party, stance=stance, statements=1)
        for claim in claims for party in parties for stance in (Stance.ASSERTS, Stance.DENIES)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claimstance, claims_party, claims_claim")
    record = party_track_record(party=state)
    sql, params = record.query(offset=25, limit=25)  # the second page

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        explained = cursor.fetchone()[0]
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    read = sum(n["Actual Rows"] * n["Actual Loops"] for n in _scans(plan))
    assert 0 < read <= len(parties) * 50 * 3  # each party's first 50 claims' groups at most, of 2,400
    assert [c.pk for c in record[25:50]] == [c.pk for c in reversed(claims)][25:50]
