"""The analysis wired to the database: statements speakers resolved, claims matched across articles."""

import hashlib
import json
import time

import pytest
from django.utils import timezone

from claims.annotations import annotation_import
from claims.enums import Origin, ReviewState
from claims.linking import claim_match, revision_analyse
from claims.models import Claim, Party, Statement
from claims.services import claim_create, statement_review
from sources.models import Article, ArticleRevision


def _revision(seed_dir, name: str) -> ArticleRevision:
    text = (seed_dir / name).read_text()
    article = Article.objects.create(
        url=f"https://wire.example/{name}", canonical_url=f"https://wire.example/{name}",
        published_at=timezone.now(),
    )
    return ArticleRevision.objects.create(
        article=article, number=1, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(),
        fetched_at=timezone.now(),
    )


@pytest.fixture
def parties(db, seed_dir):
    """The seed's parties only: no claims, no statements, nothing to lean on."""
    gold = json.loads((seed_dir / "gold.json").read_text())
    annotation_import(data={"articles": [], "parties": gold["parties"], "claims": [], "statements": []},
                      base_dir=seed_dir)


def test_f16_claim_is_one_claim_across_both_articles(parties, seed_dir):
    first, second = _revision(seed_dir, "article-1.txt"), _revision(seed_dir, "article-2.txt")

    revision_analyse(revision=first)
    report = revision_analyse(revision=second)

    f16 = Statement.objects.filter(quote__contains="F-16", party__slug__in=["armenia", "armenia-mod"])
    claims = {s.claim_id for s in f16}
    assert len(claims) == 1, [(s.article_id, s.quote, s.claim and s.claim.text) for s in f16]
    assert {s.article_id for s in f16} == {first.article_id, second.article_id}
    claim = Claim.objects.get(pk=claims.pop())
    deniers = set(claim.statements.filter(stance="denies").values_list("party__slug", flat=True))
    assert deniers == {"turkey", "azerbaijan"}
    assert (claim.origin, claim.review_state) == (Origin.EXTRACTED, ReviewState.PENDING)
    assert report.claims_linked >= 1
    assert set(Statement.objects.values_list("origin", "review_state").distinct()) == {
        (Origin.EXTRACTED, ReviewState.PENDING)
    }


def test_analysing_again_adds_nothing_and_keeps_what_analysts_reviewed(parties, seed_dir, analyst):
    revision = _revision(seed_dir, "article-1.txt")
    revision_analyse(revision=revision)
    before = sorted(Statement.objects.values_list("pk", "claim_id", "stance", "review_state"))
    reviewed = Statement.objects.filter(stance="denies").first()
    statement_review(statement=reviewed, actor=analyst, action="reject")

    again = revision_analyse(revision=revision)

    after = sorted(Statement.objects.values_list("pk", "claim_id", "stance", "review_state"))
    assert again.created == 0
    assert [row[:3] for row in after] == [row[:3] for row in before]
    assert Statement.objects.get(pk=reviewed.pk).review_state == ReviewState.REJECTED


def test_an_unknown_speaker_becomes_a_proposed_party(db):
    text = "The Ruritanian Interior Ministry said on Monday that the border crossing at Zenda had been closed."
    revision = ArticleRevision.objects.create(
        article=Article.objects.create(url="https://x.example/1", canonical_url="https://x.example/1"),
        number=1, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(), fetched_at=timezone.now(),
    )

    report = revision_analyse(revision=revision)

    statement = Statement.objects.get()
    assert report.parties_proposed == 1
    assert (statement.party.origin, statement.party.review_state) == (Origin.EXTRACTED, ReviewState.PENDING)
    assert "Ruritanian Interior Ministry" in statement.party.name
    assert statement.claim.text.startswith("The border crossing at Zenda had been closed")


def test_claim_match_finds_the_same_claim_in_other_words(db):
    claim = claim_create(text="A Turkish F-16 shot down an Armenian military aircraft over Armenian airspace")
    claim_create(text="Azerbaijan is using long-range artillery in the disputed enclave")

    found, score = claim_match(
        text="a Turkish F-16 fighter jet had shot down one of its warplanes over Armenian airspace"
    )
    unrelated, _ = claim_match(text="The price of bread doubled in the capital")

    assert found == claim
    assert score > 0.4
    assert unrelated is None


@pytest.mark.worker
def test_the_worker_analyses_a_revision_queued_by_the_pipeline(celery_worker, seed_dir):
    from claims.tasks import analyse_revision

    gold = json.loads((seed_dir / "gold.json").read_text())
    annotation_import(data={"articles": [], "parties": gold["parties"], "claims": [], "statements": []},
                      base_dir=seed_dir)
    revision = _revision(seed_dir, "article-2.txt")

    result = analyse_revision.delay(revision_id=revision.pk).get(timeout=120)

    assert result["revision_id"] == revision.pk
    assert result["created"] == Statement.objects.filter(revision=revision).count() > 10
    assert Party.objects.filter(origin=Origin.EXTRACTED).count() == 0  # every seed speaker was known
    assert analyse_revision.delay(revision_id=10**9).get(timeout=30) is None  # a revision that is gone
    time.sleep(0)  # the worker stays up for the next test's fixture teardown
