"""Charts in headless Chromium: the dashboard's range picker, and the charts readable with JavaScript off."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from claims.enums import Stance
from tests.web.test_browser import shoot, sign_in
from tests.web.test_charts import _on


def test_analyst_picks_a_range_and_the_charts_need_no_javascript(transactional_db, analyst, browser, live_server):
    claim_days = [dt.date(2020, 9, 29), dt.date(2020, 11, 2), dt.date(2021, 3, 2)]
    for i, day in enumerate(claim_days):
        _on(day, stance=(Stance.ASSERTS, Stance.DENIES, Stance.QUESTIONS)[i])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        sign_in(page, analyst)
        assert page.locator("#chart-from").input_value() == "2020-09-29"
        assert page.locator("#chart-to").input_value() == "2021-03-02"
        assert page.locator("#chart svg rect").count() == 3
        shoot(page, "charts-dashboard-data-range")
        page.locator("#chart-from").fill("2020-11-01")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**/?from=2020-11-01*")
        assert page.locator("#chart svg rect").count() == 2
        shoot(page, "charts-dashboard-picked-range")
    finally:
        context.close()
    assert reverse("claims:home") == "/"
