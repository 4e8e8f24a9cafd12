"""Two analyses at once (two worker processes): races for a new party and for the same claims both end well.

Found by `manage.py bench_ingestion` with two worker processes: both analyses proposed the same speaker as a new
party, the second insert of its slug failed once the first committed, and that article stayed unanalysed (now the
loser takes the winner's party); and two articles reporting the same claims deadlocked on them.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils.text import slugify

from claims import services
from claims.enums import Origin, PartyKind
from claims.linking import revision_analyse
from claims.models import Claim, Party, Statement
from claims.tasks import analyse_revision
from sources.enums import ArticleStatus
from tests.factories import ArticleFactory, ArticleRevisionFactory
from tests.threads import sessions_blocked_on_a_lock

TEXT = "Local officials said on Tuesday that two bridges had been destroyed overnight by artillery fire."
SPEAKER = "Local officials"  # what the analysis proposes as a new party for TEXT
SLUG = f"{slugify(SPEAKER)}-{hashlib.sha256(SPEAKER.encode()).hexdigest()[:6]}"  # claims.linking._proposed_party



@pytest.mark.django_db(transaction=True)
def test_an_analysis_that_loses_the_race_for_a_new_party_runs_again():
    revision = ArticleRevisionFactory(text=TEXT, article=ArticleFactory(status=ArticleStatus.FETCHED))
    started, problems = threading.Event(), []

    def other_analysis() -> None:
        """Another worker's analysis: proposes the same party, and commits only once ours waits for it."""
        try:
            with transaction.atomic():
                services.party_create(slug=SLUG, name=SPEAKER, kind=PartyKind.ORGANISATION, aliases=[SPEAKER],
                                      origin=Origin.EXTRACTED)
                started.set()
                deadline = time.monotonic() + 60
                while not sessions_blocked_on_a_lock():
                    if time.monotonic() > deadline:
                        problems.append("the analysis never waited for the other transaction's party")
                        break
                    time.sleep(0.05)
        finally:
            started.set()
            connection.close()

    other = threading.Thread(target=other_analysis)
    other.start()
    started.wait(30)
    result = analyse_revision.apply(kwargs={"revision_id": revision.pk})
    other.join(60)

    assert problems == []
    assert result.successful(), result.traceback
    assert list(Party.objects.filter(slug=SLUG).values_list("origin", flat=True)) == [Origin.EXTRACTED]
    assert list(Statement.objects.filter(revision=revision).values_list("party__slug", flat=True)) == [SLUG]
    revision.article.refresh_from_db()
    assert revision.article.status == ArticleStatus.ANALYSED


BRIDGES = "Local officials said on Tuesday that two bridges had been destroyed overnight by artillery fire."
RUNWAY = "The regional governor said that the airport runway had been closed after a drone strike."


def _hold_after_the_first_statement_insert(holding: threading.Event, release: threading.Event):
    """A connection wrapper: once this analysis has written a statement (its claims locked), wait for `release`."""

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not holding.is_set() and sql.startswith('INSERT INTO "claims_statement"'):
            holding.set()
            release.wait(60)
        return result

    return wrapper


@pytest.mark.django_db(transaction=True)
def test_two_analyses_linking_the_same_claims_in_opposite_orders_both_finish():
    """Found by `manage.py bench_ingestion` with two processes: two articles that report the same claims, named in
    opposite orders, deadlocked when each statement locked its claim in turn (the loser ran again)."""
    seen = revision_analyse(revision=ArticleRevisionFactory(text=f"{BRIDGES} {RUNWAY}"))
    bridges, runway = (Statement.objects.get(revision=seen.revision_id, quote__contains=w).claim
                       for w in ("bridges", "runway"))
    first = ArticleRevisionFactory(text=f"{BRIDGES} {RUNWAY}", article=ArticleFactory(status=ArticleStatus.FETCHED))
    second = ArticleRevisionFactory(text=f"{RUNWAY} {BRIDGES}", article=ArticleFactory(status=ArticleStatus.FETCHED))
    holding, release, outcomes, problems = threading.Event(), threading.Event(), {}, []

    def analysis(revision, wrapper=None) -> None:
        try:
            with connection.execute_wrapper(wrapper) if wrapper else contextlib.nullcontext():
                outcomes[revision.pk] = revision_analyse(revision=revision)
        except Exception as exc:  # reported by the assertions below, with its type
            outcomes[revision.pk] = exc
        finally:
            holding.set()
            connection.close()

    one = threading.Thread(target=analysis, args=(first, _hold_after_the_first_statement_insert(holding, release)))
    one.start()
    holding.wait(60)
    two = threading.Thread(target=analysis, args=(second,))
    two.start()
    deadline = time.monotonic() + 60
    while not sessions_blocked_on_a_lock():  # the second waits for the claims the first holds
        if time.monotonic() > deadline:
            problems.append("the second analysis never waited for the first one's claims")
            break
        time.sleep(0.05)
    release.set()
    one.join(60)
    two.join(60)

    assert problems == []
    assert {pk: type(outcome).__name__ for pk, outcome in outcomes.items()} == {
        first.pk: "AnalysisReport", second.pk: "AnalysisReport"
    }
    for revision in (first, second):
        statements = Statement.objects.filter(revision=revision).order_by("start")
        assert [s.claim_id for s in statements] == (
            [bridges.pk, runway.pk] if revision == first else [runway.pk, bridges.pk]
        )
    assert sorted(Claim.objects.values_list("pk", "statement_count")) == [(bridges.pk, 3), (runway.pk, 3)]
