"""Every write to parties, claims, statements and verdicts goes through these functions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims.embeddings import claim_embedding_store
from claims.enums import (
    ClaimKind,
    EvidenceKind,
    EvidenceRelation,
    Origin,
    PartyKind,
    Quotation,
    ReviewState,
    Role,
    Stance,
    Verdict,
)
from claims.models import (
    ApiToken,
    Claim,
    Evidence,
    Party,
    PartyAlias,
    Statement,
    StatusChange,
    WebhookEvent,
    WebhookSubscription,
)
from claims.normalise import normalise_mention
from claims.roles import has_role, require_role
from claims.webhooks import claim_event_data, statement_event_data, webhook_event_emit
from sources.models import ArticleRevision


class StaleVersion(Exception):
    """The caller edited an older version of the row than the one stored: someone else changed it first."""

    def __init__(self, *, current_version: int, what: str = "claim"):
        super().__init__(f"this {what} has changed since you loaded it (now version {current_version})")
        self.current_version = current_version


class VerdictUnchanged(ValidationError):
    """The claim already has the verdict asked for: nothing to record (the API answers 409, a page a form error)."""


def _choice(value: str, choices: type, what: str) -> str:
    if value not in choices.values:
        raise ValidationError(f"unknown {what} {value!r}; expected one of: {', '.join(choices.values)}")
    return value


# --- Parties ----------------------------------------------------------------------------------


def party_create(
    *,
    slug: str,
    name: str,
    kind: str,
    parent: Party | None = None,
    country: str = "",
    aliases: Iterable[str] = (),
    origin: str = Origin.ANALYST,
) -> Party:
    _choice(kind, PartyKind, "party kind")
    review_state = ReviewState.ACCEPTED if origin == Origin.ANALYST else ReviewState.PENDING
    with transaction.atomic():
        party = Party.objects.create(
            slug=slug, name=name, name_normalised=normalise_mention(name), kind=kind, parent=parent,
            country=country, origin=origin, review_state=review_state,
        )
        for alias in aliases:
            party_alias_add(party=party, text=alias)
    return party


def party_update(*, party: Party, name: str, kind: str, parent: Party | None, country: str = "") -> Party:
    _choice(kind, PartyKind, "party kind")
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == party.pk:
            raise ValidationError(f"{parent} cannot be the parent of {party}: that would make a cycle")
        ancestor = ancestor.parent
    party.name, party.name_normalised, party.kind = name, normalise_mention(name), kind
    party.parent, party.country = parent, country
    party.save()
    return party


def party_alias_check(*, party: Party, text: str, alias_id: int | None = None) -> PartyAlias | None:
    """Whether `text` may be an alias of `party`: raises ValidationError when it has no letters or digits or
    already names another party; returns the party's existing alias with the same key, if any.

    `alias_id` is the alias being edited (the admin), which does not conflict with itself.
    """
    normalised = normalise_mention(text)
    if not normalised:
        raise ValidationError(f"alias {text!r} has no letters or digits")
    existing = (
        PartyAlias.objects.select_related("party").filter(normalised=normalised).exclude(pk=alias_id).first()
    )
    if existing is not None and (party.pk is None or existing.party_id != party.pk):
        raise ValidationError(f"alias {text!r} already names {existing.party.name}")
    return existing


def party_alias_add(*, party: Party, text: str) -> PartyAlias:
    """Add a mention text for a party; refuses a text that already names another party."""
    existing = party_alias_check(party=party, text=text)
    if existing is not None:
        return existing
    return PartyAlias.objects.create(party=party, text=text, normalised=normalise_mention(text))


# --- Claims -----------------------------------------------------------------------------------


def claim_create(
    *,
    text: str,
    kind: str = ClaimKind.FACTUAL,
    slug: str = "",
    tags: Iterable[str] = (),
    first_reported_at: datetime | None = None,
    origin: str = Origin.ANALYST,
) -> Claim:
    """A new claim; machine-made claims start as proposals waiting for review. Queues claim.created.

    The wording's embedding is stored with it (the similar-claim lookup's nearest neighbours).
    """
    _choice(kind, ClaimKind, "claim kind")
    _choice(origin, Origin, "origin")
    if not text.strip():
        raise ValidationError("a claim needs its wording")
    with transaction.atomic():
        claim = Claim.objects.create(
            text=text.strip(), kind=kind, slug=slug, tags=sorted(set(tags)), first_reported_at=first_reported_at,
            origin=origin, review_state=ReviewState.ACCEPTED if origin == Origin.ANALYST else ReviewState.PENDING,
        )
        claim_embedding_store(claim)
        webhook_event_emit(event=WebhookEvent.CLAIM_CREATED, data=claim_event_data(claim))
    return claim


def claim_set_verdict(
    *,
    claim: Claim,
    actor,
    verdict: str,
    rationale: str,
    publish: bool = False,
    expected_version: int | None = None,
) -> StatusChange:
    """Change a claim's verdict: the only way a verdict changes, for the pages and the API alike.

    Who: editors (and admins) set any verdict and may publish it; analysts may only propose,
    that is move a claim to "in review" with their rationale, unpublished.

    Side effects, all in one transaction with the claim's row locked:
    - claim.verdict and claim.rationale take the new values, claim.version goes up by one;
    - claim.verdict_published_at is set to now when `publish`, cleared when an unpublished
      change replaces the verdict (a changed verdict is published again on purpose, never silently);
    - one StatusChange row records from, to, rationale, publish and actor;
    - a claim.verdict_changed webhook event is queued for subscribers, sent once the transaction commits.

    Refuses, with ValidationError, an unknown verdict, an empty rationale, or a verdict the claim
    already has (unless that call publishes it); with PermissionDenied a role that may not do it;
    with StaleVersion when `expected_version` is given and the claim has moved on since.
    """
    _choice(verdict, Verdict, "verdict")
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError("a verdict change needs a rationale")
    if not has_role(actor, Role.EDITOR):
        require_role(actor, Role.ANALYST, action="Proposing a verdict")
        if verdict != Verdict.IN_REVIEW or publish:
            raise PermissionDenied(
                "analysts propose a verdict by moving the claim to 'in review'; an editor sets and publishes it"
            )
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version)
        if locked.verdict == verdict and not publish:
            raise VerdictUnchanged(f"the claim is already {Verdict(verdict).label.lower()}")
        change = StatusChange.objects.create(
            claim=locked, from_verdict=locked.verdict, to_verdict=verdict, rationale=rationale,
            published=publish, actor=actor,
        )
        locked.verdict, locked.rationale = verdict, rationale
        locked.verdict_published_at = timezone.now() if publish else None
        locked.version = F("version") + 1
        locked.save(update_fields=["verdict", "rationale", "verdict_published_at", "version", "updated_at"])
        locked.refresh_from_db(fields=["version"])
        webhook_event_emit(
            event=WebhookEvent.CLAIM_VERDICT_CHANGED,
            data={
                "claim": claim_event_data(locked), "from_verdict": change.from_verdict,
                "to_verdict": change.to_verdict, "rationale": rationale, "published": publish,
                "status_change_id": change.pk,
            },
        )
    claim.verdict, claim.rationale = locked.verdict, locked.rationale
    claim.verdict_published_at, claim.version = locked.verdict_published_at, locked.version
    return change


def claim_update(
    *,
    claim: Claim,
    actor,
    text: str | None = None,
    kind: str | None = None,
    tags: Iterable[str] | None = None,
    expected_version: int | None = None,
) -> Claim:
    """Edit a claim's wording, kind or tags (analysts and up). Accepts a proposed claim as it goes.

    A new wording gets its embedding in the same save, so the similar-claim lookup finds the claim by it.
    """
    require_role(actor, Role.ANALYST, action="Editing a claim")
    if kind is not None:
        _choice(kind, ClaimKind, "claim kind")
    if text is not None and not text.strip():
        raise ValidationError("a claim needs its wording")
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version)
        if text is not None:
            locked.text = text.strip()
        if kind is not None:
            locked.kind = kind
        if tags is not None:
            locked.tags = sorted({t.strip() for t in tags if t.strip()})
        locked.review_state = ReviewState.ACCEPTED
        locked.version += 1
        locked.save()
        if text is not None:
            claim_embedding_store(locked)
    return locked


def claim_merge(*, source: Claim, target: Claim, actor) -> Claim:
    """Fold `source` into `target`: one claim reported in other words. Returns the target.

    Side effects, in one transaction with both claims locked (lowest id first, so two merges
    cannot deadlock): every statement and evidence of the source moves to the target (a statement
    that would duplicate one the target already has is dropped: it is the same attribution);
    tags are united; first_reported_at takes the earlier date; source.merged_into = target, so
    statements the analysis links to the source later land on the target (statement_create); the
    source's embedding is removed, so the similar-claim lookup never offers it again (the target keeps
    its wording and its embedding).
    """
    require_role(actor, Role.ANALYST, action="Merging claims")
    if source.pk == target.pk:
        raise ValidationError("a claim cannot be merged into itself")
    with transaction.atomic():
        both = Claim.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
        locked = {c.pk: c for c in both}
        src, dst = locked[source.pk], locked[target.pk]
        if src.merged_into_id is not None:
            raise ValidationError(f"claim {src.pk} was already merged into claim {src.merged_into_id}")
        if dst.merged_into_id is not None:
            raise ValidationError(f"claim {dst.pk} was merged into claim {dst.merged_into_id}; merge into that one")
        for statement in Statement.objects.select_for_update().filter(claim=src):
            twin = Statement.objects.filter(
                revision_id=statement.revision_id, start=statement.start, end=statement.end,
                party_id=statement.party_id, speaker_text=statement.speaker_text, stance=statement.stance, claim=dst,
            ).exists()
            if twin:
                statement.delete()
            else:
                Statement.objects.filter(pk=statement.pk).update(claim=dst, version=F("version") + 1)
        Evidence.objects.filter(claim=src).update(claim=dst)
        dst.tags = sorted(set(dst.tags) | set(src.tags))
        dates = [d for d in (src.first_reported_at, dst.first_reported_at) if d is not None]
        dst.first_reported_at = min(dates) if dates else None
        dst.version += 1
        dst.save()
        src.merged_into = dst
        src.version += 1
        src.save()
        claim_embedding_store(src)
    source.merged_into, source.version = dst, src.version
    return dst


def claim_resolve_merged(claim: Claim) -> Claim:
    """The live claim a (possibly merged) claim now lives in, read from the database, not the caller's copy."""
    seen: set[int] = set()
    merged_into = Claim.objects.filter(pk=claim.pk).values_list("merged_into", flat=True).first()
    while merged_into is not None and merged_into not in seen:
        seen.add(merged_into)
        claim = Claim.objects.get(pk=merged_into)
        merged_into = claim.merged_into_id
    return claim


