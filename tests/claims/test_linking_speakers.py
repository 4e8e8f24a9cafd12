"""Speakers proposed across articles (invented texts): a lone surname is the one person it names, and a surname
proposed first becomes the person a later article names in full."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from claims.enums import Origin
from claims.linking import revision_analyse
from claims.models import Party, Statement
from sources.models import Article, ArticleRevision


def _analyse(n: int, text: str) -> None:
    article = Article.objects.create(url=f"https://x.example/{n}", canonical_url=f"https://x.example/{n}",
                                     published_at=timezone.now())
    revision = ArticleRevision.objects.create(
        article=article, number=1, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(),
        fetched_at=timezone.now(),
    )
    revision_analyse(revision=revision)


def _extracted() -> list[tuple[str, str]]:
    return sorted(Party.objects.filter(origin=Origin.EXTRACTED).values_list("name", "kind"))


def test_a_lone_surname_is_the_person_every_other_fit_extends(db):
    _analyse(1, "Tomas Brekke Jr. said on Tuesday that the ferry had been sold to a Danish firm.")
    _analyse(2, "Senator Tomas Brekke said on Monday that the harbour tax had been dropped.")
    _analyse(3, "Brekke said the harbour tax would be debated again in the spring.")

    assert _extracted() == [("Tomas Brekke", "person"), ("Tomas Brekke Jr.", "person")]
    last = Statement.objects.get(revision__article__url="https://x.example/3")
    assert last.party.name == "Tomas Brekke"


def test_a_surname_proposed_first_becomes_the_person_named_in_full_later(db):
    _analyse(1, "Okonkwo said on Monday that the harbour tax had been dropped.")
    first = Statement.objects.get().party
    _analyse(2, "The mayor, Adaeze Okonkwo, said on Tuesday that the ferry had been sold to a Danish firm.")

    assert _extracted() == [("Adaeze Okonkwo", "person")]
    first.refresh_from_db()
    assert (first.name, first.kind) == ("Adaeze Okonkwo", "person")
    assert set(first.aliases.values_list("text", flat=True)) >= {"Okonkwo", "Adaeze Okonkwo"}
    assert Statement.objects.filter(party=first).count() == 2


def test_an_unresolved_relative_pronoun_speaker_shows_what_it_stands_for(db):
    _analyse(1, "The storm cut off the coastal region, which said its boats had been lost.")

    (statement,) = Statement.objects.filter(quote__contains="boats")
    assert statement.party is None
    assert statement.speaker_text == "the coastal region"


def test_a_report_whose_content_says_nothing_is_not_put_in_the_review_queue(db):
    # "cited “disparaging remarks”": a noun phrase, no clause, no event, no denial of what came before; the
    # analysis keeps it (PolNeAR counts such attributions), the review queue does not.
    _analyse(1, "Ada Holm cited “disparaging remarks” by the mayor.\n\n"
                "Ada Holm said the ferry to Brekkoy would run again in May.")

    assert list(Statement.objects.values_list("quote", flat=True)) == ["the ferry to Brekkoy would run again in May"]


def test_one_speaker_on_both_sides_of_one_claim_in_one_article_is_a_misread_link_not_a_contest(db):
    _analyse(1, "The harbour board said the ferry to Brekkoy had reopened in May.\n\n"
                "Later the harbour board said the ferry to Brekkoy had not reopened in May.")

    rows = list(Statement.objects.order_by("start").values_list("stance", "claim__text"))
    assert rows == [("asserts", "The ferry to Brekkoy had reopened in May"), ("denies", None)]
