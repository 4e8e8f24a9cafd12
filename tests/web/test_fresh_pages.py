"""The analysts' pages are made on every request (no read cache: docs/architecture.md, "The read cache"): a
write shows at once, a one-time message shows once, each session gets its own page, the role is checked on
every request, and an htmx partial is another answer than the whole page.

These tests commit for real (transactional_db), so a write from another session is visible as in production.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from django.test import Client
from django.urls import reverse

from core.enums import Role
from core.roles import user_set_role
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim(db):
    return factories.ClaimFactory(text="A jet was shot down over the border")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_page_seen_again_after_a_change_elsewhere_shows_it_and_its_form_still_posts(editor, claim, settings):
    client = signed_in(editor)
    url = reverse("claims:claim_detail", args=[claim.pk])
    first = client.get(url)
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                         dbname=db["NAME"], autocommit=True) as other:
        other.execute("UPDATE claims_claim SET text = %s WHERE id = %s", ("A jet was shot down at sea", claim.pk))
    second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert ("shot down over the border" in first.content.decode(), "shot down at sea" in second.content.decode()) \
        == (True, True)
    assert "X-Cache" not in second
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', second.content).group(1).decode()
    client.handler.enforce_csrf_checks = True
    posted = client.post(reverse("claims:claim_set_verdict", args=[claim.pk]), {
        "csrfmiddlewaretoken": token, "verdict": "false", "rationale": "No wreckage", "version": claim.version,
    })
    assert posted.status_code == 302


def test_after_a_write_the_page_shows_it_and_its_message_once(editor, claim):
    client = signed_in(editor)
    url = reverse("claims:claim_detail", args=[claim.pk])
    client.get(url)
    client.post(reverse("claims:claim_set_verdict", args=[claim.pk]),
                {"verdict": "false", "rationale": "No wreckage", "version": claim.version})

    after, again = client.get(url), client.get(url)

    assert ("Verdict set to" in after.content.decode(), "No wreckage" in after.content.decode()) == (True, True)
    assert ("Verdict set to" in again.content.decode(), "No wreckage" in again.content.decode()) == (False, True)


def test_each_session_has_pages_of_its_own(editor, viewer, claim):
    url = reverse("claims:claim_detail", args=[claim.pk])
    editors_page = signed_in(editor).get(url)
    viewers_page = signed_in(viewer).get(url)

    assert b'name="rationale"' in editors_page.content
    assert b'name="rationale"' not in viewers_page.content


def test_the_role_is_checked_on_every_request(analyst, claim):
    client = signed_in(analyst)
    assert client.get(reverse("claims:review_queue")).status_code == 200

    user_set_role(user=analyst, role=Role.VIEWER)

    assert client.get(reverse("claims:review_queue")).status_code == 403


def test_an_htmx_partial_and_the_whole_page_are_two_answers(viewer, claim):
    client = signed_in(viewer)
    url = reverse("claims:claim_list")
    whole = client.get(url, {"q": "jet"})
    partial = client.get(url, {"q": "jet"}, headers={"HX-Request": "true"})

    assert "HX-Request" in partial["Vary"]
    assert b"<html" in whole.content and b"<html" not in partial.content
    assert b"A jet was shot down over the border" in partial.content
