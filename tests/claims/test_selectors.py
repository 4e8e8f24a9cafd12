"""Reads: who says what about a claim, and party resolution."""

import datetime as dt

import pytest

from claims.models import Claim, Party, Statement
from claims.selectors import ArticleRef, PartyStance, claim_stance_summary, party_resolve
from claims.services import statement_review
from tests.factories import ClaimFactory, PartyAliasFactory, PartyFactory, StatementFactory

DAY = dt.datetime(2020, 9, 29, tzinfo=dt.UTC)


def test_f16_claim_stance_summary_on_the_seed(seeded):
    claim = Claim.objects.get(slug="f16-shootdown")
    party = {p.slug: p.pk for p in Party.objects.all()}
    article1, article2 = (s.article for s in Statement.objects.filter(claim=claim).order_by("article_id")[::3])

    summary = claim_stance_summary(claim=claim)

    assert summary.parties == (
        PartyStance(party["armenia"], "Armenia", None, "asserts", 1, DAY, DAY),
        PartyStance(party["armenia-mod"], "Ministry of Defence of Armenia", "Armenia", "asserts", 2, DAY, DAY),
        PartyStance(party["azerbaijan"], "Azerbaijan", None, "denies", 1, DAY, DAY),
        PartyStance(party["turkey"], "Turkey", None, "denies", 2, DAY, DAY),
    )
    assert summary.articles == (
        ArticleRef(article1.pk, "Baku, Azerbaijan", "", DAY),
        ArticleRef(article2.pk, "In Nagorno-Karabakh, signs of escalating and widening conflict.", "", DAY),
    )
    assert (summary.claim_id, summary.first_seen, summary.last_seen, summary.contested) == (claim.pk, DAY, DAY, True)
    assert (summary.parties_total, summary.parties_shown, summary.more_articles) == (4, 4, False)


def test_stance_summary_caps_parties_and_articles_most_quoted_first(db):
    claim = ClaimFactory()
    quiet, busy, busiest = PartyFactory(name="Quiet"), PartyFactory(name="Busy"), PartyFactory(name="Busiest")
    for party, stances in ((quiet, ["asserts"]), (busy, ["asserts", "denies"]), (busiest, ["denies"] * 3)):
        for stance in stances:
            StatementFactory(claim=claim, party=party, stance=stance)
    articles = sorted(Statement.objects.filter(claim=claim), key=lambda s: (s.article.published_at, s.article_id))

    summary = claim_stance_summary(claim=claim, parties=2, articles=4)

    # Busy's two stances both come with it; Quiet (one statement) is left out.
    assert [(p.party, p.stance, p.statements) for p in summary.parties] == [
        ("Busy", "asserts", 1), ("Busiest", "denies", 3), ("Busy", "denies", 1),
    ]
    assert (summary.parties_total, summary.parties_shown, summary.contested) == (3, 2, True)
    assert [a.id for a in summary.articles] == [s.article_id for s in articles[:4]]
    assert summary.more_articles is True


def test_a_claim_only_asserted_is_not_contested(seeded):
    summary = claim_stance_summary(claim=Claim.objects.get(slug="karabakh-84-soldiers"))

    assert [(p.party, p.stance) for p in summary.parties] == [
        ("Nagorno-Karabakh authorities", "asserts"),
        ("Nagorno-Karabakh military", "asserts"),
    ]
    assert summary.contested is False


def test_rejected_statements_do_not_count(seeded, analyst):
    claim = Claim.objects.get(slug="f16-shootdown")
    for statement in Statement.objects.filter(claim=claim, stance="denies"):
        statement_review(statement=statement, actor=analyst, action="reject")

    summary = claim_stance_summary(claim=claim)

    assert {p.stance for p in summary.parties} == {"asserts"}
    assert summary.contested is False


@pytest.mark.parametrize(
    "mention, slug",
    [
        ("Azerbaijan's defence ministry", "azerbaijan-mod"),
        ("Azerbaijan’s defence ministry", "azerbaijan-mod"),  # curly apostrophe, as articles print it
        ("AZERBAIJAN'S DEFENSE MINISTRY", "azerbaijan-mod"),  # case and US spelling
        ("Azerbaijani Defense Ministry", "azerbaijan-mod"),
        ("the Armenian Defense Ministry", "armenia-mod"),
        ("Ministry of Defence of Armenia", "armenia-mod"),  # the party's own name
        ("UN Secretary-General António Guterres", "guterres"),  # accents
        ("Ankara", "turkey"),
    ],
)
def test_party_resolve_ignores_case_accents_and_possessives(seeded, mention, slug):
    assert party_resolve(mention=mention).slug == slug


