"""What the pages show and how their parts are built: marked article text, diffs, search, partial updates."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone

from claims import views
from claims.templatetags.tracker import highlighted_text, revision_diff, web_url
from tests.factories import (
    ArticleRevisionFactory,
    ClaimFactory,
    IngestionItemFactory,
    IngestionRunFactory,
    PartyAliasFactory,
    PartyFactory,
    StatementFactory,
)


def _statement(pk, start, end, stance="asserts", party="Ruritania", claim="The bridge fell"):
    return SimpleNamespace(
        pk=pk, start=start, end=end, stance=stance, review_state="accepted", party_id=1,
        party=SimpleNamespace(name=party), speaker_text="", claim_id=1, claim=SimpleNamespace(text=claim),
        get_stance_display=lambda: stance.capitalize(),
    )


def test_highlighted_text_escapes_and_marks_each_statement():
    text = "A <b>said</b> x. B denied y."
    html = highlighted_text(text, [_statement(7, 0, 16), _statement(8, 17, 28, stance="denies", party="B & co")])
    assert html == (
        '<span class="anchor" id="s-7" aria-hidden="true"></span>'
        '<mark class="st st-asserts" data-s="7" data-tip="Ruritania asserts: The bridge fell"'
        ' aria-describedby="sd-7" tabindex="0">A &lt;b&gt;said&lt;/b&gt; x.</mark> '
        '<span class="anchor" id="s-8" aria-hidden="true"></span>'
        '<mark class="st st-denies" data-s="8" data-tip="B &amp; co denies: The bridge fell"'
        ' aria-describedby="sd-8" tabindex="0">B denied y.</mark>'
    )


def test_overlapping_statements_split_into_segments_marked_by_the_innermost():
    text = "one two three"
    html = highlighted_text(text, [_statement(1, 0, 13), _statement(2, 4, 7, stance="denies")])
    assert html.count("<mark") == 3
    assert 'data-s="1 2"' in html and 'class="st st-denies"' in html


def test_statements_outside_the_text_are_ignored():
    assert highlighted_text("short", [_statement(1, 3, 99)]) == "short"


def test_revision_diff_marks_words_gone_and_added_escaped():
    assert revision_diff("The <army> said 12 died.", "The <army> said 14 died.") == (
        "The &lt;army&gt; said <del>12</del><ins>14</ins> died."
    )


def test_web_url_refuses_non_web_addresses():
    assert [web_url(u) for u in ("https://a.example/x", "javascript:alert(1)", "https://annotation.invalid/a")] == [
        "https://a.example/x", "", ""
    ]


def test_article_reader_shows_a_diff_between_revisions(client, viewer):
    first = ArticleRevisionFactory(text="Officials said 12 soldiers died.")
    ArticleRevisionFactory(article=first.article, number=2, text="Officials said 14 soldiers died.")
    client.force_login(viewer)
    content = client.get(
        reverse("sources:article_detail", args=[first.article_id]) + "?rev=2&compare=1"
    ).content.decode()
    assert "<del>12</del><ins>14</ins>" in content


def test_claim_search_is_full_text_with_filters_in_the_url(client, tracker, viewer):
    client.force_login(viewer)
    url = reverse("claims:claim_list")
    found = client.get(url, {"q": "bridges destroyed", "contested": "yes", "party": "ruritania"})
    missed = client.get(url, {"q": "bridges destroyed", "verdict": "false"})
    assert (found.context["page"].paginator.count, missed.context["page"].paginator.count) == (1, 0)


def test_claim_search_partial_pushes_a_clean_url(client, tracker, viewer):
    client.force_login(viewer)
    response = client.get(
        reverse("claims:claim_list"), {"q": "bridge", "verdict": "", "sort": ""}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert (response["HX-Push-Url"], "<html" in content, "Vltava" in content) == ("/claims/?q=bridge", False, True)


def test_history_restore_gets_the_whole_page(client, tracker, viewer):
    client.force_login(viewer)
    response = client.get(
        reverse("claims:claim_list"), {"q": "bridge"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_running_run_polls_and_a_finished_one_stops(client, viewer):
    running = IngestionRunFactory(kind="url_batch", found=2)
    IngestionItemFactory(run=running, url="https://a.example/1", status="failed", error="HTTP 404: gone")
    finished = IngestionRunFactory(kind="url_batch", status="succeeded", finished_at=timezone.now())
    client.force_login(viewer)
    polling = client.get(reverse("sources:run_detail", args=[running.pk]), headers={"HX-Request": "true"})
    done = client.get(reverse("sources:run_detail", args=[finished.pk]), headers={"HX-Request": "true"})
    assert ('hx-trigger="every 2s"' in polling.content.decode(), "HTTP 404: gone" in polling.content.decode()) == (
        True, True
    )
    assert 'hx-trigger="every 2s"' not in done.content.decode()


def test_every_form_carries_a_csrf_token_and_htmx_sends_it(client, tracker, pending, editor):
    client.force_login(editor)
    for url in (reverse("claims:claim_detail", args=[tracker["claim"].pk]), reverse("claims:review_queue"),
                reverse("sources:source_list")):
        content = client.get(url).content.decode()
        assert content.count('method="post"') == content.count('name="csrfmiddlewaretoken"'), url
        assert "hx-headers='{\"X-CSRFToken\": \"" in content


def test_dashboard_and_review_queue_show_the_counts_kept_by_triggers(client, tracker, pending, analyst):
    """The dashboard's counts, articles by status and chart, and the review queue's count come from claims_tally
    (migrations claims 0012 and 0013), not COUNT(*): after writes of every kind they equal what COUNT(*) says."""
    from claims.enums import ReviewState, Verdict
    from claims.models import Claim, Party, Statement
    from sources.enums import ArticleStatus
    from sources.models import Article

    merged = ClaimFactory(verdict=Verdict.FALSE)
    Claim.objects.filter(pk=merged.pk).update(merged_into=tracker["claim"])  # merged: not a live claim
    ClaimFactory(verdict=Verdict.CONFIRMED)
    StatementFactory(review_state=ReviewState.REJECTED)  # with a claim (unverified), a party and an article of its own
    Statement.objects.filter(pk=pending.pk).update(review_state=ReviewState.PENDING)
    Article.objects.filter(pk=tracker["article"].pk).update(status=ArticleStatus.FAILED)
    client.force_login(analyst)

    home = client.get(reverse("claims:home"))
    queue = client.get(reverse("claims:review_queue"))

    counted = {
        "claims": Claim.objects.live().count(),
        "statements": Statement.objects.count(),
        "parties": Party.objects.count(),
        "articles": Article.objects.count(),
        "pending_review": Statement.objects.filter(review_state=ReviewState.PENDING).count(),
    }
    assert home.context["counts"] == counted == {
        "claims": 3, "statements": 4, "parties": 4, "articles": 3, "pending_review": 1,
    }
    verdicts = {value: n for value, _label, n in home.context["verdicts"]}
    assert verdicts == {v.value: Claim.objects.live().filter(verdict=v).count() for v in Verdict}
    assert (verdicts["unverified"], verdicts["confirmed"], verdicts["false"]) == (2, 1, 0)
    assert queue.context["pending"] == 1
    assert '<span id="pending-count">1</span>' in queue.content.decode()
    statuses = {status: Article.objects.filter(status=status).count() for status in ArticleStatus.values}
    assert home.context["health"]["articles"] == statuses
    assert (statuses["failed"], sum(statuses.values())) == (1, 3)
    # The chart (from the tallies) is the statements counted day by day, rejected ones left out.
    from claims.selectors._common import _counted_statements
    from claims.selectors.charts import _daily

    assert home.context["daily"] == _daily(_counted_statements(), span=home.context["span"])
    assert sum(home.context["daily"].counts.values()) == 3


def test_review_queue_shows_the_exact_number_waiting_past_ten_thousand(client, pending, analyst):
    from claims.models import Tally

    Tally.objects.create(name="statements:pending", slot=-1, n=12_344)  # as an ended session leaves its row
    client.force_login(analyst)

    queue = client.get(reverse("claims:review_queue"))

    assert '<span id="pending-count">12345</span> waiting' in queue.content.decode()


def test_review_queue_shows_the_paragraph_around_the_statement(client, editor):
    revision = ArticleRevisionFactory(
        text="A headline.\nFighting went on. Officials said the dam broke. Rescuers arrived late.\nMore later."
    )
    StatementFactory(revision=revision, start=30, end=59)
    client.force_login(editor)
    content = client.get(reverse("claims:review_queue")).content.decode()
    assert (
        '<p class="context">Fighting went on. <mark>Officials said the dam broke.</mark> Rescuers arrived late.</p>'
    ) in content


def test_review_queue_leaves_the_fetched_html_in_the_database(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    StatementFactory(revision=ArticleRevisionFactory(raw_html=b"x" * 50_000))
    client.force_login(editor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("claims:review_queue")).status_code == 200
    assert [q["sql"] for q in queries.captured_queries if "raw_html" in q["sql"]] == []


def test_published_verdict_embeds_claimreview_json_ld(client, tracker, editor):
    import json
    import re

    from claims import services

    claim = tracker["claim"]
    services.claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale="No damage seen.", publish=True)
    client.force_login(editor)
    content = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    data = json.loads(script.group(1))
    assert (data["@type"], data["claimReviewed"], data["reviewRating"]["alternateName"]) == (
        "ClaimReview", claim.text, "False"
    )


def test_htmx_is_served_from_the_npm_package():
    """htmx comes from node_modules (npm ci), through STATICFILES_DIRS; never a copy in the repository."""
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/htmx/htmx.min.js")
    assert found is not None and "node_modules/htmx.org/dist" in found


# --- What grows without bound is paged or capped (#7) --------------------------------------------------------


def _asserted_by(claim, names):
    """One statement per name asserting `claim`, each in its own article, returned in report order."""
    return [StatementFactory(claim=claim, party=PartyFactory(name=name), review_state="accepted") for name in names]


def test_claim_timeline_is_paged(client, viewer, monkeypatch):
    monkeypatch.setattr(views, "TIMELINE_PAGE", 2)
    claim = ClaimFactory()
    statements = _asserted_by(claim, ["Alpha", "Bravo", "Charlie"])
    client.force_login(viewer)
    url = reverse("claims:claim_detail", args=[claim.pk])

    first, second = client.get(url), client.get(url, {"statements": 2})

    assert [s.pk for s in first.context["timeline"]] == [s.pk for s in statements[:2]]
    assert [s.pk for s in second.context["timeline"]] == [statements[2].pk]
    assert "Statements 1–2 of 3" in first.content.decode()
    assert "?statements=2#h-timeline" in first.content.decode()


def test_claim_page_caps_the_parties_and_articles_it_names(client, viewer, monkeypatch):
    from claims import selectors

    monkeypatch.setattr(selectors.claims, "SUMMARY_PARTIES", 2)
    monkeypatch.setattr(selectors.claims, "SUMMARY_ARTICLES", 2)
    monkeypatch.setattr(selectors.claim_stance_summary, "__kwdefaults__", {"parties": 2, "articles": 2})
    claim = ClaimFactory()
    _asserted_by(claim, ["Alpha", "Bravo", "Charlie"])
    client.force_login(viewer)

    content = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()

    assert "The 2 most-quoted of 3 parties and speakers" in content
    assert "The first 2 articles; the timeline has them all." in content


def test_claim_rows_name_the_five_most_quoted_backers_and_others(client, viewer):
    claim = ClaimFactory(text="A dam burst upstream")
    _asserted_by(claim, ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"])
    StatementFactory(claim=claim, party=claim.statements.get(party__name="Foxtrot").party, review_state="accepted")
    client.force_login(viewer)

    content = client.get(reverse("claims:claim_list")).content.decode()

    assert "Foxtrot, Alpha, Bravo, Charlie, Delta and others" in content


def test_party_track_record_is_paged_and_filtered_by_verdict(client, viewer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    state = PartyFactory(name="Ruritania")
    ministry = PartyFactory(name="Ruritanian Ministry", parent=state)
    claims = [ClaimFactory(verdict=v) for v in ("false", "confirmed", "false")]
    for claim in claims:
        StatementFactory(claim=claim, party=ministry, stance="denies", review_state="accepted")
    StatementFactory(claim=claims[0], party=state, stance="asserts", review_state="accepted")
    client.force_login(viewer)
    url = reverse("claims:party_detail", args=[state.slug])

    first, second = client.get(url), client.get(url, {"page": 2})
    false_only = client.get(url, {"verdict": "false"})

    entries = [(e.claim.pk, e.stances, e.speakers, e.statements) for e in first.context["entries"]]
    assert entries == [
        (claims[2].pk, ("denies",), ("Ruritanian Ministry",), 1),
        (claims[1].pk, ("denies",), ("Ruritanian Ministry",), 1),
    ]
    assert [(e.claim.pk, e.stances, e.speakers, e.statements) for e in second.context["entries"]] == [
        (claims[0].pk, ("asserts", "denies"), ("Ruritania", "Ruritanian Ministry"), 2),
    ]
    assert [e.claim.pk for e in false_only.context["entries"]] == [claims[2].pk, claims[0].pk]


def test_page_and_api_search_find_the_same_claims(client, viewer, tracker):
    from tests.api.conftest import token_client

    ClaimFactory(text="The F-16 was shot down near the border")
    ClaimFactory(text="Shelling hit the bridgehead", tags=["vltava"])
    client.force_login(viewer)
    api = token_client(viewer, read_write=False)
    for q in ("F-16", "bridge", "vltava", "Vltav", "nothing like it"):
        page = client.get(reverse("claims:claim_list"), {"q": q}).context["page"]
        listed = api.get("/api/v1/claims/", {"q": q}).json()["results"]
        assert sorted(c.pk for c in page) == sorted(c["id"] for c in listed), q
    assert [c.text for c in client.get(reverse("claims:claim_list"), {"q": "Vltav"}).context["page"]] == [
        "A bridge over the Vltava was destroyed by shelling"
    ]


def test_claim_filter_takes_a_party_by_slug_name_or_alias(client, viewer, tracker):
    PartyAliasFactory(party=tracker["state"], text="Ruritanian government")
    client.force_login(viewer)
    url = reverse("claims:claim_list")
    counts = [client.get(url, {"party": p}).context["page"].paginator.count
              for p in ("ruritania", "Ruritania", "the Ruritanian government", "borduria")]
    unknown = client.get(url, {"party": "Atlantis"})
    assert counts == [1, 1, 1, 1]
    assert "No party by that name or alias." in unknown.content.decode()


def test_review_correction_takes_a_party_by_alias(client, analyst, pending):
    turkey = PartyFactory(name="Turkey")
    PartyAliasFactory(party=turkey, text="Ankara")
    client.force_login(analyst)
    url = reverse("claims:review_decide", args=[pending.pk])

    unknown = client.post(url, {"action": "accept", "party": "Atlantis", "version": pending.version},
                          headers={"HX-Request": "true"})
    accepted = client.post(url, {"action": "accept", "party": "Ankara", "version": pending.version},
                           headers={"HX-Request": "true"})

    pending.refresh_from_db()
    assert (unknown.status_code, accepted.status_code) == (400, 200)
    assert "No party by that name or alias. Nothing was changed." in unknown.content.decode()
    assert (pending.party_id, pending.review_state) == (turkey.pk, "accepted")
    assert 'list="party-choices"' not in client.get(reverse("claims:review_queue")).content.decode()


def test_sources_page_lists_outlets_a_page_at_a_time_with_their_article_counts(client, viewer, monkeypatch):
    from sources import views as source_views
    from tests.factories import ArticleFactory, OutletFactory

    monkeypatch.setattr(source_views, "OUTLETS_PER_PAGE", 2)
    alpha, bravo, charlie = (OutletFactory(name=name) for name in ("Alpha News", "Bravo Times", "Charlie Post"))
    for outlet, n in ((alpha, 3), (bravo, 0), (charlie, 1)):
        for _ in range(n):
            ArticleFactory(outlet=outlet)
    client.force_login(viewer)
    url = reverse("sources:source_list")

    first, second = client.get(url), client.get(url, {"page": 2})

    assert [(o.name, o.article_count) for o in first.context["outlets"]] == [("Alpha News", 3), ("Bravo Times", 0)]
    assert [(o.name, o.article_count) for o in second.context["outlets"]] == [("Charlie Post", 1)]
    assert "Page 1 of 2" in first.content.decode()
    assert "3 articles" in first.content.decode() and "Charlie Post" not in first.content.decode()
