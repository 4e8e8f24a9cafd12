"""Writes: verdicts and their history, statements, parties, merging and review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from claims import services
from claims.enums import Origin, ReviewState, Stance, Verdict
from claims.models import Claim, Statement, StatusChange
from tests.factories import ArticleRevisionFactory, ClaimFactory, PartyFactory, StatementFactory


@pytest.fixture
def claim(db):
    return ClaimFactory(text="A Turkish F-16 shot down an Armenian jet")


def test_editor_sets_a_verdict_and_the_history_records_it(claim, editor):
    change = services.claim_set_verdict(
        claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="Radar data shows no F-16", publish=True
    )

    claim.refresh_from_db()
    assert (claim.verdict, claim.rationale, claim.version, claim.verdict_published_at is not None) == (
        "false", "Radar data shows no F-16", 2, True,
    )
    assert list(StatusChange.objects.values_list("from_verdict", "to_verdict", "rationale", "published", "actor")) == [
        ("unverified", "false", "Radar data shows no F-16", True, editor.pk)
    ]
    assert change.claim_id == claim.pk


def test_an_unknown_verdict_is_refused_with_the_valid_ones(claim, editor):
    with pytest.raises(ValidationError, match="unknown verdict 'fake'; expected one of: unverified, in_review"):
        services.claim_set_verdict(claim=claim, actor=editor, verdict="fake", rationale="x")
    assert StatusChange.objects.count() == 0


def test_an_unchanged_verdict_is_refused(claim, editor):
    with pytest.raises(ValidationError, match="already unverified"):
        services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.UNVERIFIED, rationale="still")
    assert StatusChange.objects.count() == 0


def test_a_verdict_needs_a_rationale(claim, editor):
    with pytest.raises(ValidationError, match="needs a rationale"):
        services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="  ")


def test_publishing_the_current_verdict_is_recorded_too(claim, editor):
    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="checked")
    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="publish", publish=True)

    assert list(StatusChange.objects.values_list("from_verdict", "to_verdict", "published")) == [
        ("unverified", "false", False), ("false", "false", True),
    ]


def test_a_new_unpublished_verdict_withdraws_the_published_one(claim, editor):
    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="a", publish=True)
    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.MISLEADING, rationale="b")

    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_published_at) == ("misleading", None)


def test_analyst_may_only_propose_a_verdict(claim, analyst):
    services.claim_set_verdict(claim=claim, actor=analyst, verdict=Verdict.IN_REVIEW, rationale="needs a look")
    with pytest.raises(PermissionDenied, match="an editor sets and publishes it"):
        services.claim_set_verdict(claim=claim, actor=analyst, verdict=Verdict.CONFIRMED, rationale="sure")

    claim.refresh_from_db()
    assert claim.verdict == "in_review"


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_viewers_and_people_without_a_role_cannot_touch_verdicts(claim, persona, request):
    with pytest.raises(PermissionDenied):
        services.claim_set_verdict(
            claim=claim, actor=request.getfixturevalue(persona), verdict=Verdict.IN_REVIEW, rationale="x"
        )
    assert StatusChange.objects.count() == 0


def test_a_stale_version_is_refused_and_changes_nothing(claim, editor):
    services.claim_set_verdict(claim=claim, actor=editor, verdict=Verdict.FALSE, rationale="first", expected_version=1)

    with pytest.raises(services.StaleVersion, match="now version 2"):
        services.claim_set_verdict(
            claim=claim, actor=editor, verdict=Verdict.CONFIRMED, rationale="second", expected_version=1
        )
    claim.refresh_from_db()
    assert (claim.verdict, StatusChange.objects.count()) == ("false", 1)


def test_statement_create_quotes_the_revision_and_is_idempotent(db):
    revision = ArticleRevisionFactory(text="Turkey has denied the claim. Armenia said it had proof.")
    party, claim = PartyFactory(name="Turkey"), ClaimFactory()

    first, created = services.statement_create(
        revision=revision, start=0, end=27, stance=Stance.DENIES, origin=Origin.EXTRACTED, party=party, claim=claim,
        cue_start=11, cue_end=17, confidence=0.8,
    )
    again, created_again = services.statement_create(
        revision=revision, start=0, end=27, stance=Stance.DENIES, origin=Origin.EXTRACTED, party=party, claim=claim,
    )

    assert (first.quote, first.cue, first.review_state, created) == (
        "Turkey has denied the claim", "denied", ReviewState.PENDING, True,
    )
    assert (again.pk, created_again) == (first.pk, False)
    claim.refresh_from_db()
    assert claim.first_reported_at == revision.article.published_at


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": 10, "end": 500}, "outside the revision's text"),
        ({"start": 5, "end": 5}, "outside the revision's text"),
        ({"stance": "shrugs"}, "unknown stance 'shrugs'"),
        ({"party": None}, "needs a party or the speaker's words"),
        ({"stance": Stance.POSITION, "claim": "claim"}, "not about a checkable claim"),
        ({"confidence": 1.5}, "not between 0 and 1"),
        ({"cue_start": 3, "cue_end": 900}, "cue span 3-900 is outside"),
    ],
)
def test_statement_create_refuses_bad_input(db, kwargs, message):
    revision = ArticleRevisionFactory(text="Officials said the bridge was destroyed.")
    args = {"revision": revision, "start": 0, "end": 14, "stance": Stance.ASSERTS, "origin": Origin.EXTRACTED,
            "party": PartyFactory()}
    if kwargs.get("claim") == "claim":
        kwargs["claim"] = ClaimFactory()
    args.update(kwargs)

    with pytest.raises(ValidationError, match=message):
        services.statement_create(**args)
    assert Statement.objects.count() == 0


def test_the_database_refuses_a_quote_that_is_not_in_the_revision(db):
    statement = StatementFactory()

    with pytest.raises(IntegrityError, match="quote does not match"), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(quote="something else")


def test_the_database_refuses_offsets_past_the_end_of_the_revision(db):
    statement = StatementFactory()

    with pytest.raises(IntegrityError, match="outside revision"), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(end=10_000)


def test_one_alias_names_one_party(db):
    turkey = services.party_create(slug="turkey", name="Turkey", kind="state", aliases=["Ankara"])
    other = services.party_create(slug="other", name="Other", kind="state")

    with pytest.raises(ValidationError, match="already names Turkey"):
        services.party_alias_add(party=other, text="ANKARA")
    assert services.party_alias_add(party=turkey, text="ankara").text == "Ankara"


def test_a_party_cannot_become_its_own_ancestor(db):
    state = services.party_create(slug="s", name="State", kind="state")
    ministry = services.party_create(slug="m", name="Ministry", kind="ministry", parent=state)

    with pytest.raises(ValidationError, match="would make a cycle"):
        services.party_update(party=state, name="State", kind="state", parent=ministry)


def test_merge_moves_statements_and_later_statements_follow(db, analyst):
    source, target = ClaimFactory(tags=["air"]), ClaimFactory(tags=["armenia"])
    moved = StatementFactory(claim=source)
    twin_revision = ArticleRevisionFactory()
    StatementFactory(claim=target, revision=twin_revision, party=moved.party)

    services.claim_merge(source=source, target=target, actor=analyst)
    late, _ = services.statement_create(
        revision=ArticleRevisionFactory(), start=0, end=8, stance=Stance.ASSERTS, origin=Origin.EXTRACTED,
        party=moved.party, claim=source,
    )

    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.merged_into_id, target.tags) == (target.pk, ["air", "armenia"])
    assert sorted(Statement.objects.values_list("claim_id", flat=True)) == [target.pk] * 3
    assert late.claim_id == target.pk
    assert list(Claim.objects.live()) == [target]


def test_review_reassigns_and_accepts(db, analyst):
    statement = StatementFactory()
    other_party, other_claim = PartyFactory(), ClaimFactory(review_state=ReviewState.PENDING)

    reviewed = services.statement_review(
        statement=statement, actor=analyst, action="accept", party=other_party, claim=other_claim,
        stance=Stance.DENIES,
    )

    other_claim.refresh_from_db()
    assert (reviewed.party, reviewed.claim, reviewed.stance, reviewed.review_state, reviewed.reviewed_by) == (
        other_party, other_claim, "denies", "accepted", analyst,
    )
    assert other_claim.review_state == ReviewState.ACCEPTED  # accepting the statement accepts the proposed claim


def test_review_to_a_position_drops_the_claim(db, analyst):
    statement = StatementFactory()

    reviewed = services.statement_review(statement=statement, actor=analyst, action="accept", stance=Stance.POSITION)

    assert (reviewed.stance, reviewed.claim) == ("position", None)


def test_viewer_cannot_review(db, viewer):
    statement = StatementFactory()
    with pytest.raises(PermissionDenied):
        services.statement_review(statement=statement, actor=viewer, action="accept")
