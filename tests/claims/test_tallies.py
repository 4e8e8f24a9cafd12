"""The dashboard's and the review queue's tallies (claims_tally, migrations claims 0012 and 0013) equal COUNT(*)
after every write path, and two sessions writing statements at once do not wait on each other's tally rows."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from claims import selectors, services
from claims.enums import Origin, PartyKind, ReviewState, Stance, Verdict
from claims.models import Claim, Party, Statement, Tally
from claims.tasks import fold_tallies
from sources.models import Article
from tests import factories
from tests.threads import in_threads


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
    for status, n in Article.objects.order_by().values_list("status").annotate(n=Count("pk")):
        counts[f"articles:{status}"] = n
    days = (
        Statement.objects.exclude(review_state=ReviewState.REJECTED)
        .annotate(day=TruncDate(Coalesce("article__published_at", "created_at"), tzinfo=dt.UTC))
        .order_by().values_list("day", "stance").annotate(n=Count("pk"))
    )
    for day, stance, n in days:
        counts[f"statements:day:{day.isoformat()}:{stance}"] = n
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
    assert _counted() == {"parties": 2, "articles": 2, "articles:analysed": 2}
    assert _tallies() == _counted()


def test_article_and_day_tallies_follow_ingestion_and_re_dating(db):
    """Articles by status through the pipeline's service (new, re-fetched with another date, duplicate), and the
    statements' days when their article's publication date changes or goes."""
    from sources import services as source_services

    first = dt.datetime(2025, 3, 1, 22, 30, tzinfo=dt.UTC)
    run = source_services.article_submit_text(title="One", text="Baku said the bridge fell.", published_at=first)
    article = run.items.get().article
    assert (article.status, _tallies()["articles:fetched"]) == ("fetched", 1)
    revision = article.revisions.get()
    factories.StatementFactory(revision=revision, stance=Stance.ASSERTS, start=0, end=4)
    factories.StatementFactory(revision=revision, stance=Stance.DENIES, start=5, end=9)
    factories.StatementFactory(revision=revision, stance=Stance.DENIES, start=10, end=14,
                               review_state=ReviewState.REJECTED)
    assert _tallies() == _counted()
    assert _tallies()["statements:day:2025-03-01:denies"] == 1

    # The same text pasted again with a later date: the article is re-dated, its statements move with it.
    source_services.article_submit_text(title="One", text="Baku said the bridge fell.",
                                        published_at=first + dt.timedelta(hours=2))
    assert _tallies() == _counted()
    assert {n for n in _tallies() if n.startswith("statements:day:")} == {
        "statements:day:2025-03-02:asserts", "statements:day:2025-03-02:denies",
    }

    source_services.article_submit_text(title="Two", text="Baku said the bridge fell.", url="https://copy.example/1")
    assert _tallies() == _counted()
    assert _tallies()["articles:duplicate"] == 1

    # Undated: the statements count on the day they were recorded.
    Article.objects.filter(pk=article.pk).update(published_at=None, status="analysed")
    assert _tallies() == _counted()
    assert _tallies()[f"statements:day:{timezone.now().date().isoformat()}:asserts"] == 1


def test_article_and_day_tallies_follow_orm_bulk_and_raw_sql(db):
    articles = factories.ArticleFactory.create_batch(3, status="queued")
    for article in articles:
        factories.StatementFactory(revision=factories.ArticleRevisionFactory(article=article))
    assert _tallies() == _counted()

    articles[0].status = "failed"
    articles[0].save()
    Article.objects.filter(pk__in=[a.pk for a in articles[1:]]).update(
        status="analysed", published_at=dt.datetime(2024, 5, 5, tzinfo=dt.UTC)
    )
    Statement.objects.filter(article=articles[2]).update(stance=Stance.QUESTIONS, review_state=ReviewState.ACCEPTED)
    assert _tallies() == _counted()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE sources_article SET status = 'duplicate', duplicate_of_id = %s, published_at = "
                       "published_at - interval '3 days' WHERE id = %s", [articles[0].pk, articles[1].pk])
        cursor.execute("UPDATE claims_statement SET review_state = 'rejected' WHERE article_id = %s", [articles[2].pk])
        cursor.execute("UPDATE claims_statement SET review_state = 'pending' WHERE article_id = %s", [articles[2].pk])
    assert _tallies() == _counted()

    Statement.objects.filter(article=articles[0]).delete()
    articles[0].revisions.all().delete()
    Article.objects.filter(pk=articles[0].pk).update(status="queued")
    Article.objects.filter(pk=articles[1].pk).update(duplicate_of=None, status="fetched")
    Article.objects.filter(pk=articles[0].pk).delete()
    assert _tallies() == _counted()
    assert sum(n for name, n in _tallies().items() if name.startswith("articles:")) == 2

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE sources_article CASCADE")  # the statements go too, and their days' counts
    assert _tallies() == _counted()
    assert [n for n in _tallies() if n.startswith(("articles", "statements"))] == []


def test_dashboard_chart_from_the_tallies_equals_the_counted_one(db):
    day = dt.datetime(2025, 6, 30, 23, 59, tzinfo=dt.UTC)
    for offset, stance in ((0, Stance.ASSERTS), (0, Stance.DENIES), (1, Stance.ASSERTS), (29, Stance.DENIES),
                           (30, Stance.ASSERTS)):  # the last one is outside the 30 days
        article = factories.ArticleFactory(published_at=day - dt.timedelta(days=offset))
        factories.StatementFactory(revision=factories.ArticleRevisionFactory(article=article), stance=stance)
    factories.StatementFactory(
        revision=factories.ArticleRevisionFactory(article=factories.ArticleFactory(published_at=day)),
        review_state=ReviewState.REJECTED,
    )

    chart = selectors.statement_daily_by_stance(days=30)

    assert chart == selectors.dashboard._statement_daily_counted(days=30)
    assert (chart.days[0], chart.days[-1]) == (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert chart.counts == {
        (dt.date(2025, 6, 30), "asserts"): 1, (dt.date(2025, 6, 30), "denies"): 1,
        (dt.date(2025, 6, 29), "asserts"): 1, (dt.date(2025, 6, 1), "denies"): 1,
    }


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

    services.tally_fold()

    assert _tallies() == before == _counted()
    assert Tally.objects.filter(slot__lt=0).count() == 0


def test_reads_never_write_and_the_periodic_task_folds(client, analyst):
    """However many rows ended sessions left, the readers only read (in a read-only transaction any write would
    fail); the beat task folds them."""
    factories.StatementFactory()
    Tally.objects.bulk_create([Tally(name="articles", slot=-i, n=0) for i in range(1, 502)])
    Tally.objects.bulk_create([Tally(name="statements:day:2020-01-01:asserts", slot=-i, n=0) for i in range(1, 502)])
    client.force_login(analyst)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        counts = selectors.tracker_counts()
        selectors.statement_daily_by_stance(days=30)
        selectors.claim_verdict_counts()
        dashboard = client.get("/")
    assert (counts["articles"], dashboard.status_code) == (1, 200)
    assert Tally.objects.filter(slot__lt=0).count() == 1002

    fold_tallies()

    assert Tally.objects.filter(slot__lt=0).count() == 0
    assert _tallies() == _counted()
    assert settings.CELERY_BEAT_SCHEDULE["claims-fold-tallies"]["task"] == fold_tallies.name == "claims.fold_tallies"


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

    assert in_threads(first, second) == ["committed", "committed"]
    assert _tallies() == _counted()
    # Both sessions have ended: their rows fold into slot 0.
    services.tally_fold()
    assert Tally.objects.filter(name="statements").values_list("slot", "n").get() == (0, 2)
