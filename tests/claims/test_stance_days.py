"""The counts a big claim's and a big party's pages read instead of their history (claims 0024): the accepted
statements of each claim stance group (the public page), a claim's statements by party and day (the claim page's
"who said it when") and a party's by day (its page's chart). Each equals the count made the slow way after every
write path, and the pages' reads of them read no statement."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from claims import counters, selectors, services
from claims.enums import Origin, ReviewState, Stance
from claims.models import Claim, ClaimPartyDay, ClaimStance, Party, PartyDay, Statement
from claims.selectors.charts import ChartRange, _daily
from sources.models import Article
from tests import factories
from tests.claims.test_big_claim_reads import _rows_read

pytestmark = pytest.mark.django_db

_DAY = TruncDate(Coalesce("article__published_at", "created_at"), tzinfo=dt.UTC)


def _counted_statements():
    return Statement.objects.exclude(review_state=ReviewState.REJECTED).filter(withdrawn_at=None)


def _accepted() -> dict[tuple, int]:
    return {
        (c, p, s, st): n
        for c, p, s, st, n in ClaimStance.objects.values_list("claim_id", "party_id", "speaker", "stance", "accepted")
    }


def _accepted_counted() -> dict[tuple, int]:
    rows = (
        _counted_statements().filter(claim__isnull=False)
        .annotate(speaker=Case(When(party__isnull=True, then="speaker_text"), default=Value("")))
        .order_by().values_list("claim_id", "party_id", "speaker", "stance")
        .annotate(n=Count("pk", filter=Q(review_state=ReviewState.ACCEPTED)))
    )
    return {(c, p, s, st): n for c, p, s, st, n in rows}


def _claim_days() -> set[tuple]:
    return set(ClaimPartyDay.objects.values_list("claim_id", "party_id", "day", "stance", "statements"))


def _claim_days_counted() -> set[tuple]:
    return set(
        _counted_statements().filter(claim__isnull=False, party__isnull=False).annotate(day=_DAY)
        .order_by().values_list("claim_id", "party_id", "day", "stance").annotate(n=Count("pk"))
    )


def _party_days() -> dict[tuple, int]:
    rows = PartyDay.objects.order_by().values_list("party_id", "day", "stance").annotate(n=Sum("statements"))
    return {(p, d, s): n for p, d, s, n in rows if n}


def _party_days_counted() -> dict[tuple, int]:
    rows = (
        _counted_statements().filter(party__isnull=False).annotate(day=_DAY)
        .order_by().values_list("party_id", "day", "stance").annotate(n=Count("pk"))
    )
    return {(p, d, s): n for p, d, s, n in rows}


def _all_right() -> tuple:
    """(kept, counted) for the three counts, to compare whole."""
    return (
        (_accepted(), _claim_days(), _party_days()),
        (_accepted_counted(), _claim_days_counted(), _party_days_counted()),
    )


def test_the_counts_follow_accept_reject_withdraw_merge_and_re_dating(analyst):
    text = "Ankara denied it. Baku said it happened. Yerevan confirmed. An official doubted it."
    early = factories.ArticleRevisionFactory(text=text, article__published_at=dt.datetime(2024, 1, 1, 23, 30,
                                                                                           tzinfo=dt.UTC))
    late = factories.ArticleRevisionFactory(text=text, article__published_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    claim, other = factories.ClaimFactory(), factories.ClaimFactory()
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
    position = services.statement_create(revision=late, start=41, end=59, stance=Stance.POSITION,
                                         origin=Origin.EXTRACTED, party=azerbaijan)[0]
    kept, counted = _all_right()
    assert kept == counted
    assert _party_days()[(azerbaijan.pk, dt.date(2024, 3, 1), "position")] == 1  # positions count on a party's days
    assert sum(_accepted().values()) == 0

    # Accepts, an accept with a new stance, an un-accept (back to pending), a rejection.
    for statement in made[:3]:
        services.statement_review(statement=statement, actor=analyst, action="accept")
    made[3].refresh_from_db()
    services.statement_review(statement=made[3], actor=analyst, action="accept", stance=Stance.ASSERTS)
    Statement.objects.filter(pk=made[2].pk).update(review_state=ReviewState.PENDING)
    made[4].refresh_from_db()
    services.statement_review(statement=made[4], actor=analyst, action="reject")
    kept, counted = _all_right()
    assert kept == counted
    assert _accepted()[(claim.pk, turkey.pk, "", "asserts")] == 1
    assert _accepted()[(claim.pk, None, "An official", "questions")] == 0

    # A later revision withdraws an accepted statement; another one is moved to the other claim on accept.
    newer = factories.ArticleRevisionFactory(article=early.article, number=2, text="Ankara said nothing.")
    services.statement_withdraw_many(statement_ids=[made[0].pk], revision=newer)
    made[5].refresh_from_db()
    services.statement_review(statement=made[5], actor=analyst, action="accept", claim=other)
    kept, counted = _all_right()
    assert kept == counted

    # The article is re-dated (its statements move day), then the claims and the parties are merged.
    Article.objects.filter(pk=late.article_id).update(published_at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC))
    assert _all_right()[0] == _all_right()[1]
    services.claim_merge(source=other, target=claim, actor=analyst)
    services.party_merge(source=azerbaijan, target=turkey, actor=analyst)
    kept, counted = _all_right()
    assert kept == counted
    assert {p for p, _, _ in _party_days()} == {turkey.pk}

    # Bulk writes and deletes go past the services; the triggers see them too.
    Statement.objects.filter(claim=claim).update(review_state=ReviewState.ACCEPTED)
    Statement.objects.filter(pk=position.pk).delete()
    Statement.objects.filter(pk=made[1].pk).delete()
    kept, counted = _all_right()
    assert kept == counted
    assert _claim_days() != set()


def test_ended_sessions_party_days_are_folded_and_an_emptied_day_goes(db):
    party = factories.PartyFactory()
    day = dt.date(2025, 2, 2)
    factories.StatementFactory(party=party, revision=factories.ArticleRevisionFactory(
        article__published_at=dt.datetime(2025, 2, 2, 12, tzinfo=dt.UTC)))
    # Shares as ended sessions leave them (no backend has a negative pid): one day that sums to nothing.
    PartyDay.objects.bulk_create([
        PartyDay(party=party, day=dt.date(2025, 1, 1), stance="denies", slot=-1, statements=1),
        PartyDay(party=party, day=dt.date(2025, 1, 1), stance="denies", slot=-2, statements=-1),
        PartyDay(party=party, day=day, stance="asserts", slot=-3, statements=2),
        PartyDay(party=party, day=day, stance="asserts", slot=-4, statements=-2),
    ])
    services.tally_fold()
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_tally_fold()")  # a second fold has nothing left to do

    assert _party_days() == _party_days_counted() == {(party.pk, day, "asserts"): 1}
    # The ended sessions' shares are gone, the emptied day with them; this live session keeps its own share.
    assert set(PartyDay.objects.values_list("day", "slot")) == {(day, connection.connection.info.backend_pid)}
    assert selectors.party_day_range(party_ids=selectors.party_and_below_ids(party.pk)) == (day, day)


def test_the_recounts_give_what_the_triggers_kept(analyst):
    party = factories.PartyFactory()
    statements = factories.StatementFactory.create_batch(3, party=party)
    factories.StatementFactory(party=party, claim=statements[0].claim, review_state=ReviewState.ACCEPTED,
                               stance=Stance.DENIES)
    services.statement_review(statement=statements[1], actor=analyst, action="accept")
    by_triggers = _all_right()[0]

    with transaction.atomic():
        counters.counters_suspend()
        ClaimStance.objects.all().delete()
        counters.claim_stances_recount()
        counters.claim_counters_resume()
        counters.tallies_recount()

    assert _all_right()[0] == by_triggers == _all_right()[1]
    assert set(PartyDay.objects.values_list("slot", flat=True)) == {0}


def _big_claim(parties: int = 12) -> tuple[Claim, list[Party]]:
    """A claim quoted by `parties` parties, the i-th i times (accepted), on three days, and once more pending."""
    claim = factories.ClaimFactory()
    who = [factories.PartyFactory(name=f"Party {i:02}") for i in range(parties)]
    days = [factories.ArticleRevisionFactory(text="The ministry said the bridge was destroyed. " * 40,
                                             article__published_at=dt.datetime(2025, 4, d, 9, tzinfo=dt.UTC))
            for d in (1, 2, 3)]
    for i, party in enumerate(who, start=1):
        for n in range(i):
            factories.StatementFactory(claim=claim, party=party, revision=days[n % 3], start=44 * n, end=44 * n + 43,
                                       review_state=ReviewState.ACCEPTED,
                                       stance=Stance.DENIES if i % 3 == 0 else Stance.ASSERTS)
        factories.StatementFactory(claim=claim, party=party, revision=days[0], start=44 * i, end=44 * i + 43)
    claim.refresh_from_db()
    return claim, who


def test_the_public_page_counts_accepted_statements_from_the_groups(db):
    claim, who = _big_claim()
    # The earliest article's accepted statement, withdrawn by the article's next revision: on no public count.
    found = factories.ArticleRevisionFactory(article__published_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    withdrawn = factories.StatementFactory(
        claim=claim, party=who[-1], revision=found, review_state=ReviewState.ACCEPTED, withdrawn_at=timezone.now(),
        withdrawn_in=factories.ArticleRevisionFactory(article=found.article, number=2),
    )
    factories.StatementFactory(claim=claim, party=who[1], review_state=ReviewState.REJECTED)

    public = selectors.claim_public_who(claim=claim, limit=5)
    appearances = selectors.claim_public_appearances(claim=claim, limit=2)

    # The slow way: the accepted statements, neither withdrawn, grouped by party and stance.
    slow = (
        Statement.objects.filter(claim=claim, review_state=ReviewState.ACCEPTED, withdrawn_at=None)
        .order_by().values_list("party__name", "stance").annotate(n=Count("pk")).order_by("-n", "party__name")[:5]
    )
    assert [(p.who, p.stance, p.statements) for p in public] == list(slow)
    assert [(p.who, p.statements) for p in public] == [(f"Party {i:02}", i + 1) for i in (11, 10, 9, 8, 7)]
    first_two = (
        Article.objects.filter(statements__claim=claim, statements__review_state=ReviewState.ACCEPTED,
                               statements__withdrawn_at=None)
        .distinct().order_by("published_at", "id")[:2]
    )
    assert appearances == list(first_two)
    assert withdrawn.article not in appearances


def test_the_claim_and_party_charts_read_the_days_not_the_statements(db):
    claim, who = _big_claim()
    factories.StatementFactory(party=who[-1], claim=None, stance=Stance.POSITION)  # on the party's chart only
    parties = [(p.pk, p.name) for p in reversed(who)]
    span = ChartRange(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), data_start=None, data_end=None,
                      clipped=False)
    below = selectors.party_and_below_ids(who[-1].pk)

    chart = selectors.claim_who_when(claim=claim, parties=parties)
    daily = selectors.party_daily_by_stance(party_ids=below, span=span)

    with timezone.override("Europe/Paris"):  # the statements' way, which another time zone takes
        assert selectors.claim_who_when(claim=claim, parties=parties) == chart
    assert chart.days == (dt.date(2025, 4, 1), dt.date(2025, 4, 2), dt.date(2025, 4, 3))
    assert chart.rows[0] == ("Party 11", [  # twelve accepted denials over three days, one assertion pending
        (dt.date(2025, 4, 1), "asserts", 1), (dt.date(2025, 4, 1), "denies", 4), (dt.date(2025, 4, 2), "denies", 4),
        (dt.date(2025, 4, 3), "denies", 4),
    ])
    assert daily == _daily(_counted_statements().filter(party_id__in=below), span=span)
    assert selectors.party_day_range(party_ids=below) == (dt.date(2025, 4, 1), timezone.now().date())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_statement, claims_claimpartyday, claims_partyday")
    queries = [
        ClaimPartyDay.objects.filter(claim=claim, party_id__in=[pk for pk, _ in parties[:10]]),
        PartyDay.objects.filter(party_id__in=below, day__gte=span.start, day__lte=span.end),
    ]
    for query in queries:
        plan = json.loads(query.explain(format="json", analyze=True))[0]["Plan"]
        assert _rows_read(plan, "claims_statement") == 0
    with connection.cursor() as cursor:
        # A table of 76 rows is read whole quicker than probed; at scale the probes are the plan (the bench's
        # EXPLAIN in docs/benchmarks.md): here they are asked for, to check that they are two rows a party.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + selectors.charts._PARTY_DAY_RANGE_SQL.format(ids=below.sql),
            below.params,
        )
        plan = cursor.fetchone()[0][0]["Plan"]
    assert _rows_read(plan, "claims_statement") == 0
    assert _rows_read(plan, "claims_partyday") == 2  # the party's first and last day, not its every day


def test_a_big_claims_public_groups_read_no_statement(db):
    claim, _ = _big_claim()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_statement, claims_claimstance")
    query = (
        ClaimStance.objects.filter(claim=claim, accepted__gt=0, stance__in=[s.value for s in Stance])
        .annotate(who=Coalesce("party__name", "speaker")).order_by("-accepted", "who", "stance")
        .values_list("who", "stance", "accepted")[:5]
    )

    plan = json.loads(query.explain(format="json", analyze=True))[0]["Plan"]

    assert _rows_read(plan, "claims_statement") == 0
    assert _rows_read(plan, "claims_claimstance") <= 24  # the claim's groups, never its statements


def test_the_generator_fills_the_counts_as_the_triggers_would(db):
    call_command("generate_data", outlets=5, parties=60, articles=80, claims=50, statements=400, stdout=StringIO())

    kept, counted = _all_right()
    assert kept == counted
    assert all(part for part in kept)  # accepted groups, claim days and party days were all generated
    assert set(PartyDay.objects.values_list("slot", flat=True)) == {0}
