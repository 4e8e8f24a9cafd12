"""The near-duplicate check's index: RevisionBand rows kept from the revisions' bands, candidates read through it."""

import json

from django.db import connection

from sources.dedup import BANDS, text_lsh_bands
from sources.enums import ArticleStatus
from sources.models import Article, ArticleRevision, RevisionBand
from sources.selectors import NEAR_CANDIDATES, revision_near_candidates
from tests.factories import ArticleFactory, ArticleRevisionFactory
from tests.sources.conftest import OTHER_STORY, STORY

TEXT = "\n\n".join(STORY)
OTHER = "\n\n".join(OTHER_STORY)


def _bands_of(revision) -> list[int]:
    return sorted(RevisionBand.objects.filter(revision=revision).values_list("key", flat=True))


def test_the_band_rows_follow_the_revision_on_insert_update_and_delete_by_any_path(db):
    revision = ArticleRevisionFactory(text=TEXT, lsh_bands=text_lsh_bands(TEXT))
    short = ArticleRevisionFactory()  # too short to compare: no bands, no rows

    assert _bands_of(revision) == sorted(set(text_lsh_bands(TEXT)))
    assert _bands_of(short) == []

    ArticleRevision.objects.filter(pk=revision.pk).update(lsh_bands=text_lsh_bands(OTHER))  # bulk, no save()
    assert _bands_of(revision) == sorted(set(text_lsh_bands(OTHER)))

    with connection.cursor() as cursor:  # raw SQL, outside Django's collector
        cursor.execute("DELETE FROM sources_articlerevision WHERE id = %s", [revision.pk])
    assert RevisionBand.objects.count() == 0


def test_candidates_share_a_band_and_the_likeliest_come_first(db):
    original = ArticleRevisionFactory(text=TEXT, lsh_bands=text_lsh_bands(TEXT))
    ArticleRevisionFactory(text=OTHER, lsh_bands=text_lsh_bands(OTHER))
    bands = text_lsh_bands(TEXT)
    # One band in common only: a weak candidate, listed after the copy that shares all sixteen.
    weak = ArticleRevisionFactory(text=TEXT + " x", lsh_bands=[bands[0], *text_lsh_bands(OTHER)[1:]])
    duplicate = ArticleRevisionFactory(text=TEXT + " y", lsh_bands=bands,
                                       article=ArticleFactory(status=ArticleStatus.DUPLICATE,
                                                               duplicate_of=original.article))
    new = ArticleFactory()

    found = list(revision_near_candidates(bands=bands, exclude_article_id=new.pk))

    assert [(r.pk, r.shared) for r in found] == [(original.pk, 16), (weak.pk, 1)]
    assert duplicate.pk not in [r.pk for r in found]
    assert [r.pk for r in revision_near_candidates(bands=bands, exclude_article_id=original.article_id)] == [weak.pk]


def test_the_candidates_are_read_through_the_band_index_not_row_by_row(db):
    # Enough revisions without a shared band for reading them one by one to show in the plan.
    articles = Article.objects.bulk_create(
        Article(url=f"https://x.example/{i}", canonical_url=f"https://x.example/{i}", status=ArticleStatus.ANALYSED)
        for i in range(5000)
    )
    ArticleRevision.objects.bulk_create(
        ArticleRevision(article=a, number=1, text=f"text {a.pk}", text_hash=f"{a.pk:064x}", fetched_at=a.created_at,
                        lsh_bands=[a.pk])  # a band of its own each
        for a in articles
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sources_article, sources_articlerevision, sources_revisionband")
    ArticleRevisionFactory(text=TEXT, lsh_bands=text_lsh_bands(TEXT))
    query = revision_near_candidates(bands=text_lsh_bands(TEXT), exclude_article_id=0)

    plan = json.loads(query.explain(format="json", analyze=True))[0]["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    scans = {(n["Node Type"], n.get("Relation Name")): n for n in nodes(plan) if "Relation Name" in n}
    assert ("Seq Scan", "sources_articlerevision") not in scans
    assert ("Seq Scan", "sources_article") not in scans
    assert plan["Node Type"] == "Limit" and plan["Plan Rows"] <= NEAR_CANDIDATES
    # Rows read from the revisions: the one that shares bands, once per shared band at most, not the 5,000 others.
    revision_reads = [n for (kind, table), n in scans.items() if table == "sources_articlerevision"]
    assert 1 <= sum(n["Actual Rows"] * n["Actual Loops"] for n in revision_reads) <= BANDS
