"""Small things seen on the walk: no doubled quote marks, unique element ids, the party page's verdict links."""

from __future__ import annotations

import re
from collections import Counter

from django.urls import reverse

from claims.enums import ReviewState, Stance
from tests.factories import ArticleFactory, ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory


def test_a_direct_quote_is_not_wrapped_in_a_second_pair_of_marks(client, viewer):
    claim = ClaimFactory()
    revision = ArticleRevisionFactory(text="The minister said: “The bridge is gone.” Then he left.")
    start = revision.text.index("“")
    StatementFactory(revision=revision, claim=claim, start=start, end=revision.text.index("”") + 1,
                     stance=Stance.ASSERTS, review_state=ReviewState.ACCEPTED)
    client.force_login(viewer)
    for url in (reverse("claims:claim_detail", args=[claim.pk]), reverse("claims:home")):
        content = client.get(url).content.decode()
        assert ("“The bridge is gone.”" in content, "““" in content, "””" in content) == (True, False, False), url


def test_the_claim_page_has_no_duplicate_element_ids(client, tracker, editor):
    client.force_login(editor)
    content = client.get(reverse("claims:claim_detail", args=[tracker["claim"].pk])).content.decode()
    ids = Counter(re.findall(r'\bid="([^"]+)"', content))
    assert {name: n for name, n in ids.items() if n > 1} == {}
    assert ("verdict-version" in ids, "edit-version" in ids) == (True, True)


def test_the_party_pages_verdict_links_are_a_list_not_grid_cells(client, viewer):
    party = PartyFactory()
    client.force_login(viewer)
    content = client.get(reverse("claims:party_detail", args=[party.slug])).content.decode()
    nav = re.search(r'<nav class="verdict-links small" aria-label="Verdict">(.*?)</nav>', content, re.S).group(1)
    assert (" · " in nav, nav.count("<li>") >= 7, 'class="filters' in nav) == (False, True, False)


def test_run_pages_cut_titles_between_words(client, viewer):
    from tests.factories import IngestionItemFactory, IngestionRunFactory

    title = "Armenia and Azerbaijan accuse each other of shelling civilian areas near the line of contact"
    article = ArticleFactory(title=title)
    run = IngestionRunFactory(kind="manual")
    IngestionItemFactory(run=run, url="https://news.example/a", status="new", article=article)
    client.force_login(viewer)
    content = client.get(reverse("sources:run_detail", args=[run.pk])).content.decode()
    assert "Armenia and Azerbaijan accuse each other of shelling…" in content


def test_shorten_keeps_short_texts_and_cuts_long_ones_at_a_space():
    from claims.templatetags.tracker import shorten

    assert (shorten("Short title", 60), shorten("one two three four five six", 14)) == ("Short title", "one two three…")


def test_a_loopback_refusal_names_the_setting_that_allows_it():
    import pytest as _pytest

    from core.urlguard import BlockedUrl, url_check

    with _pytest.raises(BlockedUrl) as caught:
        url_check("http://127.0.0.1:9/feed.xml")
    assert "add 127.0.0.1 to the INGEST_ALLOWED_HOSTS setting" in str(caught.value)


def test_the_failed_fetches_tile_counts_a_feed_that_could_not_be_read(client, viewer):
    from django.utils import timezone

    from sources.enums import IngestionStatus
    from tests.factories import FeedFactory, IngestionRunFactory

    feed = FeedFactory(consecutive_failures=1, last_error="HTTP 503")
    IngestionRunFactory(kind="feed_poll", feed=feed, status=IngestionStatus.FAILED, finished_at=timezone.now(),
                        error="HTTP 503")
    client.force_login(viewer)
    home = client.get(reverse("claims:home"))
    sources = client.get(reverse("sources:source_list")).content.decode()
    assert (home.context["health"]["failed_fetches_24h"], home.context["health"]["feeds"]["failing"]) == (1, 1)
    assert "1 fetch failed" in home.content.decode()
    assert "<strong>1</strong> failed fetches, 24 h" in sources


def test_who_may_add_feeds_is_said_on_the_sources_page(client, analyst, editor):
    client.force_login(analyst)
    told = client.get(reverse("sources:source_list")).content.decode()
    client.force_login(editor)
    form = client.get(reverse("sources:source_list")).content.decode()
    assert ("Adding, pausing and resuming feeds needs the editor role" in told, 'id="feed-who"' in form,
            'action="/sources/feeds/add/"' in form or "Add feed</button>" in form) == (True, False, True)
