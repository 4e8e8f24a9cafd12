"""Writes of parties: creating one, editing one (with the check that the hierarchy has no cycle), adding aliases,
and the review of machine-proposed ones (accept, rename, set kind, merge into another party, reject)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When

from claims.enums import Origin, PartyKind, ReviewState
from claims.models import Party, PartyAlias, PartyMerge, Statement, Watch
from claims.normalise import normalise_mention
from claims.services._common import _choice
from core.enums import Role
from core.roles import require_role


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


def party_parent_check(*, party: Party, parent: Party | None) -> None:
    """Refuse a parent that would make the hierarchy a cycle: the party itself, or a party below it."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == party.pk:
            raise ValidationError(f"{parent} cannot be the parent of {party}: that would make a cycle")
        ancestor = ancestor.parent


def party_update(*, party: Party, name: str, kind: str, parent: Party | None, country: str = "") -> Party:
    _choice(kind, PartyKind, "party kind")
    party_parent_check(party=party, parent=parent)
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


def _proposal(locked: Party) -> None:
    if locked.merged_into_id is not None:
        raise ValidationError(f"{locked.name} was merged into another party")
    if locked.origin != Origin.EXTRACTED or locked.review_state != ReviewState.PENDING:
        raise ValidationError(f"{locked.name} is not a proposed party waiting for review")


def party_proposal_accept(*, party: Party, actor, name: str | None = None, kind: str | None = None) -> Party:
    """Accept a machine-proposed party, renamed or given another kind on the way. The name the analysis read stays
    an alias (party_create gave it one), so the next article's mention still resolves to the party."""
    require_role(actor, Role.ANALYST, action="Reviewing a proposed party")
    with transaction.atomic():
        locked = Party.objects.select_for_update().get(pk=party.pk)
        _proposal(locked)
        name = " ".join((name or "").split()) or locked.name
        if not normalise_mention(name):
            raise ValidationError(f"a party's name needs letters or digits, not {name!r}")
        locked = party_update(party=locked, name=name, kind=kind or locked.kind, parent=locked.parent,
                              country=locked.country)
        locked.review_state = ReviewState.ACCEPTED
        locked.save(update_fields=["review_state"])
    return locked


def _twins_under(moving: QuerySet[Statement], party: Party | None) -> QuerySet[Statement]:
    """The moving statements that `party` already has in the same words, speaker, claim and stance: the same
    attribution (the statements' unique constraint would refuse the second)."""
    same = Statement.objects.filter(
        revision_id=OuterRef("revision_id"), start=OuterRef("start"), end=OuterRef("end"),
        speaker_text=OuterRef("speaker_text"), stance=OuterRef("stance"),
    )
    same = same.filter(party=party) if party is not None else same.filter(party__isnull=True)
    return moving.filter(
        Exists(same.filter(claim_id=OuterRef("claim_id"))) | (Q(claim__isnull=True)
                                                             & Exists(same.filter(claim__isnull=True)))
    )


def party_merge(*, source: Party, target: Party, actor) -> Party:
    """Fold `source` into `target`: two names of one speaker. Returns the target.

    Side effects, in one transaction with both parties locked (lowest id first, so two merges cannot deadlock):
    every statement of the source names the target instead (one the target already has in the same words is
    dropped: the same attribution), each with its version bumped; the claims' stance groups follow through their
    trigger; the source's aliases and its own name become the target's aliases (so the resolver and the analysis's
    party index find the target by them); its children and watchers move to the target; source.merged_into is
    set (its page redirects to the target) and a PartyMerge row records who, when and how many statements moved.

    Refuses, with ValidationError, a party merged into itself, into a party below it, or either side already
    merged away.
    """
    require_role(actor, Role.ANALYST, action="Merging parties")
    if source.pk == target.pk:
        raise ValidationError("a party cannot be merged into itself")
    with transaction.atomic():
        locked = {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
                  .order_by("pk")}
        src, dst = locked[source.pk], locked[target.pk]
        for party in (src, dst):
            if party.merged_into_id is not None:
                raise ValidationError(f"{party.name} was already merged into another party; merge into that one")
        ancestor = dst.parent
        while ancestor is not None:
            if ancestor.pk == src.pk:
                raise ValidationError(f"{dst.name} is below {src.name}: merge {dst.name} into {src.name} instead")
            ancestor = ancestor.parent
        moving = Statement.objects.filter(party=src)
        list(moving.select_for_update().values_list("pk", flat=True))  # lock them all in one query
        _twins_under(moving, dst).delete()
        moved = moving.update(party=dst, version=F("version") + 1)
        PartyAlias.objects.filter(party=src).update(party=dst)
        if not PartyAlias.objects.filter(normalised=src.name_normalised).exists() and src.name_normalised:
            PartyAlias.objects.create(party=dst, text=src.name)
        Party.objects.filter(parent=src).exclude(pk=dst.pk).update(parent=dst)
        Watch.objects.filter(party=src, user__in=Watch.objects.filter(party=dst).values("user")).delete()
        Watch.objects.filter(party=src).update(party=dst)
        src.merged_into = dst
        src.save(update_fields=["merged_into"])
        PartyMerge.objects.create(source=src, target=dst, actor=actor, statements_moved=moved)
    source.merged_into = dst
    return dst


def party_proposal_reject(*, party: Party, actor) -> int:
    """Reject a machine-proposed party: the analysis took something for a speaker that is none. Returns how many
    statements were given back to their speaker's words.

    Its pending statements lose the party and keep the speaker as the article wrote it (unresolved speakers, for
    the reviewer to name); the analysis's party index leaves rejected parties out. Refuses, with ValidationError,
    a party an analyst made or already decided on, and one that accepted statements name (someone said it is that
    speaker: merge it into the party it is instead).
    """
    require_role(actor, Role.ANALYST, action="Reviewing a proposed party")
    with transaction.atomic():
        locked = Party.objects.select_for_update().get(pk=party.pk)
        _proposal(locked)
        accepted = Statement.objects.filter(party=locked, review_state=ReviewState.ACCEPTED).count()
        if accepted:
            raise ValidationError(
                f"{accepted} accepted statement{'s' if accepted != 1 else ''} name {locked.name}: "
                "merge it into the party it is instead"
            )
        pending = Statement.objects.filter(party=locked, review_state=ReviewState.PENDING)
        list(pending.select_for_update().values_list("pk", flat=True))
        _twins_under(pending.exclude(speaker_text=""), None).delete()
        released = pending.update(
            party=None, version=F("version") + 1,
            speaker_text=Case(When(speaker_text="", then=Value(locked.name[:300])), default=F("speaker_text")),
        )
        locked.review_state = ReviewState.REJECTED
        locked.save(update_fields=["review_state"])
    party.review_state = locked.review_state
    return released
