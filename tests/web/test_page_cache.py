"""The analysts' pages answered from the read cache (core/caching.py): never stale, never someone else's.

These tests commit for real (transactional_db): inside a test's transaction the cache stands aside on purpose.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim(db):
    return factories.ClaimFactory(text="A jet was shot down over the border")


def signed_in(user) -> Client:
    """A signed-in browser that has been to one page already, so it holds its CSRF cookie (part of the key)."""
    client = Client()
    client.force_login(user)
    client.get(reverse("claims:party_list"))
    assert django_settings.CSRF_COOKIE_NAME in client.cookies
    return client


def test_a_page_seen_again_is_answered_from_the_cache_and_its_form_still_posts(editor, claim):
    client = signed_in(editor)
    url = reverse("claims:claim_detail", args=[claim.pk])
    first, second = client.get(url), client.get(url)

    assert (first.status_code, first["X-Cache"], second["X-Cache"]) == (200, "miss", "hit")
    assert second.content == first.content
    # The cached page's CSRF token is the one this browser's cookie goes with: its verdict form posts.
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', second.content).group(1).decode()
    client.handler.enforce_csrf_checks = True
    posted = client.post(reverse("claims:claim_set_verdict", args=[claim.pk]), {
        "csrfmiddlewaretoken": token, "verdict": "false", "rationale": "No wreckage", "version": claim.version,
    })
    assert posted.status_code == 302


def test_after_a_write_the_page_is_read_again_and_its_message_shows_once(editor, claim):
    client = signed_in(editor)
    url = reverse("claims:claim_detail", args=[claim.pk])
    client.get(url)
    client.post(reverse("claims:claim_set_verdict", args=[claim.pk]),
                {"verdict": "false", "rationale": "No wreckage", "version": claim.version})

    after, again, third = client.get(url), client.get(url), client.get(url)

    # With a message waiting, the page is made by the view and not kept.
    assert (after.get("X-Cache"), "Verdict set to" in after.content.decode()) == (None, True)
    assert "No wreckage" in after.content.decode()
    assert (again["X-Cache"], "Verdict set to" in again.content.decode()) == ("miss", False)
    assert (third["X-Cache"], third.content) == ("hit", again.content)


def test_each_session_has_pages_of_its_own(editor, viewer, claim):
    url = reverse("claims:claim_detail", args=[claim.pk])
    editors_page = signed_in(editor).get(url)
    viewers_page = signed_in(viewer).get(url)

    assert viewers_page["X-Cache"] == "miss"
    assert b'name="rationale"' in editors_page.content
    assert b'name="rationale"' not in viewers_page.content


def test_the_role_is_checked_on_every_request(viewer, claim):
    # The claim list is cached (the review queue no longer is: it carries the last decision's undo).
    client = signed_in(viewer)
    assert client.get(reverse("claims:claim_list"))["X-Cache"] == "miss"
    assert client.get(reverse("claims:claim_list"))["X-Cache"] == "hit"

    viewer.groups.clear()

    assert client.get(reverse("claims:claim_list")).status_code == 403


def test_an_htmx_partial_and_the_whole_page_are_two_answers(viewer, claim):
    client = signed_in(viewer)
    url = reverse("claims:claim_list")
    whole = client.get(url, {"q": "jet"})
    partial = client.get(url, {"q": "jet"}, headers={"HX-Request": "true"})
    partial_again = client.get(url, {"q": "jet"}, headers={"HX-Request": "true"})

    assert (whole["X-Cache"], partial["X-Cache"], partial_again["X-Cache"]) == ("miss", "miss", "hit")
    assert "HX-Request" in partial_again["Vary"]
    assert b"<html" in whole.content and b"<html" not in partial.content
    assert partial_again.content == partial.content


def test_page_cache_can_be_turned_off(viewer, claim, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = signed_in(viewer)
    for _ in range(2):
        assert "X-Cache" not in client.get(reverse("claims:claim_list"))
