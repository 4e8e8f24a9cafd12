"""A page from an outlet the project never saw, with its furniture, through a feed on a local server and a real
worker: the parties proposed are speakers with sensible kinds, nothing crosses a paragraph, the claim is positive."""

from __future__ import annotations

import re
import time

import pytest

from claims.enums import Origin, Stance
from claims.models import Claim, Party, Statement
from sources.enums import ArticleStatus
from sources.models import Article
from sources.tasks import enqueue_due_feeds
from tests.factories import FeedFactory
from tests.sources.conftest import Response

HEADLINE = "Velden Airways denies plan to separate passengers by gender"
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{headline} | The Lakeside Courier</title>
<meta property="og:title" content="{headline}">
<meta property="article:published_time" content="2024-05-14T08:00:00+00:00"></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/video">Video</a></nav></header>
<main><article>
<h1>{headline}</h1>
<p>{headline}</p>
<figure><img src="/img/plane.jpg" alt=""><figcaption>Video: A Velden Airways jet at the gate in Ostrava</figcaption>
</figure>
<p>Velden Airways, the state-run carrier, said on Monday it does not plan to separate male and female passengers
on its domestic flights.</p>
<p>READ MORE: Velden Airways orders twelve new jets</p>
<p>The airline's chief executive, Petra Holm, said the reports were false. She said the company had never discussed
such a rule with the transport ministry.</p>
<p>A passengers' association had said on Sunday that the airline planned to seat women apart from men unless they
travelled with relatives.</p>
<p>“We will keep asking until we see it in writing,” the association's chairman, Lukas Brenner, told reporters. He
added that members had written to the ministry.</p>
<div class="correction"><p>Correction: An earlier version of this article misstated the day of the announcement.</p>
</div>
<p>Legend: Flight routes of Velden Airways in 2024</p>
</article>
<aside><h2>Latest video</h2><ul><li><a href="/v/1">Floods in the south</a></li></ul></aside>
</main><footer><p>Copyright The Lakeside Courier</p></footer></body></html>"""
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Lakeside Courier</title>
<link>{base}/</link><description>d</description>
<item><title>{headline}</title><link>{base}/2024/05/14/velden-airways</link></item>
</channel></rss>"""


def _wait_for(condition, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.worker
def test_a_page_with_furniture_gives_speakers_with_kinds_and_a_positive_claim(site, celery_worker, client, viewer):
    site.add("/feed", Response(body=RSS.format(base=site.url(""), headline=HEADLINE),
                               content_type="application/rss+xml"))
    site.add("/2024/05/14/velden-airways", PAGE.format(headline=HEADLINE))
    FeedFactory(url=site.url("/feed"), next_poll_at=None)

    enqueue_due_feeds.delay()

    assert _wait_for(lambda: Article.objects.filter(status=ArticleStatus.ANALYSED).exists())
    article = Article.objects.get()
    revision = article.revisions.get()
    assert article.title == HEADLINE
    assert revision.text.startswith("Velden Airways, the state-run carrier, said on Monday")
    assert sorted(Party.objects.filter(origin=Origin.EXTRACTED).values_list("name", "kind")) == [
        ("Lukas Brenner", "person"),
        ("Passengers' association", "organisation"),
        ("Petra Holm", "person"),
        ("Velden Airways", "organisation"),
    ]
    statements = list(Statement.objects.filter(revision=revision).select_related("party", "claim")
                      .order_by("start"))
    assert [(s.party.name if s.party else s.speaker_text, s.stance) for s in statements] == [
        ("Velden Airways", Stance.DENIES),
        ("Petra Holm", Stance.ASSERTS),
        ("Petra Holm", Stance.DENIES),
        ("Passengers' association", Stance.ASSERTS),
        ("Lukas Brenner", Stance.ASSERTS),
        ("Lukas Brenner", Stance.ASSERTS),
    ]
    assert not any(re.search(r"\n\s*\n", revision.text[s.start:s.end]) for s in statements)
    # The airline's denial is of the positive claim, in the words of a clause.
    assert statements[0].claim.text == (
        "Velden Airways plans to separate male and female passengers on its domestic flights"
    )
    assert not Claim.objects.filter(text__in=["Video", "Legend", "Correction"]).exists()

    client.force_login(viewer)
    home = client.get("/").content.decode()
    assert ">He<" not in home and ">he<" not in home
    assert celery_worker.poll() is None