def evidence_add(
    *,
    claim: Claim,
    actor,
    kind: str,
    relation: str = EvidenceRelation.SUPPORTS,
    url: str = "",
    article=None,
    file=None,
    note: str = "",
) -> Evidence:
    """Attach a link, an article or a file that supports, refutes or gives context to a claim."""
    require_role(actor, Role.ANALYST, action="Adding evidence")
    _choice(kind, EvidenceKind, "evidence kind")
    _choice(relation, EvidenceRelation, "evidence relation")
    if kind == EvidenceKind.LINK and not url:
        raise ValidationError("link evidence needs a URL")
    if kind == EvidenceKind.ARTICLE and article is None:
        raise ValidationError("article evidence needs an article")
    if kind == EvidenceKind.FILE and not file:
        raise ValidationError("file evidence needs a file")
    evidence = Evidence(claim=claim, kind=kind, relation=relation, url=url, article=article, note=note, added_by=actor)
    if file:
        evidence.file = file
    evidence.full_clean(exclude=["claim", "article", "added_by"])
    evidence.save()
    return evidence


# --- Statements -------------------------------------------------------------------------------


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
    A new statement queues a statement.created webhook event (sent once the transaction commits).
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
    results, told = [], set()
    for k in map(_draft_key, checked):
        results.append((stored[k], False) if k in stored else (new[k], k not in told))
        told.add(k)
    return results


