"""The bench's near-duplicate row times the check article_store runs: one query a text, whatever is stored."""

import pytest

from sources.dedup import text_lsh_bands
from tests.factories import ArticleRevisionFactory
from tools.bench.scale import measure_near_duplicate

pytestmark = pytest.mark.django_db


def test_the_near_duplicate_row_times_one_candidate_query_a_run(settings):
    demo = (settings.BASE_DIR / "sources" / "demo" / "article-1.txt").read_text(encoding="utf-8")
    ArticleRevisionFactory(text=demo, lsh_bands=text_lsh_bands(demo))  # a stored copy: a candidate to compare
    lines = []

    row = measure_near_duplicate(runs=3, progress=lines.append)

    assert (len(row.times), len(row.sql), row.queries) == (3, 3, 1)
    assert row.cold is not None and all(t > 0 for t in row.times)
    assert lines[0].startswith("lookup near-duplicate check (MinHash bands, candidates, containment)")
