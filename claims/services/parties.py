"""Writes of parties: creating one, editing one (with the check that the hierarchy has no cycle), adding aliases."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.enums import Origin, PartyKind, ReviewState
from claims.models import Party, PartyAlias
from claims.normalise import normalise_mention
from claims.services._common import _choice


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