def test_party_resolve_returns_none_for_an_unknown_speaker(seeded):
    assert party_resolve(mention="A spokesman for the Kremlin's pet project") is None
    assert party_resolve(mention="   ") is None


def test_party_resolve_prefers_an_alias_over_another_party_named_alike(db):
    named = PartyFactory(name="Ankara")
    alias = PartyAliasFactory(text="Ankara", party=PartyFactory(name="Turkey"))

    assert party_resolve(mention="ankara") == alias.party
    assert named.pk != alias.party_id


def test_stance_summary_groups_unresolved_speakers_by_their_words(db):
    statement = StatementFactory(party=None, speaker_text="A senior official")

    summary = claim_stance_summary(claim=statement.claim)

    assert [(p.party_id, p.party, p.statements) for p in summary.parties] == [(None, "A senior official", 1)]


def test_daily_stances_cover_the_30_days_up_to_the_latest_report_undated_articles_by_their_statements(db):
    from django.utils import timezone

    from claims.selectors import statement_daily_by_stance
    from tests.factories import ArticleFactory, ArticleRevisionFactory

    def statement_on(published_at, stance="asserts", **kwargs):
        revision = ArticleRevisionFactory(article=ArticleFactory(published_at=published_at))
        return StatementFactory(revision=revision, stance=stance, **kwargs)

    last = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    statement_on(last, "asserts")
    statement_on(last - dt.timedelta(days=29), "denies")
    statement_on(last - dt.timedelta(days=30), "denies")  # one day before the window
    statement_on(last, "denies", review_state="rejected")  # rejected statements are not counted
    undated = statement_on(None, "asserts")
    Statement.objects.filter(pk=undated.pk).update(created_at=last - dt.timedelta(days=2))

    daily = statement_daily_by_stance(days=30)

    first_day, last_day = timezone.localtime(last - dt.timedelta(days=29)).date(), timezone.localtime(last).date()
    assert (daily.days[0], daily.days[-1], len(daily.days)) == (first_day, last_day, 30)
    assert sum(daily.counts.values()) == 3
    assert daily.counts[(last_day, "asserts")] == 1
    assert daily.counts[(first_day, "denies")] == 1
    assert daily.counts[(last_day - dt.timedelta(days=2), "asserts")] == 1

    # An undated article's statement recorded after every dated report moves the window to its day.
    later = statement_on(None, "confirms")
    Statement.objects.filter(pk=later.pk).update(created_at=last + dt.timedelta(days=10))
    assert statement_daily_by_stance(days=30).days[-1] == timezone.localtime(last + dt.timedelta(days=10)).date()


def test_daily_stances_are_empty_without_statements(db):
    from claims.selectors import statement_daily_by_stance

    assert statement_daily_by_stance(days=30).days == ()


@pytest.mark.django_db
def test_a_common_word_walks_the_date_index_at_once_and_finds_the_same_claims(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import selectors

    bridges = [ClaimFactory(text=f"Bridge {n} was destroyed near the river").pk for n in range(30)]
    for n in range(5):
        ClaimFactory(text=f"A dam upstream, number {n}, was breached")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")  # the word statistics the shortcut reads
    monkeypatch.setattr(selectors.claims, "COMMON_WORD_CLAIMS", 10)

    def search(q):
        with CaptureQueriesContext(connection) as queries:
            claims, few = selectors.claim_filter_text(Claim.objects.all(), q=q)
            found = sorted(claims.values_list("pk", flat=True))
        return found, few, any("WITH found" in x["sql"] for x in queries.captured_queries)

    assert search("bridge") == (sorted(bridges), False, False)
    # Not one plain common word: the ids are collected first, as before.
    assert search("dam")[1:] == (True, True)
    assert search("bridge -river")[1:] == (True, True)
    assert search('"bridge destroyed"')[1:] == (True, True)
    monkeypatch.setattr(selectors.claims, "COMMON_WORD_CLAIMS", 10**9)
    assert search("bridge") == (sorted(bridges), True, True)
