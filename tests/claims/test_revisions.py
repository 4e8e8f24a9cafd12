"""Revisions supersede (issue 15): an article's new revision carries its statements over, reviews and all; what the
new text no longer has is withdrawn and counts nowhere; a machine claim left with nothing live leaves the lists."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import selectors, services
from claims.enums import Origin, ReviewState, Stance, Verdict
from claims.linking import revision_analyse
from claims.models import Claim, Statement
from claims.revisions import Alignment, Earlier, Found, supersession_plan
from sources.models import ArticleRevision
from tests import factories
from tests.claims.test_counters import _counted as _claim_counted
from tests.claims.test_counters import _counters as _claim_counters
from tests.claims.test_counters import _grouped, _stances
from tests.claims.test_tallies import _counted as _tallies_counted
from tests.claims.test_tallies import _tallies
from tests.threads import in_threads, sessions_blocked_on_a_lock

TITLE = "Bridges destroyed near the border"
FIRST = (
    "The defence ministry said on Tuesday that two bridges near the border had been destroyed overnight by "
    "artillery fire, and that engineers were assessing the damage to the roads that lead to them."
)
SECOND = (
    "A spokesman for the regional government said that at least four people had been injured in the shelling and "
    "that the wounded had been taken to the hospital in the regional capital for treatment."
)
THIRD = (
    "The foreign ministry of the neighbouring country denied that its forces had fired across the border, calling "
    "the accusation a provocation intended to derail talks planned for later in the week."
)
# The edit: a phrase changed ("two" -> "three"), the first paragraph's second clause dropped, a paragraph added.
FIRST_EDITED = (
    "The defence ministry said on Tuesday that three bridges near the border had been destroyed overnight by "
    "artillery fire."
)
ADDED = "The regional governor later said that six people had been injured, and that one of them had died."


def _text(*paragraphs: str) -> str:
    return "\n\n".join([TITLE, *paragraphs])


def _revision(article, number: int, text: str) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article, number=number, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(),
        fetched_at=timezone.now(),
    )


def _live(article) -> list[Statement]:
    return list(Statement.objects.filter(article=article, withdrawn_at=None).order_by("start", "id"))


def _assert_counts_exact(article) -> None:
    """The claims' counters and stance groups and the tallies equal COUNT(*) of what is live."""
    assert _tallies() == _tallies_counted()
    for claim in Claim.objects.filter(statements__article=article).distinct():
        assert _claim_counters(claim) == _claim_counted(claim)
        assert _stances(claim) == _grouped(claim)


# --- The alignment, on its own ----------------------------------------------------------------------------------


def test_alignment_carries_a_span_past_an_edit_before_it():
    old = "Ankara denied it. “Baku said the bridge fell,” he added."
    new = "Officials in Ankara denied it on Monday. “Baku said the bridge fell,” he added."
    start = old.index("Baku")
    end = old.index(",”")

    alignment = Alignment(old, new)

    assert alignment.span(start, end) == (new.index("Baku"), new.index(",”"))
    assert new[slice(*alignment.span(start, end))] == old[start:end]


def test_alignment_gives_no_span_when_the_words_changed_but_maps_those_left():
    old = "The ministry said that two bridges were destroyed overnight."
    new = "The ministry said that three bridges were destroyed overnight."
    start, end = old.index("that"), old.index(".")

    alignment = Alignment(old, new)

    assert alignment.span(start, end) is None
    kept = alignment.mapped(start, end)
    assert sorted(new.split()[i] for i in kept) == sorted(["that", "bridges", "were", "destroyed", "overnight."])


def _earlier(id_, start, end, *, party=1, stance=Stance.ASSERTS, claim=10, reviewed=False, text=""):
    return Earlier(id=id_, revision_id=1, start=start, end=end, quote=text[start:end], cue_start=None, cue_end=None,
                   party_id=party, speaker_text="", stance=stance, claim_id=claim, reviewed=reviewed,
                   analyst_made=False, withdrawn=False)


