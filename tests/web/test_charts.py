"""Charts: statements per day by stance over a range the analyst picks (the data's range by default); a party's
statements over time; the claim page's who-asserted-and-who-denied-when; all SVG in the page, no JavaScript."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from claims.enums import ReviewState, Stance
from tests.factories import ArticleFactory, ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory


def _on(day: dt.date, *, party=None, claim=None, stance=Stance.ASSERTS):
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    revision = ArticleRevisionFactory(article=ArticleFactory(published_at=when), text="Officials said it happened.")
    return StatementFactory(revision=revision, party=party or PartyFactory(), claim=claim or ClaimFactory(),
                            stance=stance, review_state=ReviewState.ACCEPTED)


def test_the_dashboard_chart_spans_the_datas_range_by_default(client, viewer):
    _on(dt.date(2020, 9, 29))
    _on(dt.date(2021, 3, 2), stance=Stance.DENIES)
    client.force_login(viewer)
    response = client.get(reverse("claims:home"))
    daily = response.context["daily"]
    assert (daily.days[0], daily.days[-1], sum(daily.counts.values())) == (dt.date(2020, 9, 29), dt.date(2021, 3, 2), 2)
    content = response.content.decode()
    assert ('value="2020-09-29"' in content, 'value="2021-03-02"' in content, "<svg" in content) == (True, True, True)


def test_the_analyst_picks_the_range(client, viewer):
    _on(dt.date(2020, 9, 29))
    _on(dt.date(2021, 3, 2), stance=Stance.DENIES)
    client.force_login(viewer)
    daily = client.get(reverse("claims:home"), {"from": "2021-03-01", "to": "2021-03-05"}).context["daily"]
    assert (len(daily.days), daily.counts) == (5, {(dt.date(2021, 3, 2), Stance.DENIES): 1})


def test_a_bad_date_says_so_and_shows_the_datas_range(client, viewer):
    _on(dt.date(2020, 9, 29))
    client.force_login(viewer)
    response = client.get(reverse("claims:home"), {"from": "2020-13-45"})
    assert (response.status_code, "A date could not be read" in response.content.decode(),
            response.context["span"].start) == (200, True, dt.date(2020, 9, 29))


def test_the_party_page_shows_its_statements_over_time(client, viewer):
    state = PartyFactory()
    ministry = PartyFactory(parent=state)
    _on(dt.date(2020, 10, 1), party=ministry)
    _on(dt.date(2020, 10, 3), party=state, stance=Stance.DENIES)
    _on(dt.date(2020, 10, 2))  # someone else's
    client.force_login(viewer)
    plain = client.get(reverse("claims:party_detail", args=[state.slug]))
    assert ("daily" in plain.context, 'href="?chart=1#chart"' in plain.content.decode()) == (False, True)
    daily = client.get(reverse("claims:party_detail", args=[state.slug]), {"chart": "1"}).context["daily"]
    assert daily.counts == {(dt.date(2020, 10, 1), Stance.ASSERTS): 1, (dt.date(2020, 10, 3), Stance.DENIES): 1}


def test_the_claim_page_draws_who_asserted_and_who_denied_when(client, viewer):
    claim = ClaimFactory()
    backer, denier = PartyFactory(name="Backer Party"), PartyFactory(name="Denier Party")
    _on(dt.date(2020, 10, 1), party=backer, claim=claim)
    _on(dt.date(2020, 10, 4), party=denier, claim=claim, stance=Stance.DENIES)
    client.force_login(viewer)
    response = client.get(reverse("claims:claim_detail", args=[claim.pk]))
    chart = response.context["who_when"]
    assert sorted(chart.rows) == [("Backer Party", [(dt.date(2020, 10, 1), "asserts", 1)]),
                                  ("Denier Party", [(dt.date(2020, 10, 4), "denies", 1)])]
    svg = re.search(r'<svg[^>]*class="who-when".*?</svg>', response.content.decode(), re.S).group(0)
    assert ("Denier Party denies on 04 Oct 2020 (1 statement)" in svg, svg.count("<circle")) == (True, 2)
