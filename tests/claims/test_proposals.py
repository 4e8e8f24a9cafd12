"""Reviewing machine-proposed parties and claims: accept, rename, set kind, merge (with its history), reject."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import selectors, services
from claims.enums import Origin, PartyKind, ReviewState, Stance
from claims.linking import known_parties
from claims.models import Claim, ClaimMerge, ClaimStance, Party, PartyAlias, PartyMerge, Statement, Watch
from tests.factories import (
    ArticleRevisionFactory,
    ClaimFactory,
    PartyAliasFactory,
    PartyFactory,
    StatementFactory,
)


def _proposed(name: str, **kwargs) -> Party:
    return services.party_create(slug=name.lower().replace(" ", "-"), name=name, kind=PartyKind.ORGANISATION,
                                 aliases=[name], origin=Origin.EXTRACTED, **kwargs)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- Parties ----------------------------------------------------------------------------------------------------


def test_accept_renames_and_sets_kind_keeping_the_name_read_as_an_alias(analyst):
    party = _proposed("Gen Haddad")
    services.party_proposal_accept(party=party, actor=analyst, name="  Abdullah   Haddad ", kind=PartyKind.PERSON)
    party = _fresh(party)
    assert (party.name, party.kind, party.review_state) == ("Abdullah Haddad", PartyKind.PERSON, ReviewState.ACCEPTED)
    assert sorted(party.aliases.values_list("text", flat=True)) == ["Gen Haddad"]
    assert selectors.party_resolve(mention="gen haddad") == party
    with pytest.raises(ValidationError, match="not a proposed party"):
        services.party_proposal_accept(party=party, actor=analyst)


def test_merge_moves_statements_aliases_children_watchers_and_keeps_the_record(analyst, editor):
    target = PartyFactory(name="Levee Authority", slug="levee-authority")
    source = _proposed("The Levee Board")
    child = PartyFactory(name="Levee Board spokesman", parent=source)
    claim = ClaimFactory()
    revision = ArticleRevisionFactory(text="The board said the levee held. The authority said the levee held.")
    moved = StatementFactory(revision=revision, party=source, claim=claim, start=0, end=30)
    twin_kept = StatementFactory(revision=revision, party=target, claim=claim, start=31, end=len(revision.text))
    twin_dropped = StatementFactory(revision=revision, party=source, claim=claim, start=31, end=len(revision.text))
    Watch.objects.create(user=analyst, party=source)
    Watch.objects.create(user=editor, party=source)
    Watch.objects.create(user=editor, party=target)

    assert services.party_merge(source=source, target=target, actor=analyst) == target

    assert _fresh(source).merged_into_id == target.pk
    assert sorted(Statement.objects.filter(claim=claim).values_list("pk", "party_id")) == sorted(
        [(moved.pk, target.pk), (twin_kept.pk, target.pk)]
    )
    assert not Statement.objects.filter(pk=twin_dropped.pk).exists()
    assert _fresh(moved).version == moved.version + 1
    assert list(ClaimStance.objects.filter(claim=claim).values_list("party_id", "stance", "statements")) == [
        (target.pk, Stance.ASSERTS, 2)
    ]
    assert sorted(PartyAlias.objects.filter(party=target).values_list("text", flat=True)) == ["The Levee Board"]
    assert _fresh(child).parent_id == target.pk
    assert sorted(Watch.objects.filter(party=target).values_list("user__username", flat=True)) == sorted(
        [analyst.username, editor.username]
    )
    record = PartyMerge.objects.get()
    assert (record.source_id, record.target_id, record.actor, record.statements_moved) == (
        source.pk, target.pk, analyst, 1
    )
    assert selectors.party_merges_in(party=target) == [record]
    # The resolver finds the survivor by the merged name; the analysis's index leaves the merged party out.
    assert selectors.party_resolve(mention="the levee board") == target
    assert [p.id for p in known_parties() if p.id == str(source.pk)] == []
    assert selectors.party_resolve_merged(_fresh(source)) == target
    # The party list leaves the merged party out (its child, renamed nothing, stays).
    assert sorted(selectors.party_search(q="levee board").values_list("pk", flat=True)) == [target.pk, child.pk]


def test_merge_refusals(analyst, viewer):
    top = PartyFactory(name="Ruritania")
    below = PartyFactory(name="Ruritanian Army", parent=top)
    with pytest.raises(ValidationError, match="below Ruritania"):
        services.party_merge(source=top, target=below, actor=analyst)
    with pytest.raises(ValidationError, match="itself"):
        services.party_merge(source=top, target=top, actor=analyst)
    gone = _proposed("Ruritanian Armed Forces")
    services.party_merge(source=gone, target=below, actor=analyst)
    with pytest.raises(ValidationError, match="already merged"):
        services.party_merge(source=top, target=_fresh(gone), actor=analyst)
    with pytest.raises(PermissionDenied):
        services.party_merge(source=top, target=PartyFactory(), actor=viewer)
    assert PartyMerge.objects.count() == 1


def test_reject_gives_pending_statements_back_to_the_speaker_and_refuses_accepted_ones(analyst):
    party = _proposed("Tuesday")
    pending = StatementFactory(party=party, speaker_text="")
    services.party_proposal_reject(party=party, actor=analyst)
    assert _fresh(party).review_state == ReviewState.REJECTED
    statement = _fresh(pending)
    assert (statement.party_id, statement.speaker_text, statement.review_state) == (None, "Tuesday",
                                                                                    ReviewState.PENDING)
    assert [p.id for p in known_parties() if p.id == str(party.pk)] == []

    named = _proposed("Harbour Office")
    StatementFactory(party=named, review_state=ReviewState.ACCEPTED)
    with pytest.raises(ValidationError, match="1 accepted statement name Harbour Office"):
        services.party_proposal_reject(party=named, actor=analyst)
    assert _fresh(named).review_state == ReviewState.PENDING


def test_merge_candidates_by_name_alias_and_containment(db):
    proposal = _proposed("Haddad")
    full = PartyFactory(name="Abdullah Haddad", kind=PartyKind.PERSON)
    by_alias = PartyFactory(name="Northern Command")
    PartyAliasFactory(party=by_alias, text="Haddads")
    PartyFactory(name="Borduria")
    merged = _proposed("Gen. Haddad")
    merged.merged_into = full
    merged.save()

    found = selectors.party_merge_candidates(party=proposal)
    # The whole name inside a longer one ranks first (word similarity 1), then an alias alike by trigrams.
    assert [(c.party.name, c.alias) for c in found] == [("Abdullah Haddad", ""), ("Northern Command", "Haddads")]
    assert all(0 < c.score <= 1 for c in found)


def test_proposed_party_list(db):
    waiting = _proposed("Port Authority")
    StatementFactory(party=waiting)
    StatementFactory(party=waiting, review_state=ReviewState.REJECTED)
    _proposed("Harbour Master").__class__.objects.filter(name="Harbour Master").update(
        review_state=ReviewState.ACCEPTED)
    PartyFactory(name="Analyst made")
    rows = list(selectors.party_list_proposed())
    assert [(p.name, p.statement_total) for p in rows] == [("Port Authority", 1)]
    assert selectors.party_proposed_count() == 1


# --- Claims -----------------------------------------------------------------------------------------------------


def test_claim_merge_keeps_its_history(analyst):
    source = ClaimFactory(origin=Origin.EXTRACTED, review_state=ReviewState.PENDING)
    target = ClaimFactory()
    StatementFactory(claim=source)
    StatementFactory(claim=source)
    services.claim_merge(source=source, target=target, actor=analyst)
    record = ClaimMerge.objects.get()
    assert (record.source_id, record.target_id, record.actor, record.statements_moved) == (
        source.pk, target.pk, analyst, 2
    )
    assert selectors.claim_merges_in(claim=target) == [record]


def test_claim_reject_rejects_its_waiting_statements_and_hides_it(analyst):
    claim = services.claim_create(text="The dam was opened on purpose", origin=Origin.EXTRACTED)
    statements = [StatementFactory(claim=claim), StatementFactory(claim=claim)]
    assert list(selectors.claim_list_proposed()) == [claim]

    assert services.claim_proposal_reject(claim=claim, actor=analyst) == 2

    claim = _fresh(claim)
    assert (claim.review_state, claim.listed, claim.statement_count) == (ReviewState.REJECTED, False, 0)
    assert [s.review_state for s in Statement.objects.filter(pk__in=[s.pk for s in statements])] == [
        ReviewState.REJECTED, ReviewState.REJECTED
    ]
    assert list(selectors.claim_list_proposed()) == []
    with pytest.raises(ValidationError, match="not a proposal"):
        services.claim_proposal_reject(claim=claim, actor=analyst)


def test_claim_reject_refuses_a_claim_with_accepted_statements(analyst):
    claim = ClaimFactory(origin=Origin.EXTRACTED, review_state=ReviewState.PENDING)
    StatementFactory(claim=claim, review_state=ReviewState.ACCEPTED)
    with pytest.raises(ValidationError, match="merge it into the claim they report"):
        services.claim_proposal_reject(claim=claim, actor=analyst)
    assert Claim.objects.get(pk=claim.pk).review_state == ReviewState.PENDING