def _found(start, end, *, party=1, stance=Stance.ASSERTS, claim=10, new_claim=False):
    return Found(start=start, end=end, cue_start=None, cue_end=None, party_id=party, speaker_text="", stance=stance,
                 claim_id=claim, new_claim=new_claim)


def test_the_plan_keeps_the_same_statement_and_an_analysts_edit_and_withdraws_the_gone():
    old = "Ankara denied the strike. Baku said the jet fell. Yerevan said the pilot died."
    new = "Ankara denied the strike. Baku said the jet fell on Monday. Armenia added more."
    span = {w: (old.index(w), old.index(w) + len(w)) for w in ("Ankara denied the strike", "Baku said the jet fell",
                                                                "Yerevan said the pilot died")}
    earlier = [
        _earlier(1, *span["Ankara denied the strike"], stance=Stance.DENIES, text=old),
        # an analyst put this one on another claim: the machine still names claim 10
        _earlier(2, *span["Baku said the jet fell"], claim=99, reviewed=True, text=old),
        _earlier(3, *span["Yerevan said the pilot died"], claim=11, text=old),
    ]
    found = [
        _found(0, len("Ankara denied the strike"), stance=Stance.DENIES),
        _found(new.index("Baku"), new.index(" on Monday") + len(" on Monday")),
        _found(new.index("Armenia"), len(new) - 1, party=2, claim=None, new_claim=True),
    ]

    plan = supersession_plan(earlier=earlier, found=found, alignment_for=lambda _id: Alignment(old, new))

    assert [(c.statement_id, c.found, c.take_found) for c in plan.carried] == [(1, 0, True), (2, 1, False)]
    assert (plan.withdrawn, plan.new) == ([3], [2])


def test_the_plan_never_lands_two_statements_on_one():
    text = "Ankara denied the strike."
    earlier = [_earlier(1, 0, 24, text=text), _earlier(2, 0, 24, text=text, claim=11)]
    found = [_found(0, 24)]

    plan = supersession_plan(earlier=earlier, found=found, alignment_for=lambda _id: Alignment(text, text),
                             taken=frozenset({(0, 24, 1, "", 11, Stance.ASSERTS)}))

    # the first is found again; the second's words are unchanged, but this revision already has that statement
    assert ([c.statement_id for c in plan.carried], plan.withdrawn, plan.new) == ([1], [2], [])


# --- Re-analysis in the database --------------------------------------------------------------------------------


@pytest.fixture
def analysed(db, analyst):
    """An article analysed once; an analyst accepted the denial on a claim of their own and rejected the injuries."""
    article = factories.ArticleFactory(status="fetched")
    first = _revision(article, 1, _text(FIRST, SECOND, THIRD))
    revision_analyse(revision=first)
    denial = Statement.objects.get(article=article, stance=Stance.DENIES)
    own = services.claim_create(text="Troops of the neighbouring country shelled the border", origin=Origin.ANALYST)
    services.statement_review(statement=denial, actor=analyst, action="accept", claim=own)
    injuries = Statement.objects.get(article=article, quote__contains="four people")
    services.statement_review(statement=injuries, actor=analyst, action="reject")
    dropped = Statement.objects.get(article=article, quote__contains="engineers")
    return article, first, denial.pk, injuries.pk, dropped.pk


