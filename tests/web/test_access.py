"""Who may open each page and do each action: viewer, analyst, editor, a user with no role, and nobody signed in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.enums import ReviewState, Verdict
from claims.models import Evidence, Statement
from sources.models import Feed
from tests.factories import ClaimFactory

PAGES = [
    ("claims:home", None),
    ("claims:claim_list", None),
    ("claims:claim_detail", "claim"),
    ("claims:review_queue", None),
    ("claims:party_list", None),
    ("claims:party_detail", "party"),
    ("sources:article_list", None),
    ("sources:article_detail", "article"),
    ("sources:source_list", None),
    ("sources:run_list", None),
    ("sources:run_detail", "run"),
]
# The review queue is work, not reading: it needs the analyst role.
ANALYST_PAGES = {"claims:review_queue"}


def _url(name: str, arg: str | None, tracker: dict) -> str:
    if arg is None:
        return reverse(name)
    value = {"claim": tracker["claim"].pk, "party": tracker["ministry"].slug, "article": tracker["article"].pk,
             "run": tracker["run"].pk}[arg]
    return reverse(name, args=[value])


@pytest.mark.parametrize(("name", "arg"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, tracker, name, arg):
    url = _url(name, arg, tracker)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize(("name", "arg"), PAGES)
@pytest.mark.parametrize("persona", ["outsider", "viewer", "analyst", "editor", "admin_user"])
def test_pages_by_role(client, tracker, request, persona, name, arg):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(name, arg, tracker))
    refused = persona == "outsider" or (persona == "viewer" and name in ANALYST_PAGES)
    expected = 403 if refused else 200
    assert response.status_code == expected


def test_htmx_request_without_session_redirects_the_whole_page(client, tracker):
    response = client.get(reverse("claims:claim_list"), headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (401, reverse("login"))


def test_sign_in_page_is_open_and_signs_in(client, analyst):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": analyst.username, "password": "correct horse battery"})
    assert (response.status_code, response["Location"]) == (302, reverse("claims:home"))


def test_forbidden_page_explains(client, tracker, viewer):
    client.force_login(viewer)
    response = client.get(reverse("claims:review_queue"))
    assert b"needs the analyst role" in response.content


def test_viewer_sees_no_actions_on_the_claim_page(client, tracker, viewer):
    client.force_login(viewer)
    content = client.get(reverse("claims:claim_detail", args=[tracker["claim"].pk])).content.decode()
    assert ("Set the verdict" in content, "Propose a verdict" in content, "Add evidence" in content) == (
        False, False, False
    )


def test_analyst_may_only_propose(client, tracker, analyst):
    client.force_login(analyst)
    content = client.get(reverse("claims:claim_detail", args=[tracker["claim"].pk])).content.decode()
    assert ("Propose a verdict" in content, 'value="confirmed"' in content, "Publish this verdict" in content) == (
        True, False, False
    )


def test_editor_sets_any_verdict(client, tracker, editor):
    client.force_login(editor)
    content = client.get(reverse("claims:claim_detail", args=[tracker["claim"].pk])).content.decode()
    assert ("Set the verdict" in content, 'value="confirmed"' in content, "Publish this verdict" in content) == (
        True, True, True
    )


# --- Actions: the server refuses what a role may not do, whatever the page offered -----------------


def _verdict_post(claim, verdict):
    return {"verdict": verdict, "rationale": "Two independent sources.", "version": claim.version}


@pytest.mark.parametrize(
    ("persona", "verdict", "status", "saved"),
    [
        ("viewer", Verdict.IN_REVIEW, 403, Verdict.UNVERIFIED),
        ("outsider", Verdict.IN_REVIEW, 403, Verdict.UNVERIFIED),
        ("analyst", Verdict.CONFIRMED, 400, Verdict.UNVERIFIED),
        ("analyst", Verdict.IN_REVIEW, 302, Verdict.IN_REVIEW),
        ("editor", Verdict.CONFIRMED, 302, Verdict.CONFIRMED),
    ],
)
def test_set_verdict_by_role(client, tracker, request, persona, verdict, status, saved):
    claim = tracker["claim"]
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("claims:claim_set_verdict", args=[claim.pk]), _verdict_post(claim, verdict))
    claim.refresh_from_db()
    assert (response.status_code, claim.verdict) == (status, saved)


def test_anonymous_post_changes_nothing(client, tracker):
    claim = tracker["claim"]
    response = client.post(
        reverse("claims:claim_set_verdict", args=[claim.pk]), _verdict_post(claim, Verdict.CONFIRMED)
    )
    claim.refresh_from_db()
    assert (response.status_code, claim.verdict) == (302, Verdict.UNVERIFIED)


def test_stale_version_is_refused_with_a_clear_message(client, tracker, editor):
    claim = tracker["claim"]
    client.force_login(editor)
    data = _verdict_post(claim, Verdict.CONFIRMED) | {"version": claim.version - 1 if claim.version > 1 else 99}
    response = client.post(reverse("claims:claim_set_verdict", args=[claim.pk]), data)
    claim.refresh_from_db()
    assert (response.status_code, claim.verdict) == (409, Verdict.UNVERIFIED)
    assert "Someone else changed this claim" in response.content.decode()


def test_same_verdict_again_is_a_friendly_error(client, tracker, editor):
    claim = tracker["claim"]
    client.force_login(editor)
    response = client.post(
        reverse("claims:claim_set_verdict", args=[claim.pk]), _verdict_post(claim, Verdict.UNVERIFIED)
    )
    assert (response.status_code, "the claim is already unverified" in response.content.decode()) == (400, True)


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302), ("editor", 302)])
def test_edit_wording_by_role(client, tracker, request, persona, status):
    claim = tracker["claim"]
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("claims:claim_edit", args=[claim.pk]),
        {"text": "The Vltava bridge was destroyed", "kind": "factual", "tags": "bridges, shelling",
         "version": claim.version},
    )
    claim.refresh_from_db()
    changed = claim.text == "The Vltava bridge was destroyed"
    assert (response.status_code, changed) == (status, status == 302)


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302)])
def test_add_evidence_by_role(client, tracker, request, persona, status):
    claim = tracker["claim"]
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("claims:claim_add_evidence", args=[claim.pk]),
        {"kind": "link", "relation": "supports", "url": "https://example.org/photo", "note": "Satellite image"},
    )
    assert (response.status_code, Evidence.objects.filter(claim=claim).count()) == (status, int(status == 302))


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302)])
def test_merge_by_role(client, tracker, request, persona, status):
    other = ClaimFactory(text="The Vltava bridge is down")
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("claims:claim_merge", args=[other.pk]), {"target": tracker["claim"].pk, "confirm": "on"}
    )
    other.refresh_from_db()
    assert (response.status_code, other.merged_into_id) == (
        status, tracker["claim"].pk if status == 302 else None
    )


def test_merge_into_unknown_claim_is_a_form_error(client, tracker, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:claim_merge", args=[tracker["claim"].pk]), {"target": 999999, "confirm": "on"}
    )
    assert (response.status_code, "There is no claim with that number." in response.content.decode()) == (400, True)


@pytest.mark.parametrize(("persona", "status", "state"), [
    ("viewer", 403, ReviewState.PENDING), ("analyst", 302, ReviewState.ACCEPTED), ("editor", 302, ReviewState.ACCEPTED),
])
def test_review_by_role(client, pending, request, persona, status, state):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("claims:review_decide", args=[pending.pk]), {"action": "accept"})
    pending.refresh_from_db()
    assert (response.status_code, pending.review_state) == (status, state)


def test_bulk_review(client, pending, analyst):
    client.force_login(analyst)
    response = client.post(reverse("claims:review_bulk"), {"action": "reject", "statements": [pending.pk]})
    pending.refresh_from_db()
    assert (response.status_code, pending.review_state) == (302, ReviewState.REJECTED)


def test_review_with_htmx_returns_the_queue_at_the_next_item(client, pending, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:review_decide", args=[pending.pk]), {"action": "reject", "version": pending.version},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert (response.status_code, "Rejected:" in content, "<html" in content, "The queue is empty" in content) == (
        200, True, False, True
    )


def test_review_reassigns_party_and_stance(client, pending, tracker, analyst):
    client.force_login(analyst)
    client.post(
        reverse("claims:review_decide", args=[pending.pk]),
        {"action": "accept", "party": tracker["ministry"].pk, "stance": "confirms", "claim": tracker["claim"].pk},
    )
    statement = Statement.objects.get(pk=pending.pk)
    assert (statement.party_id, statement.stance, statement.review_state) == (
        tracker["ministry"].pk, "confirms", ReviewState.ACCEPTED
    )


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 403), ("editor", 302)])
def test_pause_feed_by_role(client, tracker, request, persona, status):
    feed = tracker["feed"]
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("sources:feed_pause", args=[feed.pk]))
    feed.refresh_from_db()
    assert (response.status_code, feed.is_active) == (status, status != 302)


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 403), ("editor", 302)])
def test_add_feed_by_role(client, tracker, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("sources:feed_add"),
        {"outlet": tracker["article"].outlet_id, "url": "https://news.example.org/rss", "poll_interval_minutes": 30},
    )
    assert (response.status_code, Feed.objects.filter(url="https://news.example.org/rss").exists()) == (
        status, status == 302
    )


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302)])
def test_paste_text_by_role(client, tracker, request, persona, status):
    from sources.models import Article

    client.force_login(request.getfixturevalue(persona))
    before = Article.objects.count()
    response = client.post(
        reverse("sources:submit_text"),
        {"title": "Pasted report", "text": "The ministry said the second bridge was also destroyed on Monday."},
    )
    assert (response.status_code, Article.objects.count() - before) == (status, int(status == 302))


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302)])
def test_poll_now_by_role(client, tracker, request, persona, status, django_capture_on_commit_callbacks):
    client.force_login(request.getfixturevalue(persona))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("sources:feed_poll", args=[tracker["feed"].pk]))
    assert (response.status_code, len(callbacks)) == (status, int(status == 302))


@pytest.mark.parametrize("url", ["claims:claim_detail", "sources:article_detail"])
def test_unknown_ids_are_friendly_404s(client, viewer, url):
    client.force_login(viewer)
    response = client.get(reverse(url, args=[987654]))
    assert (response.status_code, b"Not found" in response.content) == (404, True)


def test_get_on_an_action_is_refused(client, tracker, editor):
    client.force_login(editor)
    assert client.get(reverse("claims:claim_set_verdict", args=[tracker["claim"].pk])).status_code == 405
