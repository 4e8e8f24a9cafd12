"""Sources a user can set up: a feed with its outlet made inline, who may add feeds, errors that name their fix, and
a run's progress through fetch, extraction and analysis with counts."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sources.models import Feed, Outlet
from tests.factories import (
    ArticleRevisionFactory,
    IngestionItemFactory,
    IngestionRunFactory,
    OutletFactory,
    StatementFactory,
)

FEED = {"url": "https://www.vale-courier.example/rss", "title": "", "poll_interval_minutes": 15}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_editor_adds_a_feed_with_a_new_outlet(client, editor):
    client.force_login(editor)
    response = client.post(reverse("sources:feed_add"), {**FEED, "new_outlet_name": "Vale  Courier"}, follow=True)
    outlet = Outlet.objects.get()
    assert (outlet.name, outlet.domain) == ("Vale Courier", "vale-courier.example")
    assert list(Feed.objects.values_list("outlet", "url")) == [(outlet.pk, FEED["url"])]
    assert _messages(response) == [
        "Feed added: https://www.vale-courier.example/rss. The outlet Vale Courier (vale-courier.example) was made "
        "too. It will be polled within a minute."
    ]


def test_feed_form_errors_name_their_fix_and_leave_nothing_behind(client, editor):
    taken = OutletFactory(name="Vale Courier", domain="vale-courier.example")
    client.force_login(editor)
    cases = [
        ({**FEED}, {"new_outlet_name": ["Choose the outlet in the list, or name the new outlet here."]}),
        ({**FEED, "outlet": taken.pk, "new_outlet_name": "Other"},
         {"new_outlet_name": ["Either choose an outlet or name a new one, not both."]}),
        ({**FEED, "new_outlet_name": "Courier of the Vale"},
         {"new_outlet_name": ["the outlet Vale Courier (vale-courier.example) already exists: choose it in the "
                              "list instead"]}),
        ({**FEED, "url": "http://127.0.0.1:8000/rss", "new_outlet_name": "Local Desk"},
         {"url": ["refused 'http://127.0.0.1:8000/rss': 127.0.0.1 is a private, loopback, link-local, multicast or "
                  "reserved address (to fetch from it on purpose, add 127.0.0.1 to the INGEST_ALLOWED_HOSTS "
                  "setting)"]}),
    ]
    for data, errors in cases:
        response = client.post(reverse("sources:feed_add"), data)
        assert (response.status_code, response.context["feed_form"].errors) == (400, errors)
    assert (list(Outlet.objects.all()), Feed.objects.count()) == ([taken], 0)


def test_the_page_says_who_may_add_feeds(client, analyst, editor):
    client.force_login(analyst)
    content = client.get(reverse("sources:source_list")).content.decode()
    assert "Adding, pausing and resuming feeds needs the editor role" in content
    assert 'action="/sources/feeds/add/"' not in content
    client.force_login(editor)
    content = client.get(reverse("sources:source_list")).content.decode()
    assert "Editors and admins add, pause and resume feeds" in content
    assert 'name="new_outlet_name"' in content


def _run_with_a_text(*, analysed: bool, finished_ago: timedelta | None):
    finished = {"status": "succeeded", "finished_at": timezone.now() - finished_ago} if finished_ago else {}
    run = IngestionRunFactory(kind="url_batch", found=3, new=1, duplicate=1, failed=1, **finished)
    revision = ArticleRevisionFactory(text="The mayor said the seawall held. The council denied it.",
                                      analysed_at=timezone.now() if analysed else None)
    IngestionItemFactory(run=run, status="new", article=revision.article, revision=revision)
    IngestionItemFactory(run=run, status="duplicate", article=ArticleRevisionFactory().article)
    IngestionItemFactory(run=run, status="failed", error="HTTP 404: gone")
    if analysed:
        StatementFactory(revision=revision, start=0, end=32)
        StatementFactory(revision=revision, start=33, end=len(revision.text))
    return run


def _stages(client, run) -> tuple[str, bool]:
    response = client.get(reverse("sources:run_detail", args=[run.pk]), headers={"HX-Request": "true"})
    content = response.content.decode()
    stages = response.context["stages"]
    return ((stages.found, stages.fetched, stages.failed, stages.extracted, stages.analysed, stages.statements),
            'hx-trigger="every 2s"' in content, content)


def test_a_run_shows_its_analysis_and_polls_until_it_is_done(client, viewer):
    client.force_login(viewer)
    waiting = _run_with_a_text(analysed=False, finished_ago=timedelta(minutes=1))
    counts, polling, content = _stages(client, waiting)
    assert (counts, polling) == ((3, 3, 1, 1, 0, 0), True)
    assert "0 of 1 analysed, 1 waiting" in content
    assert "waiting for the analysis" in content

    done = _run_with_a_text(analysed=True, finished_ago=timedelta(minutes=1))
    counts, polling, content = _stages(client, done)
    assert (counts, polling) == ((3, 3, 1, 1, 1, 2), False)
    assert "1 of 1 analysed · 2 statements found" in content

    stuck = _run_with_a_text(analysed=False, finished_ago=timedelta(hours=1))
    counts, polling, content = _stages(client, stuck)
    assert (counts[4], polling) == (0, False)
    assert "still waiting long after the run: see the task failures on the Sources page" in content
