"""The pipeline's link decision: the calibrated model over retrieved candidates, the headline's help, and the
confidence the review queue sorts by."""

from __future__ import annotations

import pytest

from claims import selectors
from claims.analysis.matching import link_models
from claims.linking import _Headline, claim_decide, claim_match, revision_analyse
from claims.models import Statement
from claims.services import claim_create
from tests.factories import ArticleFactory, ArticleRevisionFactory, StatementFactory

SEIZURE = "The Velorian navy seized a cargo ship in the Strait of Kessa"


def test_a_report_in_other_words_links_with_a_probability_and_an_unrelated_text_does_not(db):
    claim = claim_create(text=SEIZURE)
    claim_create(text="A dam burst in northern Tarsk and flooded three villages")

    decision = claim_decide(text="Velorian warships seized a cargo vessel in the Kessa strait")
    unrelated = claim_decide(text="The museum opened a new wing for modern sculpture")

    assert (decision.best, decision.claim) == (claim, claim)
    assert decision.probability >= link_models()["single"].threshold
    assert unrelated.claim is None and unrelated.probability < link_models()["single"].threshold
    assert claim_match(text="The museum opened a new wing for modern sculpture") == (None, unrelated.probability)


def test_a_statement_that_says_what_the_headline_says_takes_the_headlines_claim(db):
    claim = claim_create(text=SEIZURE)
    headline = _Headline("Velorian navy seizes cargo ship in Kessa strait")

    assert headline.claim_for("the navy had seized a cargo ship in the Kessa strait")[0] == claim
    assert headline.claim_for("the harbour master resigned after the storm") is None
    assert _Headline("").claim_for("the navy had seized a cargo ship") is None


def test_a_headline_that_reports_a_denial_lends_no_claim_to_statements_that_share_its_words(db):
    # "Navy Denies Seizing ...": a statement with the headline's words may be either side of the claim, so taking
    # the headline's claim with the statement's own stance could turn a defence into an assertion.
    claim_create(text=SEIZURE)
    wording = "the navy had seized a cargo ship in the Kessa strait"

    assert _Headline("Velorian navy seizes cargo ship in Kessa strait").claim_for(wording) is not None
    assert _Headline("Velorian Navy Denies Seizing Cargo Ship In Kessa Strait").claim_for(wording) is None
    assert _Headline("Velorian navy did not seize cargo ship in Kessa strait").claim_for(wording) is None


def test_two_outlets_reporting_one_story_in_other_words_give_one_claim(db):
    first = ArticleRevisionFactory(
        article=ArticleFactory(title="Velorian navy seizes cargo ship"),
        text="The Velorian Defence Ministry said on Monday that its navy had seized a cargo ship in the Strait "
             "of Kessa.",
    )
    second = ArticleRevisionFactory(
        article=ArticleFactory(title="Cargo ship seized by Velorian navy in Kessa strait"),
        text="A spokesman for the Velorian Defence Ministry told reporters that Velorian warships had seized a "
             "cargo vessel in the Kessa strait.",
    )

    revision_analyse(revision=first)
    report = revision_analyse(revision=second)

    statements = list(Statement.objects.exclude(claim=None).order_by("article_id"))
    assert [s.article_id for s in statements] == [first.article_id, second.article_id]
    assert len({s.claim_id for s in statements}) == 1
    assert (report.claims_linked, report.claims_proposed) == (1, 0)
    # The linked statement's confidence carries the link's probability; below its extraction's own.
    assert 0.0 < statements[1].confidence <= statements[0].confidence


@pytest.mark.parametrize("count", [1, 3])
def test_the_review_queue_puts_the_likeliest_first_and_poor_ones_last(db, count, django_assert_num_queries):
    confidences = [0.3, 0.9, 0.6][:count]
    made = [StatementFactory(confidence=c) for c in confidences]

    with django_assert_num_queries(2):
        batch = selectors.statement_review_batch(limit=10)

    assert [s.pk for s in batch] == [s.pk for s in sorted(made, key=lambda s: -s.confidence)]
