"""Writes of statements: one by an analyst, many at once from the analysis, and the claim locks they take."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims.enums import Origin, Quotation, ReviewState, Stance
from claims.models import Claim, Party, Statement, WebhookEvent
from claims.services._common import _choice
from claims.services.teamwork import notifications_queue_for_statements
from claims.webhooks import statement_event_data, webhook_event_emit
from core.stages import pipeline_stage
from sources.models import ArticleRevision


def statement_create(
    *,
    revision: ArticleRevision,
    start: int,
    end: int,
    stance: str,
    origin: str,
    party: Party | None = None,
    speaker_text: str = "",
    claim: Claim | None = None,
    cue: str = "",
    cue_start: int | None = None,
    cue_end: int | None = None,
    quotation: str = Quotation.INDIRECT,
    confidence: float = 1.0,
    review_state: str | None = None,
) -> tuple[Statement, bool]:
    """Record one attribution in a revision; returns (statement, created). Idempotent.

    The quoted words are taken from the revision itself, so a statement cannot misquote its article.
    Analysts' statements are accepted as made; machine-made ones wait for review. The claim's
    first_reported_at moves earlier if this article was published before anything seen so far.
    A new statement queues a statement.created webhook event and its watchers' notifications (both once the
    transaction commits).
    """
    draft = _statement_checked(revision, StatementDraft(
        start=start, end=end, stance=stance, origin=origin, party=party, speaker_text=speaker_text, claim=claim,
        cue=cue, cue_start=cue_start, cue_end=cue_end, quotation=quotation, confidence=confidence,
        review_state=review_state,
    ))
    text = revision.text
    with transaction.atomic():
        if claim is not None:
            # Lock the claim (and re-read where it lives) inside the transaction: a merge that runs meanwhile
            # either finishes first, and we follow it to the target, or waits for this statement and moves it.
            claim = claims_lock_live(claim_ids=[claim.pk])[claim.pk]
        statement, created = Statement.objects.get_or_create(
            revision=revision, start=start, end=end, party=party, speaker_text=draft.speaker_text,
            claim=claim, stance=stance,
            defaults={
                "article_id": revision.article_id, "quote": text[start:end], "cue": draft.cue,
                "cue_start": cue_start, "cue_end": cue_end, "quotation": quotation, "origin": origin,
                "confidence": confidence, "review_state": draft.review_state,
            },
        )
        if created and claim is not None:
            _claim_note_report(claim=claim, revision=revision)
        if created:
            webhook_event_emit(event=WebhookEvent.STATEMENT_CREATED, data=statement_event_data(statement))
            notifications_queue_for_statements(statement_ids=[statement.pk])
    return statement, created


def _claim_note_report(*, claim: Claim, revision: ArticleRevision) -> None:
    seen_at = revision.article.published_at or revision.fetched_at
    if seen_at is None:
        return
    Claim.objects.filter(pk=claim.pk, first_reported_at__isnull=True).update(first_reported_at=seen_at)
    Claim.objects.filter(pk=claim.pk, first_reported_at__gt=seen_at).update(first_reported_at=seen_at)


@dataclass(frozen=True)
class StatementDraft:
    """One attribution to record in a revision: statement_create's arguments, for statement_create_many."""

    start: int
    end: int
    stance: str
    origin: str
    party: Party | None = None
    speaker_text: str = ""
    claim: Claim | None = None
    cue: str = ""
    cue_start: int | None = None
    cue_end: int | None = None
    quotation: str = Quotation.INDIRECT
    confidence: float = 1.0
    review_state: str | None = None