def test_a_new_revision_carries_statements_over_with_their_reviews_and_withdraws_the_dropped(analysed):
    article, first, denial_id, injuries_id, dropped_id = analysed
    before = {s.pk: s for s in Statement.objects.filter(article=article)}
    assert len(before) >= 4
    second = _revision(article, 2, _text(FIRST_EDITED, SECOND, THIRD, ADDED))

    report = revision_analyse(revision=second)

    added_at = second.text.index(ADDED)
    live = _live(article)
    added = [s for s in live if s.start >= added_at]
    assert added and report.created == len(added)
    # every statement of revision 1 but the dropped one, each once, on revision 2, plus the new paragraph's
    assert sorted(s.pk for s in live if s.start < added_at) == sorted(pk for pk in before if pk != dropped_id)
    assert {s.revision_id for s in live} == {second.pk}
    assert all(s.quote == second.text[s.start:s.end] for s in live)
    assert (report.carried_over, report.withdrawn) == (len(before) - 1, 1)
    assert sorted(Statement.objects.filter(article=article).values_list("pk", flat=True)) == sorted(
        [*before, *(s.pk for s in added)]
    )
    # what the analyst decided, carried over
    denial, injuries = Statement.objects.get(pk=denial_id), Statement.objects.get(pk=injuries_id)
    assert (denial.review_state, denial.claim.text, denial.quote) == (
        ReviewState.ACCEPTED, "Troops of the neighbouring country shelled the border", before[denial_id].quote
    )
    assert denial.start == before[denial_id].start + len(FIRST_EDITED) - len(FIRST)
    assert injuries.review_state == ReviewState.REJECTED
    changed = Statement.objects.get(article=article, quote__contains="three bridges")
    assert changed.pk in before and before[changed.pk].quote.count("two bridges") == 1
    # the dropped one: kept where it was found, withdrawn in revision 2, in no count and not in the review queue
    dropped = Statement.objects.get(pk=dropped_id)
    assert (dropped.revision_id, dropped.withdrawn_in_id, dropped.review_state) == (
        first.pk, second.pk, ReviewState.PENDING
    )
    assert dropped.withdrawn_at is not None
    assert dropped_id not in {s.pk for s in selectors.statement_list_pending()}
    assert selectors.statement_review_count() == Statement.objects.filter(
        review_state=ReviewState.PENDING, withdrawn_at=None
    ).count()
    _assert_counts_exact(article)


def test_analysing_the_new_revision_again_changes_nothing(analysed):
    article, *_ = analysed
    second = _revision(article, 2, _text(FIRST_EDITED, SECOND, THIRD, ADDED))
    revision_analyse(revision=second)
    state = sorted(Statement.objects.filter(article=article).values_list(
        "pk", "revision_id", "start", "end", "claim_id", "stance", "review_state", "withdrawn_in_id"
    ))

    again = revision_analyse(revision=second)

    assert (again.created, again.carried_over, again.withdrawn, again.removed_stale) == (0, 0, 0, 0)
    assert sorted(Statement.objects.filter(article=article).values_list(
        "pk", "revision_id", "start", "end", "claim_id", "stance", "review_state", "withdrawn_in_id"
    )) == state


def test_a_statement_back_in_a_later_revision_comes_back(analysed):
    article, _first, _denial, _injuries, dropped_id = analysed
    revision_analyse(revision=_revision(article, 2, _text(FIRST_EDITED, SECOND, THIRD)))
    assert Statement.objects.get(pk=dropped_id).withdrawn_at is not None

    third = _revision(article, 3, _text(FIRST, SECOND, THIRD, ADDED))
    report = revision_analyse(revision=third)

    back = Statement.objects.get(pk=dropped_id)
    assert (back.revision_id, back.withdrawn_at, back.withdrawn_in_id) == (third.pk, None, None)
    assert report.withdrawn == 0
    assert not Statement.objects.filter(article=article, quote__contains="engineers").exclude(pk=dropped_id).exists()
    _assert_counts_exact(article)


def test_an_older_revision_analysed_after_a_newer_one_stores_nothing(analysed):
    article, *_ = analysed
    second = _revision(article, 2, _text(FIRST_EDITED, SECOND, THIRD))
    third = _revision(article, 3, _text(FIRST_EDITED, SECOND, THIRD, ADDED))
    revision_analyse(revision=third)
    state = sorted(Statement.objects.filter(article=article).values_list("pk", "revision_id", "withdrawn_in_id"))

    report = revision_analyse(revision=second)

    assert (report.superseded_by, report.created, report.carried_over) == (3, 0, 0)
    assert ArticleRevision.objects.get(pk=second.pk).analysed_at is not None  # done with: the later one counts
    after = Statement.objects.filter(article=article).values_list("pk", "revision_id", "withdrawn_in_id")
    assert sorted(after) == state


