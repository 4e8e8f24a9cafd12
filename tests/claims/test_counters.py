"""The claims' statement counters (statement_count, backing_count, denial_count) follow every write path."""

from django.db.models import Count, Q

from claims import services
from claims.enums import Origin, ReviewState, Stance
from claims.models import Claim, Statement
from tests import factories


def _counters(claim: Claim) -> tuple[int, int, int]:
    claim.refresh_from_db()
    return claim.statement_count, claim.backing_count, claim.denial_count


def _counted(claim: Claim) -> tuple[int, int, int]:
    """The same three numbers, counted the slow way."""
    row = Statement.objects.filter(claim=claim).exclude(review_state=ReviewState.REJECTED).aggregate(
        n=Count("pk"),
        backing=Count("pk", filter=Q(stance__in=[Stance.ASSERTS, Stance.CONFIRMS])),
        denial=Count("pk", filter=Q(stance=Stance.DENIES)),
    )
    return row["n"], row["backing"], row["denial"]


def test_counters_follow_create_review_and_delete(analyst):
    claim = factories.ClaimFactory()
    revision = factories.ArticleRevisionFactory(text="Ankara denied it. Baku said it happened. Yerevan confirmed.")
    party = factories.PartyFactory()
    denial, _ = services.statement_create(revision=revision, start=0, end=17, stance=Stance.DENIES,
                                          origin=Origin.EXTRACTED, party=party, claim=claim)
    assertion, _ = services.statement_create(revision=revision, start=18, end=40, stance=Stance.ASSERTS,
                                             origin=Origin.EXTRACTED, party=party, claim=claim)
    services.statement_create(revision=revision, start=41, end=59, stance=Stance.CONFIRMS,
                              origin=Origin.ANALYST, party=party, claim=claim)
    assert _counters(claim) == (3, 2, 1) == _counted(claim)

    services.statement_review(statement=denial, actor=analyst, action="reject")
    assert _counters(claim) == (2, 2, 0) == _counted(claim)

    assertion.refresh_from_db()
    services.statement_review(statement=assertion, actor=analyst, action="accept", stance=Stance.DENIES)
    assert _counters(claim) == (2, 1, 1) == _counted(claim)

    Statement.objects.filter(pk=assertion.pk).delete()
    assert _counters(claim) == (1, 1, 0) == _counted(claim)


def test_counters_follow_a_statement_moved_to_another_claim(analyst):
    first, second = factories.ClaimFactory(), factories.ClaimFactory()
    statement = factories.StatementFactory(claim=first, stance=Stance.DENIES)
    assert (_counters(first), _counters(second)) == ((1, 0, 1), (0, 0, 0))

    services.statement_review(statement=statement, actor=analyst, action="accept", claim=second)
    assert (_counters(first), _counters(second)) == ((0, 0, 0), (1, 0, 1))


def test_counters_survive_a_merge_and_later_saves(analyst):
    source, target = factories.ClaimFactory(), factories.ClaimFactory()
    factories.StatementFactory(claim=source, stance=Stance.ASSERTS)
    factories.StatementFactory(claim=source, stance=Stance.DENIES)
    factories.StatementFactory(claim=target, stance=Stance.ASSERTS)
    stale_target = Claim.objects.get(pk=target.pk)  # loaded before the merge moves the statements

    services.claim_merge(source=source, target=target, actor=analyst)
    assert (_counters(source), _counters(target)) == ((0, 0, 0), (3, 2, 1))
    assert _counted(target) == (3, 2, 1)

    stale_target.rationale = "Saved from a copy loaded before the merge."
    stale_target.save()
    assert _counters(target) == (3, 2, 1)


def test_rejected_statements_and_positions_do_not_count(db):
    claim = factories.ClaimFactory()
    factories.StatementFactory(claim=claim, review_state=ReviewState.REJECTED)
    factories.StatementFactory(claim=None, stance=Stance.POSITION)
    factories.StatementFactory(claim=claim, stance=Stance.QUESTIONS)
    assert _counters(claim) == (1, 0, 0) == _counted(claim)
