"""Writes of teamwork: who works a claim, notes on it, watches on claims and parties, and their notifications."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.enums import NotificationKind, ReviewState, Verdict
from claims.models import Claim, ClaimNote, Notification, Party, Statement, StatusChange, Watch
from core.enums import Role
from core.roles import has_role, require_role

NOTE_MAX_LENGTH = 5_000
# One batch of new statements tells each watcher at most this many by name; the rest are counted in the e-mail.
NOTIFY_PER_BATCH = 50


def claim_assign(*, claim: Claim, actor, assignee) -> Claim:
    """Give the claim to an analyst (or to nobody, with None). The assignee must hold the analyst role."""
    require_role(actor, Role.ANALYST, action="Assigning claims")
    if assignee is not None and not has_role(assignee, Role.ANALYST):
        raise ValidationError(f"{assignee.get_username()} cannot work claims: they need the analyst role")
    Claim.objects.filter(pk=claim.pk).update(assignee=assignee, version=F("version") + 1, updated_at=timezone.now())
    claim.refresh_from_db(fields=["assignee", "version", "updated_at"])
    return claim


def claim_note_add(*, claim: Claim, actor, text: str) -> ClaimNote:
    """A note on the claim, kept with its author and time; never shown outside the workspace."""
    require_role(actor, Role.ANALYST, action="Writing notes")
    text = (text or "").strip()
    if not text:
        raise ValidationError("a note needs some text")
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(f"a note is at most {NOTE_MAX_LENGTH} characters; this one has {len(text)}")
    return ClaimNote.objects.create(claim=claim, author=actor, text=text)


def watch_set(*, actor, watching: bool, claim: Claim | None = None, party: Party | None = None) -> bool:
    """Start or stop watching a claim or a party (exactly one); returns whether the user now watches it."""
    require_role(actor, Role.VIEWER, action="Watching")
    if (claim is None) == (party is None):
        raise ValidationError("watch either a claim or a party")
    target = {"claim": claim} if claim is not None else {"party": party}
    if watching:
        Watch.objects.get_or_create(user=actor, **target)
    else:
        Watch.objects.filter(user=actor, **target).delete()
    return watching


def notification_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when `ids` is None); returns how many changed."""
    require_role(actor, Role.VIEWER, action="Reading notifications")
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notifications_queue_for_statements(*, statement_ids: list[int]) -> None:
    """After the caller's transaction commits, a Celery task tells the watchers of these statements' claims and
    parties. One indexed query when nobody watches anything, and then no task at all."""
    if not statement_ids or not Watch.objects.exists():
        return

    def queue() -> None:
        from claims.tasks import notify_statements

        notify_statements.delay(statement_ids=statement_ids)

    transaction.on_commit(queue)


def notifications_queue_for_verdict(*, claim_id: int, status_change_id: int) -> None:
    """After the caller's transaction commits, a Celery task tells the claim's watchers about its new verdict."""
    if not Watch.objects.filter(claim_id=claim_id).exists():
        return

    def queue() -> None:
        from claims.tasks import notify_verdict

        notify_verdict.delay(status_change_id=status_change_id)

    transaction.on_commit(queue)


def notifications_for_statements(*, statement_ids: Iterable[int]) -> int:
    """Notify everyone watching the claim or the party (or a party above it) of each new statement, once per user
    and statement; e-mail each user with an address one summary. Rejected statements, and those a later revision of
    their article withdrew before this ran, tell nobody. Returns how many notifications were made."""
    statements = list(
        Statement.objects.filter(pk__in=list(statement_ids), withdrawn_at__isnull=True)
        .exclude(review_state=ReviewState.REJECTED)
        .select_related("party__parent", "claim", "article")
        .order_by("pk")
    )
    if not statements:
        return 0
    claim_ids = {s.claim_id for s in statements if s.claim_id}
    party_ids = {p for s in statements for p in _party_and_above(s)}
    watches = Watch.objects.filter(claim_id__in=claim_ids) | Watch.objects.filter(party_id__in=party_ids)
    by_claim: dict[int, set[int]] = {}
    by_party: dict[int, set[int]] = {}
    for user_id, claim_id, party_id in watches.values_list("user_id", "claim_id", "party_id"):
        (by_claim.setdefault(claim_id, set()) if claim_id else by_party.setdefault(party_id, set())).add(user_id)
    # A task run again (a retry, a redelivery) tells nobody twice and sends no second e-mail.
    told = set(Notification.objects.filter(statement__in=statements).values_list("user_id", "statement_id"))
    made = []
    for s in statements:
        users = set(by_claim.get(s.claim_id, ()))
        for party_id in _party_and_above(s):
            users |= by_party.get(party_id, set())
        who = s.party.name if s.party else s.speaker_text
        about = f"“{s.claim.text[:200]}”" if s.claim else "a position of their own"
        text = f"{who} {s.get_stance_display().lower()} {about} ({s.article})"[:500]
        made += [Notification(user_id=u, kind=NotificationKind.STATEMENT, claim_id=s.claim_id, statement=s, text=text)
                 for u in users if (u, s.pk) not in told]
    created = Notification.objects.bulk_create(made, ignore_conflicts=True)
    _email(created, subject="New statements on what you watch")
    return len(created)


def notifications_for_verdict(*, status_change_id: int) -> int:
    """Notify the claim's watchers of a verdict change (one notification each) and e-mail those with an address."""
    change = StatusChange.objects.select_related("claim", "actor").filter(pk=status_change_id).first()
    if change is None:
        return 0
    claim = change.claim
    by = f" by {change.actor.get_username()}" if change.actor else ""
    text = (f"Verdict on “{claim.text[:200]}”: {Verdict(change.from_verdict).label} → "
            f"{Verdict(change.to_verdict).label}{' (published)' if change.published else ''}{by}")[:500]
    users = Watch.objects.filter(claim=claim).values_list("user_id", flat=True)
    created = Notification.objects.bulk_create(
        Notification(user_id=u, kind=NotificationKind.VERDICT, claim=claim, text=text) for u in users
    )
    _email(created, subject="A verdict changed on a claim you watch")
    return len(created)


def _party_and_above(statement: Statement) -> list[int]:
    party = statement.party
    ids = []
    while party is not None and len(ids) < 10:  # the hierarchy is shallow; the bound guards against a cycle
        ids.append(party.pk)
        party = party.parent if party.parent_id else None
    return ids


def _email(notifications: list[Notification], *, subject: str) -> None:
    """One e-mail per user with an address, through Django's mail settings (the console backend by default)."""
    per_user: dict[int, list[str]] = {}
    for n in notifications:
        per_user.setdefault(n.user_id, []).append(n.text)
    users = get_user_model().objects.filter(pk__in=per_user).exclude(email="")
    for user in users:
        lines = per_user[user.pk]
        body = "\n".join(f"- {line}" for line in lines[:NOTIFY_PER_BATCH])
        if len(lines) > NOTIFY_PER_BATCH:
            body += f"\n… and {len(lines) - NOTIFY_PER_BATCH} more in the tracker."
        send_mail(subject, body + "\n", settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