@pytest.mark.django_db(transaction=True)
def test_two_analyses_at_once_of_an_articles_revisions_leave_one_set_of_statements(analyst):
    article = factories.ArticleFactory(status="fetched")
    revision_analyse(revision=_revision(article, 1, _text(FIRST, SECOND, THIRD)))
    before = set(Statement.objects.filter(article=article).values_list("pk", flat=True))
    second = _revision(article, 2, _text(FIRST_EDITED, SECOND, THIRD))
    third = _revision(article, 3, _text(FIRST_EDITED, SECOND, THIRD, ADDED))

    reports = in_threads(lambda: revision_analyse(revision=second), lambda: revision_analyse(revision=third))

    assert not [r for r in reports if isinstance(r, Exception)], reports
    live = _live(article)
    assert {s.revision_id for s in live} == {third.pk}
    assert len({(s.start, s.end, s.party_id, s.speaker_text, s.stance) for s in live}) == len(live)
    assert before - {s.pk for s in live} == set(
        Statement.objects.filter(article=article, withdrawn_at__isnull=False).values_list("pk", flat=True)
    )
    _assert_counts_exact(article)



@pytest.mark.django_db(transaction=True)
def test_the_later_revisions_analysis_waits_for_the_earlier_ones_write_and_sees_it(monkeypatch):
    """Revision 2's analysis is held inside its write (statements moved and added, not committed) until revision
    3's waits on a lock; then revision 3 must carry over what revision 2 stored, its new statements too."""
    article = factories.ArticleFactory(status="fetched")
    revision_analyse(revision=_revision(article, 1, _text(FIRST, SECOND, THIRD)))
    second = _revision(article, 2, _text(FIRST, SECOND, THIRD, ADDED))
    carry_over, problems, holding = services.statement_carry_over, [], threading.Event()

    def held_carry_over(*, revision, moves):
        moved = carry_over(revision=revision, moves=moves)
        if revision.pk == second.pk:
            holding.set()
            deadline = time.monotonic() + 60
            while not sessions_blocked_on_a_lock():
                if time.monotonic() > deadline:
                    problems.append("the later analysis never waited")
                    break
                time.sleep(0.05)
        return moved

    monkeypatch.setattr(services, "statement_carry_over", held_carry_over)

    def analyse_second():
        try:
            return revision_analyse(revision=second)
        finally:
            holding.set()
            connection.close()

    worker = threading.Thread(target=analyse_second)
    worker.start()
    holding.wait(120)
    # fetched while revision 2's analysis writes (had it been stored before, that analysis would store nothing)
    third = _revision(article, 3, _text(FIRST_EDITED, SECOND, THIRD, ADDED))
    report = revision_analyse(revision=third)
    worker.join(120)

    assert problems == []
    assert not Statement.objects.filter(revision=second, withdrawn_at=None).exists()  # all moved on, or withdrawn
    added = [s for s in _live(article) if s.start >= third.text.index(ADDED)]
    assert added and report.created == 0  # revision 2's statements of the added paragraph, carried over
    live = _live(article)
    assert {s.revision_id for s in live} == {third.pk}
    assert len({(s.start, s.end, s.party_id, s.speaker_text, s.stance) for s in live}) == len(live)
    _assert_counts_exact(article)


# --- The database's guards --------------------------------------------------------------------------------------


