"""The claims' statement counters and stance groups (claims_claimstance) follow every write path."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.db.models import Case, Count, Max, Min, Q, Value, When
from django.db.models.functions import Coalesce

from claims import services
from claims.enums import Origin, ReviewState, Stance
from claims.models import Claim, ClaimStance, Statement
from sources.models import Article
from tests import factories


def _counters(claim: Claim) -> tuple[int, int, int]:
    claim.refresh_from_db()
    return claim.statement_count, claim.backing_count, claim.denial_count


def _counted(claim: Claim) -> tuple[int, int, int]:
    """The same three numbers, counted the slow way."""
    row = Statement.objects.filter(claim=claim, withdrawn_at=None).exclude(review_state=ReviewState.REJECTED).aggregate(
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


# --- claims_claimstance: the (party or speaker, stance) groups, kept by triggers (migration claims 0008) ------------


def _stances(claim: Claim) -> list[tuple]:
    return sorted(
        ClaimStance.objects.filter(claim=claim).values_list(
            "party_id", "speaker", "stance", "statements", "first_seen", "last_seen"
        ),
        key=str,
    )


def _grouped(claim: Claim) -> list[tuple]:
    """The same groups, aggregated the slow way from the statements."""
    seen = Coalesce("article__published_at", "created_at")
    rows = (
        Statement.objects.filter(claim=claim, withdrawn_at=None).exclude(review_state=ReviewState.REJECTED)
        .annotate(speaker=Case(When(party__isnull=True, then="speaker_text"), default=Value("")))
        .order_by().values_list("party_id", "speaker", "stance")
        .annotate(n=Count("pk"), first=Min(seen), last=Max(seen))
    )
    return sorted(rows, key=str)


def test_stance_groups_follow_every_write_path(analyst):
    claim, other = factories.ClaimFactory(), factories.ClaimFactory()
    text = "Ankara denied it. Baku said it happened. Yerevan confirmed. An official doubted it."
    early = factories.ArticleRevisionFactory(text=text, article__published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    late = factories.ArticleRevisionFactory(text=text, article__published_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    turkey, azerbaijan = factories.PartyFactory(name="Turkey"), factories.PartyFactory(name="Azerbaijan")
    made = [
        services.statement_create(revision=revision, start=start, end=end, stance=stance, origin=Origin.EXTRACTED,
                                  claim=claim, **who)[0]
        for revision in (early, late)
        for start, end, stance, who in (
            (0, 17, Stance.DENIES, {"party": turkey}),
            (18, 40, Stance.ASSERTS, {"party": azerbaijan}),
            (61, 83, Stance.QUESTIONS, {"speaker_text": "An official"}),
        )
    ]
    assert _stances(claim) == _grouped(claim)
    assert [(p, s, st, n) for p, s, st, n, *_ in _stances(claim)] == sorted([
        (turkey.pk, "", "denies", 2), (azerbaijan.pk, "", "asserts", 2), (None, "An official", "questions", 2),
    ], key=str)

    # A rejection at the early end moves first_seen; an accept changes nothing.
    services.statement_review(statement=made[0], actor=analyst, action="reject")
    services.statement_review(statement=made[1], actor=analyst, action="accept")
    assert _stances(claim) == _grouped(claim)
    # Reassigned party, stance and claim; an unresolved speaker resolved to a party.
    for statement, change in ((made[4], {"party": turkey, "stance": Stance.DENIES}), (made[5], {"party": turkey}),
                              (made[3], {"claim": other})):
        statement.refresh_from_db()
        services.statement_review(statement=statement, actor=analyst, action="accept", **change)
    assert (_stances(claim), _stances(other)) == (_grouped(claim), _grouped(other))
    # Bulk updates and deletes go past the services; the trigger sees them too.
    Statement.objects.filter(claim=claim, stance=Stance.QUESTIONS).update(stance=Stance.ASSERTS)
    Statement.objects.filter(pk=made[1].pk).delete()
    assert (_stances(claim), _stances(other)) == (_grouped(claim), _grouped(other))
    # A re-fetch that changes an article's date moves the dates of the groups it counts in.
    Article.objects.filter(pk=late.article_id).update(published_at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC))
    assert (_stances(claim), _stances(other)) == (_grouped(claim), _grouped(other))
    # Everything rejected: no group is left.
    for statement in Statement.objects.filter(claim=claim):
        services.statement_review(statement=statement, actor=analyst, action="reject")
    assert _stances(claim) == [] == _grouped(claim)


def test_stance_groups_follow_a_merge(analyst):
    source, target = factories.ClaimFactory(), factories.ClaimFactory()
    party = factories.PartyFactory()
    factories.StatementFactory(claim=source, party=party, stance=Stance.DENIES)
    factories.StatementFactory(claim=target, party=party, stance=Stance.DENIES)
    factories.StatementFactory(claim=source, party=None, speaker_text="A witness", stance=Stance.ASSERTS)

    services.claim_merge(source=source, target=target, actor=analyst)

    assert (_stances(source), _stances(target)) == ([], _grouped(target))
    assert [(p, s, st, n) for p, s, st, n, *_ in _stances(target)] == sorted(
        [(party.pk, "", "denies", 2), (None, "A witness", "asserts", 1)], key=str
    )


def test_generator_fills_stance_groups_as_the_trigger_would(db):
    call_command("generate_data", outlets=5, parties=60, articles=80, claims=50, statements=400, stdout=StringIO())

    claims = list(Claim.objects.filter(statements__isnull=False).distinct())
    assert ClaimStance.objects.count() > 0
    assert [_stances(c) for c in claims] == [_grouped(c) for c in claims]
