"""Importing and exporting annotations shaped like gold.json."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from claims.annotations import AnnotationError, annotation_export, annotation_import
from claims.enums import Origin, ReviewState
from claims.models import Claim, Party, PartyAlias, Statement
from sources.models import Article, ArticleRevision


def _gold(seed_dir: Path) -> dict:
    return json.loads((seed_dir / "gold.json").read_text())


def test_import_loads_the_seed_as_analyst_made_data(seeded):
    assert (Article.objects.count(), Party.objects.count(), Claim.objects.count(), Statement.objects.count()) == (
        2, 20, 11, 39,
    )
    assert set(Statement.objects.values_list("origin", "review_state").distinct()) == {
        (Origin.ANALYST, ReviewState.ACCEPTED)
    }
    assert Party.objects.get(slug="guterres").parent.slug == "un"  # parent defined later in the file


def test_import_twice_creates_nothing_twice(seeded, seed_dir):
    counts = lambda: [m.objects.count() for m in (Article, ArticleRevision, Party, PartyAlias, Claim, Statement)]  # noqa: E731
    before = counts()

    report = annotation_import(data=_gold(seed_dir), base_dir=seed_dir)

    assert counts() == before
    assert (report.statements_created, report.statements_existing, report.articles_matched) == (0, 39, 2)


def test_export_gives_back_what_was_imported(seeded, seed_dir):
    annotation, texts = annotation_export()
    gold = _gold(seed_dir)

    # "about" describes the file; everything else is the data and must survive unchanged.
    assert {k: v for k, v in annotation.items() if k != "about"} == {k: v for k, v in gold.items() if k != "about"}
    assert texts == {name: (seed_dir / name).read_text() for name in ("article-1.txt", "article-2.txt")}


def test_export_command_output_imports_into_an_empty_tracker(seeded, tmp_path):
    call_command("export_annotation", str(tmp_path))
    Statement.objects.all().delete()
    Claim.objects.all().delete()
    PartyAlias.objects.all().delete()
    Party.objects.update(parent=None)
    Party.objects.all().delete()
    ArticleRevision.objects.all().delete()
    Article.objects.all().delete()

    call_command("import_annotation", str(tmp_path / "annotation.json"))

    assert (Party.objects.count(), Claim.objects.count(), Statement.objects.count()) == (20, 11, 39)


def _ingested(web_text: str, *, title: str = "") -> ArticleRevision:
    """An article as the pipeline stores a fetched page: its title apart, the body as extracted."""
    import hashlib

    from django.utils import timezone

    article = Article.objects.create(url="https://wire.example/a2", canonical_url="https://wire.example/a2",
                                     title=title)
    return ArticleRevision.objects.create(
        article=article, number=1, text=web_text, text_hash=hashlib.sha256(web_text.encode()).hexdigest(),
        fetched_at=timezone.now(),
    )


def test_import_matches_an_article_ingested_with_other_white_space(db, seed_dir):
    text = (seed_dir / "article-2.txt").read_text()
    web_text = text.replace("that\nfighting", "that fighting").replace("because\ntheir", "because their")
    revision = _ingested(web_text)

    report = annotation_import(data=_gold(seed_dir), base_dir=seed_dir)

    assert report.articles_matched == 1
    statements = Statement.objects.filter(revision=revision)
    assert statements.count() == 20
    assert all(s.quote == web_text[s.start : s.end] for s in statements)


def test_import_matches_an_article_whose_page_gave_the_headline_as_its_title(db, seed_dir):
    """Page extraction keeps the headline out of the body; the annotated file opens with it."""
    text = (seed_dir / "article-2.txt").read_text()
    headline, _, body = text.partition("\n\n")
    revision = _ingested(body, title=headline.strip())

    report = annotation_import(data=_gold(seed_dir), base_dir=seed_dir)

    assert (report.articles_matched, report.articles_created) == (1, 1)
    assert Article.objects.count() == 2
    statements = Statement.objects.filter(revision=revision)
    assert statements.count() == 20
    assert all(s.quote == body[s.start : s.end] for s in statements)


def test_a_broken_annotation_loads_nothing(db, seed_dir):
    gold = _gold(seed_dir)
    gold["statements"][-1]["party"] = "nobody"

    with pytest.raises(AnnotationError, match="party 'nobody' is not among the parties"):
        annotation_import(data=gold, base_dir=seed_dir)

    assert (Article.objects.count(), Party.objects.count(), Statement.objects.count()) == (0, 0, 0)


def test_evidence_that_is_not_in_the_text_is_refused(db, seed_dir):
    gold = _gold(seed_dir)
    gold["statements"][0]["evidence"] = "words that appear nowhere"

    with pytest.raises(AnnotationError, match=r"statement 1 .* is not in the article's text"):
        annotation_import(data=gold, base_dir=seed_dir)
