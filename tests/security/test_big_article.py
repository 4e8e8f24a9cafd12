"""One huge article: the reader shows its statements a window at a time (constant queries, bounded page), and
the analysis keeps at most ANALYSIS_MAX_STATEMENTS_PER_ARTICLE statements, flagging the article for a person."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.enums import Origin, ReviewState, Stance
from claims.linking import revision_analyse
from claims.models import Statement
from sources.views import ARTICLE_STATEMENTS_PER_PAGE
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory

SENTENCE = "The ministry said the bridge was destroyed. "


def _article(n: int):
    revision = ArticleRevisionFactory(text=SENTENCE * n)
    party, claim = PartyFactory(), ClaimFactory()
    Statement.objects.bulk_create([
        StatementFactory.build(
            revision=revision, article=revision.article, party=party, claim=claim, stance=Stance.ASSERTS,
            start=i * len(SENTENCE), end=(i + 1) * len(SENTENCE) - 1, quote=SENTENCE.strip(),
            origin=Origin.EXTRACTED, review_state=ReviewState.PENDING,
        ) for i in range(n)
    ])
    return revision.article


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured), answer.content.decode()


def test_the_article_page_costs_the_same_queries_for_3_or_600_statements(client, viewer):
    client.force_login(viewer)
    small, big = _article(3), _article(600)

    small_queries, _ = _queries(client, reverse("sources:article_detail", args=[small.pk]))
    big_queries, page = _queries(client, reverse("sources:article_detail", args=[big.pk]))
    _, second = _queries(client, reverse("sources:article_detail", args=[big.pk]) + "?statements_page=2")

    assert big_queries == small_queries
    assert page.count('<li id="sd-') == ARTICLE_STATEMENTS_PER_PAGE
    assert f"Statements 1–{ARTICLE_STATEMENTS_PER_PAGE} of 600" in page
    assert f"Statements {ARTICLE_STATEMENTS_PER_PAGE + 1}–{2 * ARTICLE_STATEMENTS_PER_PAGE} of 600" in second
    assert page.count("<mark") < 3 * ARTICLE_STATEMENTS_PER_PAGE  # only this window's statements are marked


def test_the_review_queue_stays_one_batch_for_a_huge_article(client, analyst):
    client.force_login(analyst)
    _article(3)
    small_queries, _ = _queries(client, reverse("claims:review_queue"))
    _article(600)
    big_queries, page = _queries(client, reverse("claims:review_queue"))

    assert big_queries == small_queries
    assert page.count('class="review-item') == 20


def test_the_analysis_keeps_at_most_the_limit_and_flags_the_article(db, settings):
    settings.ANALYSIS_MAX_STATEMENTS_PER_ARTICLE = 3
    sentences = [f"The {place} ministry said the bridge at {place} was destroyed." for place in
                 ("Alba", "Brest", "Corte", "Dax", "Evian", "Foix", "Gap", "Hyeres")]
    revision = ArticleRevisionFactory(text=" ".join(sentences))

    report = revision_analyse(revision=revision)

    revision.article.refresh_from_db()
    assert report.found > 3
    assert Statement.objects.filter(revision=revision).count() <= 3
    assert revision.article.error == (
        f"Analysis kept the first 3 of {report.found} statements found (ANALYSIS_MAX_STATEMENTS_PER_ARTICLE): "
        "an article this long needs a person to look at it."
    )
