"""Publication times are kept when a page or its feed gives them: a day-only page date does not erase the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sources.extraction import html_extract
from sources.services import _published_at

BODY = "<p>" + "The minister said the talks would continue next week in the capital, officials confirmed. " * 6 + "</p>"


def _page(head: str) -> str:
    return f"<html><head><title>Talks</title>{head}</head><body><article><h1>Talks</h1>{BODY}</article></body></html>"


def test_the_page_time_is_kept_with_its_zone():
    page = _page('<meta property="article:published_time" content="2020-09-29T14:05:00+03:00">')
    published = html_extract(html=page, url="https://news.example/talks").published_at
    assert published == datetime(2020, 9, 29, 14, 5, tzinfo=timezone(timedelta(hours=3)))


def test_a_day_only_page_keeps_the_feeds_time_for_that_day():
    day = datetime(2020, 9, 29, tzinfo=UTC)
    feed = datetime(2020, 9, 29, 16, 40, tzinfo=UTC)
    assert _published_at(page=day, feed=feed, kept=None) == feed


def test_the_page_wins_when_it_gives_a_time_or_another_day():
    feed = datetime(2020, 9, 29, 16, 40, tzinfo=UTC)
    timed = datetime(2020, 9, 29, 9, 15, tzinfo=UTC)
    other_day = datetime(2020, 9, 28, tzinfo=UTC)
    assert (_published_at(page=timed, feed=feed, kept=None), _published_at(page=other_day, feed=feed, kept=None)) \
        == (timed, other_day)


def test_nothing_new_keeps_what_was_known():
    kept = datetime(2020, 9, 29, 8, 0, tzinfo=UTC)
    assert _published_at(page=None, feed=None, kept=kept) == kept
