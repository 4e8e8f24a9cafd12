"""Teamwork: assigning claims, notes, watching claims and parties, notifications in the app and by e-mail."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.enums import NotificationKind, Stance
from claims.models import Claim, ClaimNote, Notification, Watch
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, UserFactory


def _new_statement(*, claim=None, party=None):
    revision = ArticleRevisionFactory(text="The council said the bridge will reopen in spring.")
    return services.statement_create(
        revision=revision, start=0, end=len(revision.text), stance=Stance.ASSERTS, origin="extracted",
        party=party or PartyFactory(), claim=claim or ClaimFactory(),
    )[0]


# --- Assignment -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302), ("editor", 302)])
def test_assign_by_role(db, client, request, persona, status, analyst):
    claim = ClaimFactory()
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("claims:claim_assign", args=[claim.pk]), {"assignee": analyst.pk})
    expected = None if status == 403 else analyst.pk
    assert (response.status_code, Claim.objects.get(pk=claim.pk).assignee_id) == (status, expected)


def test_my_claims_on_the_dashboard(client, analyst, editor):
    mine, theirs = ClaimFactory(text="Mine to check"), ClaimFactory(text="Someone else's")
    client.force_login(analyst)
    client.post(reverse("claims:claim_assign", args=[mine.pk]), {"assignee": "me"})
    client.post(reverse("claims:claim_assign", args=[theirs.pk]), {"assignee": editor.pk})
    response = client.get(reverse("claims:home"))
    assert [c.pk for c in response.context["my_claims"]] == [mine.pk]
    page = client.get(reverse("claims:claim_detail", args=[mine.pk])).content.decode()
    assert "Worked by <strong>ana-analyst</strong> (you)." in page


def test_a_viewer_cannot_be_assigned_and_is_told_why(client, analyst, viewer):
    claim = ClaimFactory()
    client.force_login(analyst)
    response = client.post(reverse("claims:claim_assign", args=[claim.pk]), {"assignee": viewer.pk}, follow=True)
    assert Claim.objects.get(pk=claim.pk).assignee_id is None
    assert "vera-viewer cannot work claims: they need the analyst role" in response.content.decode()


def test_assign_to_someone_unknown_is_refused(client, analyst):
    claim = ClaimFactory()
    client.force_login(analyst)
    response = client.post(reverse("claims:claim_assign", args=[claim.pk]), {"assignee": "99999"}, follow=True)
    assert (Claim.objects.get(pk=claim.pk).assignee_id, "choose someone from the list" in response.content.decode()) \
        == (None, True)


# --- Notes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status", "notes"), [("viewer", 403, 0), ("analyst", 302, 1), ("editor", 302, 1)])
def test_note_by_role(db, client, request, persona, status, notes):
    claim = ClaimFactory()
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("claims:claim_note_add", args=[claim.pk]), {"text": "Check the satellite pass."})
    assert (response.status_code, ClaimNote.objects.filter(claim=claim).count()) == (status, notes)


def test_notes_are_kept_with_author_and_time_and_shown_to_the_team(client, analyst, viewer):
    claim = ClaimFactory()
    client.force_login(analyst)
    client.post(reverse("claims:claim_note_add", args=[claim.pk]), {"text": "Called the ministry <b>twice</b>."})
    note = ClaimNote.objects.get(claim=claim)
    expected = (analyst.pk, "Called the ministry <b>twice</b>.", True)
    assert (note.author_id, note.text, note.created_at is not None) == expected
    client.force_login(viewer)
    page = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert ("Called the ministry &lt;b&gt;twice&lt;/b&gt;." in page, "ana-analyst" in page, 'id="note-text"' in page) \
        == (True, True, False)


def test_an_empty_note_is_refused_with_a_reason(client, analyst):
    claim = ClaimFactory()
    client.force_login(analyst)
    response = client.post(reverse("claims:claim_note_add", args=[claim.pk]), {"text": "   "}, follow=True)
    told = "Note not saved: a note needs some text." in response.content.decode()
    assert (ClaimNote.objects.count(), told) == (0, True)


# --- Watching and notifications -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["viewer", "analyst", "editor"])
def test_anyone_with_a_role_may_watch(db, client, request, persona):
    claim, party = ClaimFactory(), PartyFactory()
    user = request.getfixturevalue(persona)
    client.force_login(user)
    a = client.post(reverse("claims:claim_watch", args=[claim.pk]), {"watch": "on"})
    b = client.post(reverse("claims:party_watch", args=[party.slug]), {"watch": "on"})
    assert (a.status_code, b.status_code, Watch.objects.filter(user=user).count()) == (302, 302, 2)
    client.post(reverse("claims:claim_watch", args=[claim.pk]), {"watch": "off"})
    assert list(Watch.objects.filter(user=user).values_list("party_id", flat=True)) == [party.pk]


def test_watch_needs_sign_in_and_a_role(db, client):
    claim = ClaimFactory()
    anonymous = client.post(reverse("claims:claim_watch", args=[claim.pk]), {"watch": "on"})
    client.force_login(UserFactory())
    no_role = client.post(reverse("claims:claim_watch", args=[claim.pk]), {"watch": "on"})
    assert (anonymous.status_code, no_role.status_code, Watch.objects.count()) == (302, 403, 0)


def test_new_statements_notify_watchers_of_the_claim_and_of_a_party_above(analyst, editor, viewer):
    state = PartyFactory(name="Republic")
    ministry = PartyFactory(name="Ministry of Roads", parent=state)
    claim = ClaimFactory(text="The bridge will reopen in spring")
    analyst.email, viewer.email = "ana@example.org", ""
    analyst.save(), viewer.save()
    services.watch_set(actor=analyst, claim=claim, watching=True)
    services.watch_set(actor=viewer, party=state, watching=True)
    services.watch_set(actor=analyst, party=state, watching=True)  # told once all the same
    statement = _new_statement(claim=claim, party=ministry)
    made = services.notifications_for_statements(statement_ids=[statement.pk])
    rows = sorted(Notification.objects.values_list("user_id", "kind", "statement_id"))
    assert (made, rows) == (2, sorted([(analyst.pk, NotificationKind.STATEMENT, statement.pk),
                                       (viewer.pk, NotificationKind.STATEMENT, statement.pk)]))
    # Run again (a redelivered task): nobody is told twice.
    assert services.notifications_for_statements(statement_ids=[statement.pk]) == 0
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "Ministry of Roads asserts “The bridge will reopen in spring”" in mail.outbox[0].body


def test_a_statement_withdrawn_before_the_notifications_ran_tells_nobody(analyst):
    claim = ClaimFactory(text="The bridge will reopen in spring")
    services.watch_set(actor=analyst, claim=claim, watching=True)
    statement = _new_statement(claim=claim)
    later = ArticleRevisionFactory(article=statement.article, number=2, text="The council met on Monday.")
    services.statement_withdraw_many(statement_ids=[statement.pk], revision=later)
    assert (services.notifications_for_statements(statement_ids=[statement.pk]), Notification.objects.count()) == (0, 0)


def test_a_verdict_change_notifies_the_claims_watchers(analyst, editor):
    claim = ClaimFactory(text="The dam holds")
    services.watch_set(actor=analyst, claim=claim, watching=True)
    services.claim_set_verdict(claim=claim, actor=editor, verdict="confirmed", rationale="Inspected.", publish=True)
    change = claim.status_changes.get()
    services.notifications_for_verdict(status_change_id=change.pk)
    assert list(Notification.objects.values_list("user_id", "kind", "text")) == [
        (analyst.pk, NotificationKind.VERDICT,
         "Verdict on “The dam holds”: Unverified → Confirmed (published) by ed-editor")
    ]


def test_notifications_page_is_ones_own_and_marks_read(client, analyst, editor):
    claim = ClaimFactory()
    services.watch_set(actor=analyst, claim=claim, watching=True)
    services.watch_set(actor=editor, claim=claim, watching=True)
    services.notifications_for_statements(statement_ids=[_new_statement(claim=claim).pk])
    client.force_login(analyst)
    page = client.get(reverse("claims:notification_list"))
    assert [n.user_id for n in page.context["page"].object_list] == [analyst.pk]
    client.post(reverse("claims:notification_mark_read"))
    assert (Notification.objects.filter(user=analyst, read_at__isnull=True).count(),
            Notification.objects.filter(user=editor, read_at__isnull=True).count()) == (0, 1)


@pytest.mark.parametrize(("persona", "status"), [("viewer", 200), ("analyst", 200), ("editor", 200)])
def test_notifications_page_by_role(db, client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("claims:notification_list")).status_code == status


def test_notifications_page_needs_a_role(db, client):
    anonymous = client.get(reverse("claims:notification_list"))
    client.force_login(UserFactory())
    assert (anonymous.status_code, client.get(reverse("claims:notification_list")).status_code) == (302, 403)


def test_notification_list_queries_do_not_grow(client, analyst, django_assert_num_queries):
    claim = ClaimFactory()
    services.watch_set(actor=analyst, claim=claim, watching=True)
    client.force_login(analyst)
    url = reverse("claims:notification_list")
    services.notifications_for_statements(statement_ids=[_new_statement(claim=claim).pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    more = [_new_statement(claim=claim).pk, _new_statement(claim=claim).pk]
    services.notifications_for_statements(statement_ids=more)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3


def test_a_worker_makes_the_notifications_once_the_statement_commits(celery_worker, analyst):
    """End to end: a statement saved by the service, a real Celery worker, the watcher's notification."""
    claim = ClaimFactory()
    services.watch_set(actor=analyst, claim=claim, watching=True)
    statement = _new_statement(claim=claim)  # transactional_db: committed, so on_commit queues the task
    deadline = time.monotonic() + 30
    while not Notification.objects.filter(user=analyst, statement=statement).exists():
        assert time.monotonic() < deadline, "the worker made no notification"
        time.sleep(0.2)
    assert Notification.objects.get(user=analyst).kind == NotificationKind.STATEMENT