def _draft_key(draft: StatementDraft) -> tuple:
    """What makes a statement the same one (the unique constraint statement_unique_attribution)."""
    party_id = draft.party.pk if draft.party is not None else None
    claim_id = draft.claim.pk if draft.claim is not None else None
    return (draft.start, draft.end, party_id, draft.speaker_text, claim_id, draft.stance)


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


class ReviewAction:
    ACCEPT = "accept"
    REJECT = "reject"


def statement_review(
    *,
    statement: Statement,
    actor,
    action: str,
    party: Party | None = None,
    claim: Claim | None = None,
    stance: str | None = None,
    expected_version: int | None = None,
) -> Statement:
    """An analyst's decision on a statement: accept or reject it, optionally correcting it first.

    `party`, `claim` and `stance` reassign the statement before the decision is recorded; a
    statement turned into a position loses its claim. Records who reviewed it and when, bumps
    its version. Re-reviewing is allowed (an analyst can change their mind); the last word wins.
    """
    require_role(actor, Role.ANALYST, action="Reviewing statements")
    if action not in (ReviewAction.ACCEPT, ReviewAction.REJECT):
        raise ValidationError(f"unknown review action {action!r}; expected accept or reject")
    if stance is not None:
        _choice(stance, Stance, "stance")
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(current_version=locked.version, what="statement")
        if party is not None:
            locked.party = party
        if stance is not None:
            locked.stance = stance
        if claim is not None:
            locked.claim = claim_resolve_merged(claim)
        if locked.stance == Stance.POSITION:
            locked.claim = None
        elif claim is None and stance is not None and locked.claim_id is None:
            raise ValidationError(f"a statement that {stance} something needs a claim; choose one")
        locked.review_state = ReviewState.ACCEPTED if action == ReviewAction.ACCEPT else ReviewState.REJECTED
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.version += 1
        locked.save()
        if action == ReviewAction.ACCEPT and locked.claim_id and locked.claim.review_state == ReviewState.PENDING:
            # Accepting a statement about a proposed claim accepts the proposal too.
            Claim.objects.filter(pk=locked.claim_id).update(review_state=ReviewState.ACCEPTED, version=F("version") + 1)
    return locked