def _statement_checked(revision: ArticleRevision, draft: StatementDraft) -> StatementDraft:
    """The draft with its cue words, speaker and review state settled; ValidationError when it cannot be stored."""
    _choice(draft.stance, Stance, "stance")
    _choice(draft.origin, Origin, "origin")
    _choice(draft.quotation, Quotation, "quotation")
    text = revision.text
    start, end, cue, cue_start, cue_end = draft.start, draft.end, draft.cue, draft.cue_start, draft.cue_end
    if not (0 <= start < end <= len(text)):
        raise ValidationError(f"span {start}-{end} is outside the revision's text (0-{len(text)})")
    if cue_start is not None or cue_end is not None:
        if cue_start is None or cue_end is None or not (0 <= cue_start < cue_end <= len(text)):
            raise ValidationError(f"cue span {cue_start}-{cue_end} is outside the revision's text")
        cue = cue or text[cue_start:cue_end]
    if draft.party is None and not draft.speaker_text.strip():
        raise ValidationError("a statement needs a party or the speaker's words")
    if draft.stance == Stance.POSITION and draft.claim is not None:
        raise ValidationError("a position (call, threat, refusal) is not about a checkable claim")
    if not 0.0 <= draft.confidence <= 1.0:
        raise ValidationError(f"confidence {draft.confidence} is not between 0 and 1")
    review_state = draft.review_state
    if review_state is None:
        review_state = ReviewState.ACCEPTED if draft.origin == Origin.ANALYST else ReviewState.PENDING
    _choice(review_state, ReviewState, "review state")
    return replace(draft, cue=cue, speaker_text=draft.speaker_text.strip(), review_state=review_state)


@pipeline_stage("statements written")
def statement_create_many(
    *, revision: ArticleRevision, drafts: Sequence[StatementDraft], lock_also: Iterable[int] = ()
) -> list[tuple[Statement, bool]]:
    """Record several attributions in a revision at once: (statement, created) per draft, in order. Idempotent.

    The same as statement_create for each draft (a draft equal to one already stored, or to an earlier draft,
    gets that statement back), with the claims locked together: every claim the drafts name, and the claims
    `lock_also` names (those whose statements the caller is about to remove in the same transaction), are locked
    in one query in id order, following merges, before anything is written. Two writers that share claims then
    wait for each other instead of deadlocking, as they did when each statement locked its claim in turn.
    Then one query reads the revision's statements, one inserts the new ones, one moves first_reported_at of the
    claims reported here; plus statement.created events, as statement_create queues them.
    """
    checked = [_statement_checked(revision, draft) for draft in drafts]
    text = revision.text
    with transaction.atomic():
        claim_ids = {d.claim.pk for d in checked if d.claim is not None} | set(lock_also)
        live = claims_lock_live(claim_ids=claim_ids)
        checked = [d if d.claim is None else replace(d, claim=live[d.claim.pk]) for d in checked]

        stored = {
            (s.start, s.end, s.party_id, s.speaker_text, s.claim_id, s.stance): s
            for s in Statement.objects.filter(revision=revision)
        }
        new: dict[tuple, Statement] = {}
        for d in checked:
            k = _draft_key(d)
            if k not in stored and k not in new:
                new[k] = Statement(
                    revision=revision, article_id=revision.article_id, start=d.start, end=d.end, party=d.party,
                    speaker_text=d.speaker_text, claim=d.claim, stance=d.stance, quote=text[d.start:d.end],
                    cue=d.cue, cue_start=d.cue_start, cue_end=d.cue_end, quotation=d.quotation, origin=d.origin,
                    confidence=d.confidence, review_state=d.review_state,
                )
        Statement.objects.bulk_create(new.values())
        reported = {s.claim_id for s in new.values() if s.claim_id is not None}
        seen_at = revision.article.published_at or revision.fetched_at
        if reported and seen_at is not None:
            Claim.objects.filter(pk__in=reported).filter(
                Q(first_reported_at__isnull=True) | Q(first_reported_at__gt=seen_at)
            ).update(first_reported_at=seen_at)
        for statement in new.values():
            webhook_event_emit(event=WebhookEvent.STATEMENT_CREATED, data=statement_event_data(statement))
        notifications_queue_for_statements(statement_ids=[s.pk for s in new.values()])
    results, told = [], set()
    for k in map(_draft_key, checked):
        results.append((stored[k], False) if k in stored else (new[k], k not in told))
        told.add(k)
    return results


@dataclass(frozen=True)
class StatementMove:
    """An earlier statement of an article carried over to the article's new revision: its offsets in the new text;
    with `reading`, what the analysis now finds there (party, speaker, stance, claim, confidence, quotation), which
    the statement takes."""

    statement: Statement
    start: int
    end: int
    cue_start: int | None = None
    cue_end: int | None = None
    reading: StatementDraft | None = None


