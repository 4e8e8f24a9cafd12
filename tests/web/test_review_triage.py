"""Triage in the review queue: filters, grouping by article with the paragraph, bulk per article, undo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.enums import Origin, ReviewState, Stance
from claims.models import Claim, Statement
from tests.factories import (
    ArticleFactory,
    ArticleRevisionFactory,
    ClaimFactory,
    PartyAliasFactory,
    PartyFactory,
    StatementFactory,
)

TEXT = (
    "Heading line of the report.\n"
    "The governor said the levee held through the night. Residents disagreed, saying water came over it.\n"
    "A closing paragraph about something else."
)


def _article_with(n: int, **statement_kwargs) -> tuple[object, list[Statement]]:
    """An article whose second paragraph carries `n` pending statements (the same words, different stances)."""
    revision = ArticleRevisionFactory(text=TEXT)
    start = TEXT.index("The governor")
    end = TEXT.index(" Residents")
    stances = [Stance.ASSERTS, Stance.QUESTIONS, Stance.DENIES]
    made = [
        StatementFactory(revision=revision, start=start, end=end, stance=stances[i], **statement_kwargs)
        for i in range(n)
    ]
    return revision.article, made


def _state(statement) -> str:
    return Statement.objects.get(pk=statement.pk).review_state


def _queue(client, **params):
    response = client.get(reverse("claims:review_queue"), params)
    assert response.status_code == 200
    return response


def _ids(response) -> list[int]:
    return sorted(s.pk for group in response.context["groups"] for s, _ in group.items)


# --- Filters --------------------------------------------------------------------------------------


def test_filter_by_article_claim_party_origin_and_confidence(client, analyst):
    client.force_login(analyst)
    party = PartyFactory(name="Levee Authority")
    PartyAliasFactory(party=party, text="The Authority")
    claim = ClaimFactory()
    _, (low,) = _article_with(1, confidence=0.3, party=party, claim=claim)
    article, (high,) = _article_with(1, confidence=0.9, origin=Origin.ANALYST)
    assert _ids(_queue(client)) == sorted([low.pk, high.pk])
    assert _ids(_queue(client, article=article.pk)) == [high.pk]
    assert _ids(_queue(client, claim=claim.pk)) == [low.pk]
    assert _ids(_queue(client, party="The Authority")) == [low.pk]
    assert _ids(_queue(client, party=party.slug)) == [low.pk]
    assert _ids(_queue(client, origin=Origin.ANALYST)) == [high.pk]
    assert _ids(_queue(client, confidence_max="0.5")) == [low.pk]
    assert _ids(_queue(client, confidence_min="0.5", confidence_max="1")) == [high.pk]


def test_a_bad_filter_is_named_and_the_others_still_apply(client, analyst):
    client.force_login(analyst)
    _, (low,) = _article_with(1, confidence=0.3)
    _article_with(1, confidence=0.9)
    response = _queue(client, party="nobody by this name", confidence_max="0.5")
    content = response.content.decode()
    assert (_ids(response), "No party by that name or alias." in content) == ([low.pk], True)
    response = _queue(client, confidence_min="0.8", confidence_max="0.2", article="x")
    content = response.content.decode()
    assert ("The upper bound is below the lower one." in content, "Enter a whole number." in content) == (True, True)


def test_nothing_under_the_filters_says_so(client, analyst):
    client.force_login(analyst)
    _article_with(1, confidence=0.9)
    content = _queue(client, confidence_max="0.1").content.decode()
    assert ("Nothing waits under these filters." in content, "0 match the filters" in content) == (True, True)


# --- Grouping and context -------------------------------------------------------------------------


def test_grouped_by_article_with_the_paragraph_around_each_statement(client, analyst):
    client.force_login(analyst)
    first, two = _article_with(2)
    second, one = _article_with(1)
    response = _queue(client)
    groups = [(g.article.pk, [s.pk for s, _ in g.items], g.pending_in_article) for g in response.context["groups"]]
    assert groups == [(first.pk, [s.pk for s in two], 2), (second.pk, [one[0].pk], 1)]
    before, quote, after = response.context["groups"][0].items[0][1]
    assert (before, quote, after) == (
        "", "The governor said the levee held through the night.", " Residents disagreed, saying water came over it."
    )


def test_groups_follow_the_confidence_order_and_leave_withdrawn_statements_out(client, analyst):
    client.force_login(analyst)
    unsure, (low,) = _article_with(1, confidence=0.3)
    sure, (high,) = _article_with(1, confidence=0.9)
    later = ArticleRevisionFactory(article=sure, number=2, text=TEXT.split("\n", 1)[1])
    gone = StatementFactory(revision=high.revision, start=0, end=TEXT.index("\n"), confidence=0.99)
    services.statement_withdraw_many(statement_ids=[gone.pk], revision=later)
    response = _queue(client)
    groups = [(g.article.pk, [s.pk for s, _ in g.items], g.pending_in_article) for g in response.context["groups"]]
    assert groups == [(sure.pk, [high.pk], 1), (unsure.pk, [low.pk], 1)]
    filtered = _queue(client, article=sure.pk)
    assert (_ids(filtered), filtered.context["matching"]) == ([high.pk], 1)


# --- Bulk per article -----------------------------------------------------------------------------


def test_accept_all_of_an_article_leaves_the_other_articles(client, analyst):
    client.force_login(analyst)
    article, mine = _article_with(3)
    _, other = _article_with(1)
    response = client.post(reverse("claims:review_bulk"), {"action": "accept", "article": article.pk},
                           headers={"HX-Request": "true"})
    assert (response.status_code, "3 statements accepted." in response.content.decode()) == (200, True)
    assert [_state(s) for s in [*mine, *other]] == [ReviewState.ACCEPTED] * 3 + [ReviewState.PENDING]


def test_reject_all_of_an_article_respects_the_filters(client, analyst):
    client.force_login(analyst)
    revision = ArticleRevisionFactory(text=TEXT, article=ArticleFactory())
    start, end = TEXT.index("The governor"), TEXT.index(" Residents")
    low = StatementFactory(revision=revision, start=start, end=end, confidence=0.2)
    high = StatementFactory(revision=revision, start=start, end=end, confidence=0.95, stance=Stance.DENIES)
    url = reverse("claims:review_bulk") + "?confidence_max=0.5"
    client.post(url, {"action": "reject", "article": revision.article.pk})
    assert (_state(low), _state(high)) == (ReviewState.REJECTED, ReviewState.PENDING)


def test_accept_all_of_an_article_leaves_its_withdrawn_statements_as_they_were(client, analyst):
    client.force_login(analyst)
    article, (kept, gone) = _article_with(2)
    services.statement_withdraw_many(
        statement_ids=[gone.pk], revision=ArticleRevisionFactory(article=article, number=2, text=TEXT + " Updated.")
    )
    client.post(reverse("claims:review_bulk"), {"action": "accept", "article": article.pk})
    assert (_state(kept), _state(gone)) == (ReviewState.ACCEPTED, ReviewState.PENDING)


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302), ("editor", 302)])
def test_bulk_by_article_by_role(db, client, request, persona, status):
    article, (statement,) = _article_with(1)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("claims:review_bulk"), {"action": "accept", "article": article.pk})
    expected = ReviewState.PENDING if status == 403 else ReviewState.ACCEPTED
    assert (response.status_code, _state(statement)) == (status, expected)


def test_bulk_with_nothing_chosen_is_a_clear_400(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("claims:review_bulk"), {"action": "accept"}, headers={"HX-Request": "true"})
    assert (response.status_code, "Choose at least one statement" in response.content.decode()) == (400, True)


# --- Undo -----------------------------------------------------------------------------------------


def _undo_token(response) -> str:
    return response.context["undo"]


def test_undo_after_accept_restores_the_statement_and_its_corrections(client, analyst):
    client.force_login(analyst)
    proposed = ClaimFactory(review_state=ReviewState.PENDING)
    _, (statement,) = _article_with(1, claim=proposed)
    other = PartyFactory()
    response = client.post(
        reverse("claims:review_decide", args=[statement.pk]),
        {"action": "accept", "party": other.slug, "stance": Stance.DENIES, "version": statement.version},
        headers={"HX-Request": "true"},
    )
    assert Claim.objects.get(pk=proposed.pk).review_state == ReviewState.ACCEPTED
    response = client.post(reverse("claims:review_undo"), {"undo": _undo_token(response)},
                           headers={"HX-Request": "true"})
    back = Statement.objects.get(pk=statement.pk)
    assert (response.status_code, back.review_state, back.party_id, back.stance, back.reviewed_by_id) == (
        200, ReviewState.PENDING, statement.party_id, Stance.ASSERTS, None
    )
    assert Claim.objects.get(pk=proposed.pk).review_state == ReviewState.PENDING
    assert "Undone: 1 statement back as before." in response.content.decode()


def test_undo_after_a_bulk_reject(client, analyst):
    client.force_login(analyst)
    article, made = _article_with(3)
    response = client.post(reverse("claims:review_bulk"), {"action": "reject", "article": article.pk},
                           headers={"HX-Request": "true"})
    client.post(reverse("claims:review_undo"), {"undo": _undo_token(response)}, headers={"HX-Request": "true"})
    assert [_state(s) for s in made] == [ReviewState.PENDING] * 3


def test_undo_without_javascript_goes_through_the_session(client, analyst):
    client.force_login(analyst)
    _, (statement,) = _article_with(1)
    response = client.post(reverse("claims:review_decide", args=[statement.pk]), {"action": "reject"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    token = page.context["undo"]
    assert (bool(token), 'id="undo"' in page.content.decode()) == (True, True)
    client.post(reverse("claims:review_undo"), {"undo": token})
    assert _state(statement) == ReviewState.PENDING


def test_undo_refuses_once_someone_reviewed_again(client, analyst, editor):
    client.force_login(analyst)
    _, (statement,) = _article_with(1)
    response = client.post(reverse("claims:review_decide", args=[statement.pk]), {"action": "reject"},
                           headers={"HX-Request": "true"})
    token = _undo_token(response)
    client.force_login(editor)
    client.post(reverse("claims:review_decide", args=[statement.pk]), {"action": "accept"})
    client.force_login(analyst)
    response = client.post(reverse("claims:review_undo"), {"undo": token}, headers={"HX-Request": "true"})
    assert (_state(statement), "someone reviewed it again since" in response.content.decode()) == (
        ReviewState.ACCEPTED, True
    )


def test_undo_token_is_neither_forgeable_nor_anothers(client, analyst, editor):
    client.force_login(analyst)
    _, (statement,) = _article_with(1)
    response = client.post(reverse("claims:review_decide", args=[statement.pk]), {"action": "reject"},
                           headers={"HX-Request": "true"})
    token = _undo_token(response)
    forged = client.post(reverse("claims:review_undo"), {"undo": token[:-2] + "xx"}, headers={"HX-Request": "true"})
    client.force_login(editor)
    anothers = client.post(reverse("claims:review_undo"), {"undo": token}, headers={"HX-Request": "true"})
    assert (forged.status_code, anothers.status_code, _state(statement)) == (400, 400, ReviewState.REJECTED)
    assert "Nothing to undo" in anothers.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("analyst", 302), ("editor", 302)])
def test_undo_by_role(db, client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("claims:review_undo"), {"undo": "garbage"})
    assert response.status_code == status


def test_undo_anonymous_goes_to_sign_in(client):
    response = client.post(reverse("claims:review_undo"), {"undo": "x"})
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)


# --- Confirmation ---------------------------------------------------------------------------------


def test_confirmation_carries_the_whole_quote_without_doubled_marks(client, analyst):
    client.force_login(analyst)
    words = "“" + "The levee held, and it will keep holding through every storm the coming winter brings us" + "”"
    revision = ArticleRevisionFactory(text=f"The governor said {words} to reporters.")
    start = revision.text.index("“")
    statement = StatementFactory(revision=revision, start=start, end=start + len(words))
    response = client.post(reverse("claims:review_decide", args=[statement.pk]), {"action": "accept"},
                           headers={"HX-Request": "true"})
    notice = response.context["notice"]
    assert notice == f"Accepted: {statement.party} — {words}"
