"""Stored XSS through every field that reaches a page, CSRF on every form, sessions and tokens that end,
the sign-in rate limit, and secrets that never reach a log."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.enums import Stance
from claims.models import Evidence
from claims.services import api_token_create, api_token_revoke, claim_set_verdict, evidence_add
from tests.api.conftest import token_client
from tests.factories import (
    ArticleFactory,
    ArticleRevisionFactory,
    ClaimFactory,
    PartyAliasFactory,
    PartyFactory,
    StatementFactory,
)

SCRIPT = "<script>alert('xss')</script>"
ATTR = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{ATTR}"


@pytest.fixture
def hostile(db, editor):
    """A claim, party, alias, article, statement, evidence and verdict whose every text field is an attack."""
    party = PartyFactory(name=f"Party {PAYLOAD}", slug="hostile-party")
    PartyAliasFactory(party=party, text=f"alias {PAYLOAD}")
    claim = ClaimFactory(text=f"Claim {PAYLOAD}")
    article = ArticleFactory(title=f"Title {PAYLOAD}")
    revision = ArticleRevisionFactory(article=article, text=f"The ministry said {PAYLOAD} at dawn.")
    StatementFactory(revision=revision, party=party, claim=claim, stance=Stance.ASSERTS, speaker_text=PAYLOAD)
    evidence_add(claim=claim, actor=editor, kind="link", url="https://ok.example/x", note=f"note {PAYLOAD}")
    # A javascript: URL that somehow reached the table (an import, the admin): the page must not link it.
    Evidence.objects.create(claim=claim, kind="link", url="javascript:alert(document.cookie)", note="j",
                            added_by=editor)
    claim_set_verdict(claim=claim, actor=editor, verdict="false", rationale=f"because {PAYLOAD}", publish=True)
    return {"party": party, "claim": claim, "article": article}


def _pages(hostile) -> list[str]:
    return [
        reverse("claims:claim_detail", args=[hostile["claim"].pk]),
        reverse("claims:party_list"),
        reverse("claims:party_detail", args=[hostile["party"].slug]),
        reverse("sources:article_detail", args=[hostile["article"].pk]),
        reverse("sources:article_list"),
        reverse("claims:review_queue"),
        reverse("claims:claim_list"),
        reverse("claims:claim_list") + "?q=Claim",
        reverse("claims:home"),
        reverse("sources:source_list"),
    ]


def test_javascript_urls_are_refused_as_evidence(hostile, editor):
    with pytest.raises(Exception, match=r"(?i)url"):
        evidence_add(claim=hostile["claim"], actor=editor, kind="link", url="javascript:alert(1)")


def test_every_field_that_reaches_a_page_is_escaped(client, hostile, editor):
    client.force_login(editor)
    escaped_seen = 0
    for url in _pages(hostile):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert SCRIPT not in html, url
        assert "<img src=x" not in html, url
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I), url
        escaped_seen += html.count("&lt;script&gt;")
    assert escaped_seen >= 6  # the payload is shown, as text


def test_claimreview_json_ld_cannot_break_out_of_its_script_tag(client, hostile, viewer):
    client.force_login(viewer)
    html = client.get(reverse("claims:claim_detail", args=[hostile["claim"].pk])).content.decode()

    blocks = re.findall(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", html, re.S)
    assert blocks, "the published verdict embeds ClaimReview"
    assert all("<script" not in block and "<img" not in block for block in blocks)


# --- CSRF -------------------------------------------------------------------------------------------


def _post_urls(tracker, pending) -> list[str]:
    claim, feed = tracker["claim"], tracker["feed"]
    return [
        reverse("claims:claim_set_verdict", args=[claim.pk]),
        reverse("claims:claim_edit", args=[claim.pk]),
        reverse("claims:claim_merge", args=[claim.pk]),
        reverse("claims:claim_add_evidence", args=[claim.pk]),
        reverse("claims:review_bulk"),
        reverse("claims:review_decide", args=[pending.pk]),
        reverse("sources:feed_add"),
        reverse("sources:feed_pause", args=[feed.pk]),
        reverse("sources:feed_poll", args=[feed.pk]),
        reverse("sources:submit_urls"),
        reverse("sources:submit_text"),
        reverse("logout"),
        reverse("password_change"),
        reverse("login"),
    ]


def test_every_form_refuses_a_post_without_its_csrf_token(tracker, pending, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    for url in _post_urls(tracker, pending):
        answer = client.post(url, {"verdict": "false", "rationale": "x", "urls": "https://example.org/"})
        assert answer.status_code == 403, url
    tracker["claim"].refresh_from_db()
    assert tracker["claim"].verdict == "unverified"


def test_the_api_with_a_session_needs_csrf_but_a_token_does_not(tracker, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = f"/api/v1/claims/{tracker['claim'].pk}/verdict/"

    assert client.post(url, {"verdict": "false", "rationale": "r"}, content_type="application/json").status_code == 403
    tool = token_client(editor, read_write=True)
    assert tool.post(url, {"verdict": "false", "rationale": "r"}, format="json").status_code == 200


# --- Sessions and tokens ------------------------------------------------------------------------------


def test_an_expired_session_is_signed_out(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("claims:party_list")).status_code == 200
    session = client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()

    answer = client.get(reverse("claims:party_list"))

    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_a_revoked_token_is_refused_at_once(viewer):
    token, raw = api_token_create(user=viewer, name="tool")
    client = token_client(viewer, read_write=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/claims/").status_code == 200

    api_token_revoke(token=token, actor=viewer)

    answer = client.get("/api/v1/claims/")
    assert answer.status_code == 401


def test_a_user_made_inactive_loses_api_access(viewer):
    client = token_client(viewer, read_write=False)
    get_user_model().objects.filter(pk=viewer.pk).update(is_active=False)

    assert client.get("/api/v1/claims/").status_code == 401


# --- Sign-in rate limit ---------------------------------------------------------------------------------


@pytest.fixture
def fresh_limits(settings):
    from django.core.cache import cache

    settings.LOGIN_FAILURE_LIMIT = 3
    cache.delete_pattern("*login-failures*") if hasattr(cache, "delete_pattern") else cache.clear()
    yield
    cache.clear()


def test_repeated_failed_sign_ins_are_refused_with_429_then_the_right_password_also_waits(client, viewer,
                                                                                          fresh_limits):
    url = reverse("login")
    bad = [client.post(url, {"username": viewer.username, "password": f"wrong{n}"}) for n in range(3)]
    locked = client.post(url, {"username": viewer.username, "password": "correct horse battery"})

    assert [r.status_code for r in bad] == [200, 200, 200]
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_user_name_and_a_success_clears_it(client, viewer, analyst, fresh_limits):
    url = reverse("login")
    for n in range(2):
        client.post(url, {"username": viewer.username, "password": f"wrong{n}"})
    ok = client.post(url, {"username": viewer.username, "password": "correct horse battery"})
    assert ok.status_code == 302
    client.logout()
    for n in range(3):
        client.post(url, {"username": analyst.username, "password": f"wrong{n}"})

    assert client.post(url, {"username": analyst.username, "password": "x"}).status_code == 429
    assert client.post(url, {"username": viewer.username, "password": "wrong"}).status_code == 200


def test_one_password_sprayed_over_many_user_names_is_stopped_by_the_address_limit(client, viewer, analyst,
                                                                                    fresh_limits, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    url = reverse("login")
    sprayed = [client.post(url, {"username": f"user{n}", "password": "Summer2026!"}).status_code for n in range(4)]
    ok = client.post(url, {"username": viewer.username, "password": "correct horse battery"})
    client.logout()
    after = client.post(url, {"username": analyst.username, "password": "correct horse battery"})

    assert (sprayed, ok.status_code, after.status_code) == ([200] * 4, 429, 429)
    assert "from this address" in after.content.decode()
    other = Client(REMOTE_ADDR="10.9.8.7")  # another address is not held back
    assert other.post(url, {"username": analyst.username, "password": "correct horse battery"}).status_code == 302


def test_the_admin_sign_in_has_the_same_limit(client, admin_user, fresh_limits):
    url = reverse("admin:login")
    bad = [client.post(url, {"username": admin_user.username, "password": f"wrong{n}"}) for n in range(3)]
    locked = client.post(url, {"username": admin_user.username, "password": "correct horse battery"})

    assert [r.status_code for r in bad] == [200, 200, 200]
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_still_works(client, admin_user, fresh_limits):
    answer = client.post(reverse("admin:login"), {"username": admin_user.username, "password": "correct horse battery"})

    assert (answer.status_code, answer["Location"]) == (302, reverse("admin:index"))


# --- Secrets in logs ---------------------------------------------------------------------------------------


def test_tokens_and_passwords_never_reach_the_log(client, viewer, caplog, capsys):
    from config.logging import ContextFilter, JsonFormatter, PlainFormatter

    _token, raw = api_token_create(user=viewer, name="tool")
    password = "correct horse battery"
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("login") + f"?token={raw}", {"username": viewer.username, "password": password})
        client.get(f"/api/v1/claims/?api_key={raw}", HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.get("/api/v1/claims/does-not-exist/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        # Even a careless log call in our code is cleaned by the filter.
        logging.getLogger("claims.careless").warning("headers: Authorization: Bearer %s password=%s", raw, password)

    context = ContextFilter()
    text = ""
    for record in caplog.records:
        context.filter(record)
        text += PlainFormatter().format(record) + "\n" + JsonFormatter().format(record) + "\n"
    text += capsys.readouterr().err
    assert caplog.records
    assert raw not in text
    assert password not in text
    assert "[redacted]" in text
