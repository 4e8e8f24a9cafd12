"""The dashboard's and the review queue's tallies (claims_tally, migration claims 0012) equal COUNT(*) after every
write path, and two sessions writing statements at once do not wait on each other's tally rows."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from claims import selectors, services
from claims.enums import Origin, PartyKind, ReviewState, Stance, Verdict
from claims.models import Claim, Party, Statement, Tally
from sources.models import Article
from tests import factories


def _counted() -> dict[str, int]:
    """Every tally, counted the slow way; zeros left out, as the tallies leave them."""
    counts = {
        "statements": Statement.objects.count(),
        "statements:pending": Statement.objects.filter(review_state=ReviewState.PENDING).count(),
        "parties": Party.objects.count(),
        "articles": Article.objects.count(),
    }
    for verdict, n in Claim.objects.live().order_by().values_list("verdict").annotate(n=Count("pk")):
        counts[f"claims:{verdict}"] = n
    return {name: n for name, n in counts.items() if n}


def _tallies() -> dict[str, int]:
    return {name: n for name, n in selectors.tally_counts().items() if n}


def _revision(text: str = "Ankara denied it. Baku said it happened. Yerevan confirmed. An official doubted it."):
    return factories.ArticleRevisionFactory(text=text)


def test_tallies_follow_the_services(analyst, editor):
    revision = _revision()
    turkey = services.party_create(slug="turkey", name="Turkey", kind=PartyKind.STATE)
    claim = services.claim_create(text="The bridge at Shusha was destroyed")
    other = services.claim_create(text="The dam near Kherson was breached", origin=Origin.EXTRACTED)
    made = [
        services.statement_create(revision=revision, start=start, end=end, stance=stance, origin=origin,
                                  party=turkey, claim=claim)[0]
        for start, end, stance, origin in (
            (0, 17, Stance.DENIES, Origin.EXTRACTED),
            (18, 40, Stance.ASSERTS, Origin.EXTRACTED),
            (41, 59, Stance.CONFIRMS, Origin.ANALYST),  # accepted as made: not pending
        )
    ]
    services.statement_create(revision=revision, start=60, end=83, stance=Stance.QUESTIONS,
                              origin=Origin.EXTRACTED, speaker_text="An official", claim=other)
    assert _tallies() == _counted()
    assert _tallies()["statements:pending"] == 3

    services.statement_review(statement=made[0], actor=analyst, action="reject")
    services.statement_review(statement=made[1], actor=analyst, action="accept", claim=other)
    assert _tallies() == _counted()
    assert _tallies()["statements:pending"] == 1

    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="Satellite images.")
    services.claim_set_verdict(claim=other, actor=analyst, verdict=Verdict.IN_REVIEW, rationale="Looks doubtful.")
    assert _tallies() == _counted()
    assert (_tallies()["claims:false"], _tallies()["claims:in_review"]) == (1, 1)

    # A merge moves the statements and takes the source out of the live claims.
    services.claim_merge(source=other, target=claim, actor=analyst)
    assert _tallies() == _counted()
    assert {n: c for n, c in _tallies().items() if n.startswith("claims:")} == {"claims:false": 1}


def test_tallies_follow_orm_saves_and_deletes(db):
    claim = factories.ClaimFactory()
    statement = factories.StatementFactory(claim=claim)
    assert _tallies() == _counted()

    statement.review_state = ReviewState.ACCEPTED
    statement.save()
    claim.verdict = Verdict.MISLEADING
    claim.save()
    assert _tallies() == _counted()

    statement.delete()
    claim.delete()
    assert _tallies() == _counted()


def test_tallies_follow_bulk_create_update_and_delete(db):
    revision = _revision()
    parties = Party.objects.bulk_create(
        [Party(slug=f"bulk-{i}", name=f"Bulk {i}", name_normalised=f"bulk {i}", kind=PartyKind.STATE)
         for i in range(5)]  # the last one says nothing
    )
    claims = Claim.objects.bulk_create([Claim(text=f"Claim {i}", verdict=Verdict.UNVERIFIED) for i in range(6)])
    Statement.objects.bulk_create([
        Statement(revision=revision, article=revision.article, party=parties[i % 4], claim=claims[i % 5],
                  stance=Stance.ASSERTS, start=i, end=i + 5, quote=revision.text[i : i + 5],
                  origin=Origin.EXTRACTED, review_state=ReviewState.PENDING if i % 3 else ReviewState.ACCEPTED)
        for i in range(12)
    ])
    Article.objects.bulk_create([
        Article(outlet=revision.article.outlet, url=f"https://bulk.example/{i}", canonical_url=f"https://bulk.example/{i}")
        for i in range(3)
    ])
    assert _tallies() == _counted()

    Statement.objects.filter(review_state=ReviewState.PENDING).update(review_state=ReviewState.ACCEPTED)
    Statement.objects.filter(start__lt=4).update(review_state=ReviewState.PENDING)
    Claim.objects.filter(pk__in=[c.pk for c in claims[:3]]).update(verdict=Verdict.CONFIRMED)
    Claim.objects.filter(pk=claims[3].pk).update(merged_into=claims[0])
    Claim.objects.filter(pk=claims[3].pk).update(verdict=Verdict.FALSE)  # merged: counts nowhere, before or after
    assert _tallies() == _counted()

    Statement.objects.filter(start__gt=8).delete()
    assert Claim.objects.filter(statements=None).delete()[1]["claims.Claim"] == 1
    assert Party.objects.filter(statements=None).delete()[1]["claims.Party"] == 1
    Article.objects.filter(url__startswith="https://bulk.example/").delete()
    assert _tallies() == _counted()

    Statement.objects.all().delete()
    assert _tallies() == _counted()
    assert "statements" not in _tallies()


def test_tallies_follow_raw_sql_and_truncate(db):
    factories.StatementFactory()
    factories.StatementFactory(review_state=ReviewState.REJECTED)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_statement SET review_state = 'pending'")
        cursor.execute("UPDATE claims_claim SET verdict = 'unverifiable' WHERE id = (SELECT min(id) FROM claims_claim)")
    assert _tallies() == _counted()

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending foreign-key checks
        # Statements, claims and what refers to them, at once; the cascade empties the statements' tallies too.
        cursor.execute("TRUNCATE claims_claim CASCADE")
    assert _counted() == {"parties": 2, "articles": 2}
    assert _tallies() == _counted()


def test_tallies_are_recounted_after_the_generator(db):
    call_command("generate_data", outlets=5, parties=60, articles=80, claims=50, statements=400, stdout=StringIO())

    assert _tallies() == _counted()
    assert _counted()["statements"] == 400
    assert list(Tally.objects.exclude(slot=0)) == []  # the load ran with the triggers off, then recounted


def test_recount_gives_the_same_tallies(db):
    factories.StatementFactory(claim=factories.ClaimFactory(verdict=Verdict.CONFIRMED))
    factories.StatementFactory(review_state=ReviewState.ACCEPTED)
    before = _tallies()

    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_tally_recount()")

    assert _tallies() == before == _counted()
    assert set(Tally.objects.values_list("slot", flat=True)) == {0}


def test_ended_sessions_rows_are_folded_and_nothing_is_lost(db):
    factories.StatementFactory()
    # Rows as ended sessions leave them: no backend has a negative pid.
    Tally.objects.bulk_create([Tally(name="statements", slot=-i, n=1) for i in range(1, 6)])
    Tally.objects.bulk_create([Tally(name="statements", slot=-i, n=-1) for i in range(6, 11)])
    before = _tallies()

    selectors.tally_fold()

    assert _tallies() == before == _counted()
    assert Tally.objects.filter(slot__lt=0).count() == 0


def test_readers_fold_when_the_rows_pile_up(db):
    factories.StatementFactory()
    Tally.objects.bulk_create([Tally(name="articles", slot=-i, n=0) for i in range(1, selectors.TALLY_FOLD_AT + 2)])

    assert selectors.tracker_counts()["articles"] == 1

    assert Tally.objects.filter(slot__lt=0).count() == 0
    assert _tallies() == _counted()


def _in_threads(*jobs):
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # the test reads it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_sessions_writing_statements_do_not_wait_on_each_others_tallies():
    """The first session keeps its transaction open after writing; the second writes (with a lock timeout) and
    commits meanwhile. One counter row per count would make the second wait until the first commits."""
    first_claim, second_claim = factories.ClaimFactory(), factories.ClaimFactory()
    first_revision, second_revision = _revision(), _revision()
    first_wrote, second_done = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            factories.StatementFactory(revision=first_revision, claim=first_claim)
            first_wrote.set()
            assert second_done.wait(timeout=20)
        return "committed"

    def second():
        assert first_wrote.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            factories.StatementFactory(revision=second_revision, claim=second_claim)
        second_done.set()
        return "committed"

    assert _in_threads(first, second) == ["committed", "committed"]
    assert _tallies() == _counted()
    # Both sessions have ended: their rows fold into slot 0.
    selectors.tally_fold()
    assert Tally.objects.filter(name="statements").values_list("slot", "n").get() == (0, 2)
