"""Each rule in one place (the services), so that the pages, the API, the admin and imports give the same answer."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import selectors, services
from claims.admin import PartyAdminForm
from claims.annotations import AnnotationError, annotation_import
from claims.enums import ReviewState, Verdict
from claims.models import Claim, Party, Statement, StatusChange
from sources.dedup import text_hash, text_lsh_bands
from sources.models import Article
from tests.api.conftest import token_client
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory

# --- Tags: trimmed, lowercased, deduplicated, sorted ------------------------------------------------------


def test_the_service_normalises_tags_on_create_and_on_edit(db, analyst):
    claim = services.claim_create(text="The dam was opened", tags=[" Water ", "water", "", "DAMS"])
    created = list(claim.tags)
    services.claim_update(claim=claim, actor=analyst, tags=["Floods", " floods", "  "])
    claim.refresh_from_db()

    assert (created, claim.tags) == (["dams", "water"], ["floods"])


def test_a_tag_set_through_the_api_is_found_by_the_tag_search(db, editor):
    claim = ClaimFactory()
    client = token_client(editor, read_write=True)

    patched = client.patch(f"/api/v1/claims/{claim.pk}/", {"tags": ["Reservoir", "RESERVOIR "]}, format="json")
    by_filter = client.get("/api/v1/claims/", {"tag": "reservoir"}).json()["results"]
    by_filter_capitalised = client.get("/api/v1/claims/", {"tag": "Reservoir"}).json()["results"]
    by_search = client.get("/api/v1/claims/", {"q": "Reservoir"}).json()["results"]

    assert (patched.status_code, patched.json()["tags"]) == (200, ["reservoir"])
    assert [[c["id"] for c in found] for found in (by_filter, by_filter_capitalised, by_search)] == [[claim.pk]] * 3


def test_the_edit_form_stores_tags_as_the_service_does(client, db, analyst):
    claim = ClaimFactory()
    client.force_login(analyst)

    response = client.post(
        reverse("claims:claim_edit", args=[claim.pk]),
        {"text": claim.text, "kind": claim.kind, "tags": "Levee, levee , Flood", "version": claim.version},
    )
    claim.refresh_from_db()

    assert (response.status_code, claim.tags) == (302, ["flood", "levee"])


def test_the_admin_stores_tags_as_the_service_does(db):
    claim = ClaimFactory(tags=[])
    claim.tags = ["Canal", "canal ", "Locks"]

    admin.site._registry[Claim].save_model(request=None, obj=claim, form=None, change=True)
    claim.refresh_from_db()

    assert claim.tags == ["canal", "locks"]


# --- The rationale: at most RATIONALE_MAX_LENGTH characters ----------------------------------------------


def test_the_service_refuses_a_rationale_over_the_cap_and_keeps_one_at_it(db, editor):
    claim = ClaimFactory()
    at_cap = "x" * services.RATIONALE_MAX_LENGTH

    with pytest.raises(ValidationError) as raised:
        services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale=at_cap + "x")
    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale=at_cap)

    assert raised.value.message_dict == {"rationale": ["a rationale is at most 5,000 characters, not 5,001"]}
    assert list(StatusChange.objects.filter(claim=claim).values_list("rationale", flat=True)) == [at_cap]


def test_the_api_answers_a_rationale_over_the_cap_with_a_clear_400(db, editor):
    claim = ClaimFactory()
    client = token_client(editor, read_write=True)

    answer = client.post(
        f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "false", "rationale": "y" * 5001}, format="json"
    )
    claim.refresh_from_db()

    assert (answer.status_code, answer.json()["error"]["fields"]) == (
        400, {"rationale": ["a rationale is at most 5,000 characters, not 5,001"]}
    )
    assert (claim.verdict, StatusChange.objects.filter(claim=claim).count()) == (Verdict.UNVERIFIED, 0)


def test_the_verdict_form_refuses_a_rationale_over_the_cap(client, db, editor):
    claim = ClaimFactory()
    client.force_login(editor)

    response = client.post(
        reverse("claims:claim_set_verdict", args=[claim.pk]),
        {"verdict": "false", "rationale": "z" * 5001, "version": claim.version},
    )
    claim.refresh_from_db()

    assert (response.status_code, claim.verdict, StatusChange.objects.count()) == (400, Verdict.UNVERIFIED, 0)


# --- Imports: articles through sources' service, party parents through party_update ------------------------


def test_an_imported_article_is_stored_as_sources_stores_text(db, tmp_path):
    text = "\n".join(f"Paragraph {n}: the harbour authority said the pier would reopen next week." for n in range(6))
    (tmp_path / "pier.txt").write_text(text)
    data = {
        "articles": [{"id": "pier", "file": "pier.txt", "headline": "The pier", "url": "https://wire.example/pier"}],
        "parties": [], "claims": [], "statements": [],
    }

    annotation_import(data=data, base_dir=tmp_path)
    revision = Article.objects.get(external_id="pier").revisions.get()

    assert (revision.text_hash, revision.lsh_bands) == (text_hash(text), text_lsh_bands(text))
    assert revision.lsh_bands != []


def test_an_imported_article_at_a_stored_address_is_a_clear_error(db, tmp_path):
    existing = ArticleRevisionFactory(article__url="https://wire.example/taken", text="Older text of the story.")
    (tmp_path / "taken.txt").write_text("Another text entirely, about a different story of the week.")
    data = {
        "articles": [{"id": "taken", "file": "taken.txt", "url": existing.article.canonical_url}],
        "parties": [], "claims": [], "statements": [],
    }

    with pytest.raises(AnnotationError) as raised:
        annotation_import(data=data, base_dir=tmp_path)

    assert str(raised.value) == (
        "article 'taken': an article with the address 'https://wire.example/taken' is already stored"
    )
    assert Article.objects.count() == 1


def test_an_import_whose_parents_make_a_cycle_is_refused_and_stores_nothing(db, tmp_path):
    data = {
        "articles": [], "claims": [], "statements": [],
        "parties": [
            {"id": "port-authority", "name": "Port authority", "kind": "agency", "parent": "harbour-board"},
            {"id": "harbour-board", "name": "Harbour board", "kind": "agency", "parent": "port-authority"},
        ],
    }

    with pytest.raises(AnnotationError) as raised:
        annotation_import(data=data, base_dir=tmp_path)

    assert str(raised.value) == (
        "party 'harbour-board': Port authority cannot be the parent of Harbour board: that would make a cycle"
    )
    assert Party.objects.count() == 0


def test_the_admin_refuses_a_parent_that_makes_a_cycle_as_party_update_does(db):
    state = PartyFactory()
    ministry = PartyFactory(parent=state)
    data = {**model_to_dict(state), "parent": ministry.pk}

    form = PartyAdminForm(data=data, instance=state)
    with pytest.raises(ValidationError) as raised:
        services.party_update(party=state, name=state.name, kind=state.kind, parent=ministry)

    assert (form.is_valid(), form.errors["parent"]) == (False, raised.value.messages)
    state.refresh_from_db()
    assert state.parent_id is None


def test_a_party_renamed_in_the_admin_is_found_by_its_new_name(db):
    party = PartyFactory(name="Harbour board")
    party.name = "Port Authority"

    admin.site._registry[Party].save_model(request=None, obj=party, form=None, change=True)

    assert selectors.party_resolve(mention="port authority") == party


# --- Bulk review: one service -----------------------------------------------------------------------------


def test_bulk_review_saves_each_statement_and_passes_over_ids_that_are_gone(db, analyst):
    statements = [StatementFactory(), StatementFactory()]

    report = services.statement_review_bulk(
        statement_ids=[s.pk for s in statements] + [10**9], actor=analyst, action="accept"
    )

    assert (report.done, report.failed) == (2, [])
    assert [s.review_state for s in Statement.objects.order_by("pk")] == [ReviewState.ACCEPTED] * 2


def test_bulk_review_refuses_a_viewer_before_touching_anything(db, viewer):
    statement = StatementFactory()

    with pytest.raises(PermissionDenied):
        services.statement_review_bulk(statement_ids=[statement.pk], actor=viewer, action="reject")
    statement.refresh_from_db()

    assert statement.review_state == ReviewState.PENDING


def test_bulk_review_reports_what_it_could_not_save(db, analyst):
    statement = StatementFactory()

    report = services.statement_review_bulk(statement_ids=[statement.pk], actor=analyst, action="approve")

    assert report.failed == [f"#{statement.pk}: unknown review action 'approve'; expected accept or reject"]


# --- Merging: statements move in a fixed number of queries -------------------------------------------------


def _merge_queries(analyst, n: int) -> tuple[Claim, int]:
    source, target = ClaimFactory(), ClaimFactory()
    moved = [StatementFactory(claim=source) for _ in range(n)]
    twin = moved[0]
    StatementFactory(  # the target already has the first one: the same words, speaker and stance
        claim=target, revision=twin.revision, article=twin.article, party=twin.party, start=twin.start, end=twin.end,
    )

    with CaptureQueriesContext(connection) as queries:
        services.claim_merge(source=source, target=target, actor=analyst)
    return target, len(queries)


def test_a_merge_moves_statements_without_a_query_per_statement(db, analyst):
    target_one, queries_one = _merge_queries(analyst, 1)
    target_three, queries_three = _merge_queries(analyst, 3)

    assert queries_one == queries_three
    assert [Statement.objects.filter(claim=t).count() for t in (target_one, target_three)] == [1, 3]


def test_a_merge_drops_a_twin_with_an_unresolved_speaker_too(db, analyst):
    source, target = ClaimFactory(), ClaimFactory()
    revision = ArticleRevisionFactory()
    shared = {"revision": revision, "article": revision.article, "party": None, "speaker_text": "a witness"}
    StatementFactory(claim=source, **shared)
    kept = StatementFactory(claim=target, **shared)
    other = StatementFactory(claim=source, party=PartyFactory())

    services.claim_merge(source=source, target=target, actor=analyst)

    assert sorted(Statement.objects.filter(claim=target).values_list("pk", flat=True)) == sorted([kept.pk, other.pk])