def test_a_withdrawn_statement_names_a_later_revision_of_its_own_article(db):
    statement = factories.StatementFactory()
    later = _revision(statement.article, 2, "Officials said later that the bridge had been destroyed.")
    elsewhere = factories.ArticleRevisionFactory(number=2)
    now = timezone.now()
    for change in ({"withdrawn_at": now}, {"withdrawn_in": later}, {"withdrawn_at": now, "withdrawn_in": elsewhere},
                   {"withdrawn_at": now, "withdrawn_in": statement.revision}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Statement.objects.filter(pk=statement.pk).update(**change)

    Statement.objects.filter(pk=statement.pk).update(withdrawn_at=now, withdrawn_in=later)

    assert Statement.objects.get(pk=statement.pk).withdrawn_in == later


# --- Rejected means gone from the lists -------------------------------------------------------------------------


def test_a_machine_claim_with_no_live_statement_leaves_lists_search_and_counts(analyst, editor, client):
    machine = services.claim_create(text="The reservoir dam was breached overnight", origin=Origin.EXTRACTED)
    analysts_own = services.claim_create(text="The reservoir level fell sharply", origin=Origin.ANALYST)
    statement = factories.StatementFactory(claim=machine)
    assert selectors.tracker_counts()["claims"] == 2
    client.force_login(analyst)

    services.statement_review(statement=statement, actor=analyst, action="reject")

    machine.refresh_from_db()
    assert (machine.statement_count, machine.listed) == (0, False)
    assert list(selectors.claim_search()) == [analysts_own]
    assert list(selectors.claim_search(q="reservoir")) == [analysts_own]
    api = client.get("/api/v1/claims/").json()
    assert [c["id"] for c in api["results"]] == [analysts_own.pk]
    assert selectors.tracker_counts()["claims"] == 1
    assert _tallies() == _tallies_counted()
    page = client.get(reverse("claims:claim_detail", args=[machine.pk]))
    assert page.status_code == 200
    assert "Hidden from the claim lists, the dashboard and search" in page.content.decode()
    assert client.get(f"/api/v1/claims/{machine.pk}/").status_code == 200

    # a verdict is an analyst's work on the claim: it is listed again
    services.claim_set_verdict(claim=machine, actor=editor, verdict=Verdict.FALSE, rationale="Satellite images.")
    assert {c.pk for c in selectors.claim_search()} == {machine.pk, analysts_own.pk}
    assert _tallies() == _tallies_counted()


def test_the_claim_page_shows_what_is_no_longer_in_the_article(analysed, client, viewer):
    article, *_ = analysed
    dropped = Statement.objects.get(article=article, quote__contains="engineers")
    revision_analyse(revision=_revision(article, 2, _text(FIRST_EDITED, SECOND, THIRD, ADDED)))
    client.force_login(viewer)

    page = client.get(reverse("claims:claim_detail", args=[dropped.claim_id])).content.decode()

    assert "No longer in the article" in page
    assert f'id="statement-{dropped.pk}" class="withdrawn"' in page
    assert "gone from revision 2" in page
    # its claim had nothing else: hidden from the lists, and its page says why
    assert "Hidden from the claim lists" in page
    assert dropped.claim_id not in {c.pk for c in selectors.claim_search()}


def _listed_and_hidden() -> tuple[Claim, Claim]:
    """A machine claim with a live statement, and one whose only statement was rejected."""
    shown = factories.ClaimFactory(origin=Origin.EXTRACTED, review_state=ReviewState.PENDING)
    factories.StatementFactory(claim=shown)
    hidden = factories.ClaimFactory(origin=Origin.EXTRACTED, review_state=ReviewState.PENDING)
    factories.StatementFactory(claim=hidden, review_state=ReviewState.REJECTED)
    return shown, hidden


@pytest.mark.parametrize("page", [True, False], ids=["claim list page", "API claim list"])
def test_claim_lists_leave_hidden_claims_out_in_as_many_queries_for_one_as_for_three(page, analyst, client):
    from tests.api.conftest import token_client

    api = token_client(analyst, read_write=False)
    client.force_login(analyst)

    def listed() -> tuple[int, set[int]]:
        with CaptureQueriesContext(connection) as queries:
            if page:
                body = client.get(reverse("claims:claim_list")).content.decode()
                ids = {c.pk for c in Claim.objects.all() if f'href="/claims/{c.pk}/"' in body}
            else:
                ids = {c["id"] for c in api.get("/api/v1/claims/").json()["results"]}
        return len(queries), ids

    listed()  # the token's last use and the session are written on the first request; the measured ones only read
    made = [_listed_and_hidden()]
    one, ids_one = listed()
    made += [_listed_and_hidden(), _listed_and_hidden()]
    three, ids_three = listed()

    assert ids_one == {made[0][0].pk}
    assert ids_three == {shown.pk for shown, _hidden in made}
    assert one == three
