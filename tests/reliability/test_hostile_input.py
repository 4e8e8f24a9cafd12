"""Hostile input, fuzzed with Hypothesis: feeds and pages never crash ingestion and never leave a partial
article; the language analysis never raises on any text. (The API's inputs: tests/api/test_schema.py.)"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.analysis import KnownParty, analyse
from sources import services
from sources.feeds import FeedError, feed_parse
from sources.models import Article, ArticleRevision, IngestionItem
from tests.factories import OutletFactory
from tests.sources.conftest import Response, article_html

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>http://example.org/a</link>
</item></channel></rss>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title><link>http://example.org/&xxe;</link>
</item></channel></rss>"""
WORDS = ["The", "ministry", "said", "that", "the", "bridge", "fell."]
ZW_RTL = "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u2066\u2067\u2069"

HOSTILE_FEEDS = [
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    b"<rss><channel><item><title>unclosed",
    b"<rss version='2.0'><channel>" + b"<item>" * 20000 + b"</channel></rss>",
    b"<rss version='2.0'><channel><item><link a='" + b"x" * 2_000_000 + b"'>http://e.org/</link></item></channel></rss>",
    bytes(range(256)) * 64,
    b"\x00" * 10000,
    ("<rss version='2.0'><channel><item><title>" + ZW_RTL * 50 + "</title><link>http://e.org/" + ZW_RTL
     + "</link></item></channel></rss>").encode(),
    "<?xml version='1.0' encoding='utf-8'?><rss><channel><title>caf\u00e9</title></channel></rss>".encode("latin-1"),
    b"\xef\xbb\xbf\xff\xfe<\x00r\x00s\x00s\x00>",
    b"",
]


@pytest.mark.parametrize("body", HOSTILE_FEEDS, ids=range(len(HOSTILE_FEEDS)))
def test_feed_parse_never_crashes_and_never_expands_entities(body):
    try:
        parsed = feed_parse(body=body, url="http://example.org/feed.xml", content_type="application/rss+xml")
    except FeedError:
        return
    for entry in parsed.entries:
        assert "lollollol" not in entry.title and "root:" not in entry.title
        assert len(entry.link) < 10_000


@FUZZ
@given(body=st.binary(max_size=3000) | st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_feed_parse_takes_any_bytes(body):
    with contextlib.suppress(FeedError):
        feed_parse(body=body, url="http://example.org/feed.xml")


def _page_bodies():
    nested = "<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000
    return st.one_of(
        st.binary(max_size=4000),
        st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([
            nested.encode(), BILLION_LAUGHS, f"<html><body><p title='{'a' * 500_000}'>x</p></body></html>".encode(),
            article_html(title=ZW_RTL * 3, paragraphs=[ZW_RTL.join(WORDS) * 5] * 3).encode(),
            article_html(title="Mixed", paragraphs=["Министерство заявило " * 20]).encode("utf-8")
            + "Le ministère a déclaré ".encode("latin-1") * 20 + "参与者说 ".encode("gb2312") * 20,
        ]),
        st.builds(lambda paras, title: article_html(title=title, paragraphs=paras).encode("utf-8", "surrogatepass"),
                  st.lists(st.text(min_size=0, max_size=400), max_size=6), st.text(max_size=80)),
    )


@pytest.mark.django_db
@FUZZ
@given(body=_page_bodies(), content_type=st.sampled_from(["text/html; charset=utf-8", "text/html", "text/plain",
                                                          "text/html; charset=x-unknown"]))
def test_a_hostile_page_is_stored_whole_or_not_at_all(site, body, content_type):
    url = site.add("/page", Response(body=body, content_type=content_type))
    articles_before = Article.objects.count()

    run = services.article_submit_urls(urls=[url + f"?n={IngestionItem.objects.count()}"], inline=True)

    item = IngestionItem.objects.get(run=run)
    assert item.status in {"new", "updated", "unchanged", "duplicate", "failed"}, item.status
    if item.status == "failed":
        assert item.error
        assert Article.objects.count() == articles_before
    else:
        revision = ArticleRevision.objects.filter(article=item.article).order_by("-number").first()
        assert revision is not None and revision.text.strip()


@pytest.mark.django_db
@pytest.mark.parametrize("body", HOSTILE_FEEDS[:8], ids=range(8))
def test_a_hostile_feed_fails_its_run_or_reads_cleanly_and_stores_no_article(site, body):
    url = site.add("/feed.xml", Response(body=body, content_type="application/rss+xml"))
    feed = services.feed_create(outlet=OutletFactory(), url=url)

    run = services.feed_poll(feed=feed, inline=True)

    run.refresh_from_db()
    assert run.status in {"succeeded", "failed", "partial"}, run.status
    assert Article.objects.filter(revisions__isnull=True).count() == 0


PARTIES = [KnownParty(id="am-mod", name="Armenian Defence Ministry", kind="ministry", aliases=("Yerevan",)),
           KnownParty(id="tr", name="Turkey", kind="state", aliases=("Ankara",))]


@FUZZ
@given(text=st.text(max_size=1500) | st.lists(st.sampled_from([
    "The Armenian Defence Ministry said", " that ", "Ankara denied", "\u201c", "\u201d", '"', ".", "\n\n",
    ZW_RTL, " according to ", "Turkey", " claimed ", "F-16", " shot down ", "\u202e", "\x00", "(", ")", ",",
]), max_size=80).map("".join))
def test_the_analysis_never_raises_on_any_text(text):
    statements = analyse(text, PARTIES)

    for statement in statements:  # every span it reports is really in the text, where it says
        for span in [*statement.cue, *statement.content, *([statement.speaker] if statement.speaker else [])]:
            assert text[span.start:span.end] == span.text
