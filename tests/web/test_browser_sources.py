"""Sources in headless Chromium: an editor adds a feed of a new outlet in one form; a run's page follows the
analysis of its texts live, then stops polling."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from sources.models import ArticleRevision, Feed
from tests.factories import ArticleRevisionFactory, IngestionItemFactory, IngestionRunFactory
from tests.web.test_browser import shoot, sign_in


def test_editor_adds_a_feed_and_its_outlet_in_one_form(transactional_db, editor, new_page):
    page = new_page()
    sign_in(page, editor, then=reverse("sources:source_list"))
    feed = page.get_by_role("region", name="Add a feed")
    feed.get_by_label("Feed address (RSS or Atom)").fill("https://www.vale-courier.example/rss")
    feed.get_by_label("New outlet's name").fill("Vale Courier")
    feed.get_by_role("button", name="Add feed").click()
    page.get_by_text("The outlet Vale Courier (vale-courier.example) was made too.").wait_for()
    assert Feed.objects.get().outlet.name == "Vale Courier"

    feed = page.get_by_role("region", name="Add a feed")
    feed.get_by_label("Feed address (RSS or Atom)").fill("http://127.0.0.1/rss")
    feed.get_by_label("Outlet", exact=True).select_option(label="Vale Courier")
    feed.get_by_role("button", name="Add feed").click()
    page.get_by_text("add 127.0.0.1 to the INGEST_ALLOWED_HOSTS setting").wait_for()
    shoot(page, "sources-feed-refused-names-the-fix")


def test_a_run_page_follows_the_analysis_live(transactional_db, viewer, new_page):
    run = IngestionRunFactory(kind="url_batch", found=1, new=1, status="succeeded", finished_at=timezone.now())
    revision = ArticleRevisionFactory(text="The mayor said the seawall held through the night.")
    IngestionItemFactory(run=run, status="new", article=revision.article, revision=revision)
    page = new_page()
    sign_in(page, viewer, then=reverse("sources:run_detail", args=[run.pk]))
    assert "0 of 1 analysed, 1 waiting" in page.locator("#stage-analysis").inner_text()
    shoot(page, "run-waiting-for-analysis")

    ArticleRevision.objects.filter(pk=revision.pk).update(analysed_at=timezone.now())
    page.locator("#stage-analysis").get_by_text("1 of 1 analysed").wait_for()  # the next poll, within 2 s
    assert page.locator("#run-progress[hx-trigger]").count() == 0  # done: no more polling
    shoot(page, "run-analysed")
