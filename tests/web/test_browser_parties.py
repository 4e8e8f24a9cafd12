"""Finding parties in headless Chromium: the claims filter suggests parties by alias; an unknown one is named."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PartyAliasFactory, PartyFactory
from tests.web.test_browser import shoot, sign_in


def test_party_filter_suggests_by_alias_and_names_a_party_not_found(transactional_db, viewer, new_page):
    turkey = PartyFactory(name="Republic of Turkey", slug="turkey")
    PartyAliasFactory(party=turkey, text="Ankara")
    page = new_page()
    sign_in(page, viewer, then=reverse("claims:claim_list"))
    field = page.locator("input[name=party]")
    field.press_sequentially("anka", delay=30)
    options = page.locator("#party-suggestions option")
    options.first.wait_for(state="attached")
    assert (options.count(), options.first.get_attribute("value"), options.first.inner_text()) == (
        1, "Republic of Turkey", "Republic of Turkey (also “Ankara”)"
    )
    field.fill("Nobody Known")
    page.get_by_label("Stance").select_option("denies")
    page.locator("#party-missing").wait_for()
    assert "No party is called “Nobody Known”" in page.locator("#party-missing").inner_text()
    shoot(page, "parties-not-found")
    assert page.dialogs == []
