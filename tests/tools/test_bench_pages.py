"""The extraction benchmark's committed pages (tools/bench/pages) are what their generator makes."""

from __future__ import annotations

from tools.bench.make_pages import PAGES_DIR, page

BENCH_PAGES = sorted(PAGES_DIR.glob("*.html"))


def test_the_benchmark_pages_on_disk_are_the_ones_the_generator_makes():
    assert len(BENCH_PAGES) == 24
    assert BENCH_PAGES[5].read_text(encoding="utf-8") == page(5)