def statement_carry_over(*, revision: ArticleRevision, moves: Sequence[StatementMove]) -> list[Statement]:
    """Move earlier statements of the revision's article onto it: a new revision supersedes the old one.

    Each statement keeps what analysts decided (review state, reviewer, party, speaker, stance, claim), unless the
    move brings a new `reading` (for pending machine statements, which nobody has looked at), takes its quote and
    cue words from the new text at the offsets given, stops being withdrawn if it was, and its version goes up. One
    UPDATE for all. The callers hold the article's lock and the claims whose counters change (a statement coming
    back, another claim) locked; the triggers move the counts.
    """
    text = revision.text
    changed = []
    for move in moves:
        statement = move.statement
        if statement.article_id != revision.article_id:
            raise ValidationError(f"statement {statement.pk} is not about the article of revision {revision.pk}")
        if not 0 <= move.start < move.end <= len(text):
            raise ValidationError(f"span {move.start}-{move.end} is outside the revision's text (0-{len(text)})")
        statement.revision, statement.start, statement.end = revision, move.start, move.end
        statement.quote = text[move.start:move.end]
        if move.cue_start is not None and move.cue_end is not None and 0 <= move.cue_start < move.cue_end <= len(text):
            statement.cue_start, statement.cue_end = move.cue_start, move.cue_end
            statement.cue = text[move.cue_start:move.cue_end][:200]
        else:
            statement.cue_start = statement.cue_end = None  # the cue words changed; the cue's text stays
        if move.reading is not None:
            reading = _statement_checked(revision, move.reading)
            statement.party, statement.speaker_text = reading.party, reading.speaker_text
            statement.stance, statement.claim = reading.stance, reading.claim
            statement.confidence, statement.quotation = reading.confidence, reading.quotation
        statement.withdrawn_at = statement.withdrawn_in = None
        statement.version += 1
        changed.append(statement)
    Statement.objects.bulk_update(changed, [
        "revision", "start", "end", "quote", "cue", "cue_start", "cue_end", "party", "speaker_text", "stance", "claim",
        "confidence", "quotation", "withdrawn_at", "withdrawn_in", "version",
    ])
    return changed


def statement_withdraw_many(*, statement_ids: Iterable[int], revision: ArticleRevision) -> int:
    """Mark statements that `revision` of their article no longer has as withdrawn: kept for the record, counted
    nowhere (the triggers take them out of the claims' counters, stances and the tallies, and out of the review
    queue). Returns how many were withdrawn; ones already withdrawn stay as they were."""
    return Statement.objects.filter(
        pk__in=list(statement_ids), article_id=revision.article_id, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now(), withdrawn_in=revision, version=F("version") + 1)


def _draft_key(draft: StatementDraft) -> tuple:
    """What makes a statement the same one (the unique constraint statement_unique_attribution)."""
    party_id = draft.party.pk if draft.party is not None else None
    claim_id = draft.claim.pk if draft.claim is not None else None
    return (draft.start, draft.end, party_id, draft.speaker_text, claim_id, draft.stance)


@pipeline_stage("claim locks")
def claims_lock_live(*, claim_ids: Iterable[int]) -> dict[int, Claim]:
    """Each claim id -> the live claim it now lives in, every row involved locked (FOR NO KEY UPDATE) until the
    transaction ends; locked in one query in id order, so that writers that share claims cannot deadlock.

    A claim merged meanwhile is followed to its target (locked in a further query: only a merge that runs at the
    same moment takes that path). Must run inside a transaction.
    """
    asked = set(claim_ids)
    wanted = sorted(asked)
    rows: dict[int, Claim] = {}
    while wanted:
        for claim in Claim.objects.select_for_update(no_key=True).filter(pk__in=wanted).order_by("pk"):
            rows[claim.pk] = claim
        missing = [pk for pk in wanted if pk not in rows]
        if missing:
            raise Claim.DoesNotExist(f"claims {missing} do not exist")
        wanted = sorted({c.merged_into_id for c in rows.values() if c.merged_into_id and c.merged_into_id not in rows})
    live: dict[int, Claim] = {}
    for pk in asked:
        claim, seen = rows[pk], set()
        while claim.merged_into_id is not None:
            if claim.pk in seen:
                raise ValidationError(f"claim {claim.pk} is merged in a cycle")
            seen.add(claim.pk)
            claim = rows[claim.merged_into_id]
        live[pk] = claim
    return live
