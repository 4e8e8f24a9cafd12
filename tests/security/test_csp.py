"""Content-Security-Policy on every page, pages that still work under it in Chromium (htmx included) with no
violation reported, and API docs pages that load nothing from outside this server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from claims.enums import ReviewState
from claims.models import Statement
from tests.web.test_browser import sign_in

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def test_every_page_carries_the_policy(client, analyst, tracker, pending):
    client.force_login(analyst)
    paths = [
        reverse("claims:home"), reverse("claims:claim_list"),
        reverse("claims:claim_detail", args=[tracker["claim"].pk]), reverse("claims:review_queue"),
        reverse("claims:party_list"), reverse("sources:article_list"),
        reverse("sources:article_detail", args=[tracker["article"].pk]), reverse("sources:source_list"),
        reverse("sources:run_detail", args=[tracker["run"].pk]), "/no-such-page/", reverse("login"),
    ]
    policies = {path: client.get(path).get("Content-Security-Policy") or "" for path in paths}

    expected = frozenset(POLICY.split("; "))
    assert {path: frozenset(p.split("; ")) for path, p in policies.items()} == dict.fromkeys(paths, expected)


def _watch(page) -> dict:
    """Collect CSP violations (the page's own event and the console's) and the host of every request that goes
    to the network (a route sees what the browser really sends; what the policy blocks never gets there)."""
    seen = {"violations": [], "console": [], "hosts": set()}

    def route(r):
        if r.request.url.startswith(("http:", "https:")):
            seen["hosts"].add(urlsplit(r.request.url).hostname)
        r.continue_()

    page.route("**/*", route)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "(window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on("console", lambda m: seen["console"].append(m.text) if "Content Security Policy" in m.text else None)
    return seen


def _violations(page, seen) -> list[str]:
    return (page.evaluate("window.__csp || []") or []) + seen["console"]


def test_pages_work_under_the_policy_and_report_no_violation(transactional_db, analyst, tracker, pending, new_page):
    page = new_page()
    seen = _watch(page)
    sign_in(page, analyst, then=reverse("claims:home"))

    # htmx: the claim search swaps its results in place; the review queue's accept is an htmx POST.
    page.goto(reverse("claims:claim_list"))
    page.get_by_label("Search claims").fill("bridge")
    page.wait_for_url(re.compile(r"q=bridge"))
    page.locator("#results article.claim-row").first.wait_for()
    results = page.locator("#results").inner_text()
    page.goto(reverse("claims:review_queue"))
    page.locator(".review-item button[value=accept]").first.click()
    page.wait_for_selector("#queue .review-item", state="detached")
    visited = []
    for path in (reverse("sources:run_detail", args=[tracker["run"].pk]), reverse("sources:source_list"),
                 reverse("sources:article_detail", args=[tracker["article"].pk]), reverse("claims:party_list")):
        page.goto(path)
        visited.append(page.title())

    assert "A bridge over the Vltava was destroyed by shelling" in results
    assert Statement.objects.get(pk=pending.pk).review_state == ReviewState.ACCEPTED
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"  # app.css applied
    assert _violations(page, seen) == []
    assert seen["hosts"] <= {"localhost", "127.0.0.1"}, seen["hosts"]
    assert all(visited), visited


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_the_api_docs_load_nothing_from_outside_this_server(transactional_db, new_page, path):
    page = new_page()
    seen = _watch(page)

    page.goto(path)
    page.wait_for_selector("redoc [role=navigation], .api-content" if "redoc" in path else ".swagger-ui .info",
                           timeout=30_000)

    assert seen["hosts"] <= {"localhost", "127.0.0.1"}, seen["hosts"]
    assert "fonts.googleapis.com" not in page.content()
    # ReDoc's side menu always tries its maker's logo from cdn.redoc.ly: the policy blocks it (nothing leaves,
    # above) and ReDoc hides the image. That refused image is the one violation either docs page may report.
    assert [v for v in _violations(page, seen) if "cdn.redoc.ly/redoc/logo-mini.svg" not in v] == []