# --- API tokens and webhook subscriptions ------------------------------------------------------


TOKEN_PREFIX = "ctk_"  # noqa: S105 -- a label every token starts with, not a secret


def api_token_hash(raw: str) -> str:
    """SHA-256 of a token, hex; tokens are 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, name: str, read_write: bool = False, actor=None) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns (token, the token in clear). The clear text is never stored.

    Who: the user themself, or an admin for anyone (`actor` None means the command line, which is
    trusted). A read-write token needs a user with a role that can write (analyst or up), since
    the token would otherwise promise more than it can do.
    """
    if actor is not None and actor.pk != user.pk:
        require_role(actor, Role.ADMIN, action="Making a token for someone else")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["a token needs a name saying what it is for"]})
    if read_write and not has_role(user, Role.ANALYST):
        raise ValidationError({"read_write": [f"{user} has no role that can write; make a read-only token"]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 8], key_hash=api_token_hash(raw),
        read_write=read_write,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor=None, using: ApiToken | None = None) -> ApiToken:
    """Revoke a token at once: every later request with it gets 401, its webhooks stop.

    `using` is the token the request came with, if any: a read-only token may revoke itself and no
    other (it can read, so it must not be able to end its owner's read-write tools).
    """
    if actor is not None and actor.pk != token.user_id:
        require_role(actor, Role.ADMIN, action="Revoking someone else's token")
    if using is not None and not using.read_write and using.pk != token.pk:
        raise PermissionDenied("a read-only token may revoke itself only; revoke other tokens with a read-write token")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def webhook_subscription_create(*, token: ApiToken, target_url: str, events: Iterable[str]) -> WebhookSubscription:
    """Subscribe a token to events; the secret for the signatures is made here and returned on the row.

    Refuses a target that is not http(s) or resolves to a private address (the SSRF guard the
    deliveries apply again at every attempt), and a token whose user has no role.
    """
    from sources.fetching import FetchError, url_check

    require_role(token.user, Role.VIEWER, action="Subscribing to events")
    events = sorted(set(events))
    if not events:
        raise ValidationError({"events": ["choose at least one event"]})
    for event in events:
        _choice(event, WebhookEvent, "event")
    try:
        url_check(target_url)  # the ingestion's SSRF guard; INGEST_ALLOWED_HOSTS lets tests use 127.0.0.1
    except FetchError as exc:
        raise ValidationError({"target_url": [str(exc)]}) from None
    return WebhookSubscription.objects.create(
        token=token, target_url=target_url, events=events, secret=secrets.token_hex(32)
    )


def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Stop and forget a subscription, with its delivery log."""
    subscription.delete()
