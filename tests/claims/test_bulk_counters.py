"""claims.counters: the counting triggers off for a bulk load, everything they keep rebuilt after it."""

from __future__ import annotations

import pytest
from django.db import DataError, IntegrityError, InternalError, transaction
from django.utils import timezone

from claims import counters
from claims.models import Claim, ClaimStance, Statement
from tests import factories
from tests.claims.test_tallies import _counted, _tallies


def _stances() -> set[tuple]:
    return set(ClaimStance.objects.values_list("claim_id", "party_id", "speaker", "stance", "statements"))


def test_a_load_with_the_counters_suspended_is_counted_once_after_it(db):
    claim = factories.ClaimFactory()
    first = factories.StatementFactory(claim=claim)

    with transaction.atomic():
        counters.counters_suspend()
        ClaimStance.objects.all().delete()  # the rebuild fills an empty table, as after a load
        loaded = [factories.StatementFactory(claim=claim) for _ in range(2)]
        claim.refresh_from_db()
        suspended = (claim.statement_count, ClaimStance.objects.count(), _tallies().get("statements"))
        Claim.objects.filter(pk=claim.pk).update(statement_count=3, backing_count=3)  # the loader's own counts
        counters.claim_counters_resume()
        counters.claim_stances_recount()
        counters.tallies_recount()

    assert suspended == (1, 0, 1)  # nothing was counted during the load
    claim.refresh_from_db()
    assert (claim.statement_count, claim.backing_count, claim.denial_count) == (3, 3, 0)
    assert _stances() == {(claim.pk, s.party_id, "", "asserts", 1) for s in [first, *loaded]}
    assert _tallies() == _counted()

    factories.StatementFactory(claim=claim)  # and the triggers count again
    claim.refresh_from_db()
    assert claim.statement_count == 4
    assert _tallies() == _counted()


def test_the_span_check_is_off_only_between_suspend_and_resume(db):
    revision = factories.ArticleRevisionFactory(text="Ankara denied it.")

    with transaction.atomic():
        counters.statement_span_check_suspend()
        unchecked = factories.StatementFactory(revision=revision, quote="not in the text")
        counters.statement_span_check_resume()

    assert Statement.objects.filter(pk=unchecked.pk).exists()
    with pytest.raises((IntegrityError, DataError, InternalError)), transaction.atomic():
        factories.StatementFactory(revision=revision, quote="not in the text either")


def test_a_failed_load_leaves_every_trigger_on(db):
    claim = factories.ClaimFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        counters.counters_suspend()
        counters.statement_span_check_suspend()
        raise RuntimeError("the load failed")

    factories.StatementFactory(claim=claim)
    claim.refresh_from_db()
    assert claim.statement_count == 1
    assert _tallies() == _counted()


def test_the_rebuild_counts_no_withdrawn_statement_as_the_trigger_does(db):
    claim = factories.ClaimFactory()
    kept = factories.StatementFactory(claim=claim)
    first = factories.ArticleRevisionFactory(text="Ankara denied it.")
    later = factories.ArticleRevisionFactory(article=first.article, number=2, text="Ankara said nothing.")
    factories.StatementFactory(claim=claim, revision=first, withdrawn_in=later, withdrawn_at=timezone.now())
    by_trigger = _stances()

    with transaction.atomic():
        counters.counters_suspend()
        ClaimStance.objects.all().delete()
        counters.claim_stances_recount()
        counters.claim_counters_resume()
        counters.tallies_recount()

    assert by_trigger == {(claim.pk, kept.party_id, "", "asserts", 1)}
    assert _stances() == by_trigger
