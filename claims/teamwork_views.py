"""Teamwork pages and actions: assign a claim, notes on it, watch a claim or a party, the notifications list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims import selectors, services
from claims.models import Claim, Party
from core.enums import Role
from core.views import PAGE_SIZE, page_of, role_required


def _claim(pk: int) -> Claim:
    try:
        return selectors.claim_get(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No claim with that number.") from None


def _party(slug: str) -> Party:
    try:
        return selectors.party_get(slug=slug)
    except Party.DoesNotExist:
        raise Http404("No party by that name.") from None


def _back_to_claim(claim: Claim, anchor: str) -> HttpResponse:
    return redirect(reverse("claims:claim_detail", args=[claim.pk]) + f"#{anchor}")


@require_POST
@role_required(Role.ANALYST)
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    value = request.POST.get("assignee", "").strip()
    if value == "me":
        assignee = request.user
    elif value == "":
        assignee = None
    elif value.isdigit() and (found := get_user_model().objects.filter(pk=int(value), is_active=True).first()):
        assignee = found
    else:
        messages.error(request, "Not assigned: choose someone from the list.")
        return _back_to_claim(claim, "team")
    try:
        services.claim_assign(claim=claim, actor=request.user, assignee=assignee)
    except ValidationError as exc:
        messages.error(request, "Not assigned: " + "; ".join(exc.messages) + ".")
        return _back_to_claim(claim, "team")
    messages.success(request, f"Assigned to {assignee.get_username()}." if assignee else "Nobody is assigned now.")
    return _back_to_claim(claim, "team")


@require_POST
@role_required(Role.ANALYST)
def claim_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    try:
        services.claim_note_add(claim=claim, actor=request.user, text=request.POST.get("text", ""))
    except ValidationError as exc:
        messages.error(request, "Note not saved: " + "; ".join(exc.messages) + ".")
        return _back_to_claim(claim, "notes")
    messages.success(request, "Note added.")
    return _back_to_claim(claim, "notes")


@require_POST
@role_required(Role.VIEWER)
def claim_watch(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    watching = request.POST.get("watch") == "on"
    services.watch_set(actor=request.user, claim=claim, watching=watching)
    messages.success(request, "You watch this claim: new statements and verdict changes will be in your "
                     "notifications." if watching else "You no longer watch this claim.")
    return _back_to_claim(claim, "team")


@require_POST
@role_required(Role.VIEWER)
def party_watch(request: HttpRequest, slug: str) -> HttpResponse:
    party = _party(slug)
    watching = request.POST.get("watch") == "on"
    services.watch_set(actor=request.user, party=party, watching=watching)
    messages.success(request, f"You watch {party.name}: its new statements will be in your notifications."
                     if watching else f"You no longer watch {party.name}.")
    return redirect("claims:party_detail", slug=party.slug)


@require_GET
@role_required(Role.VIEWER)
def notification_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.notification_list(user=request.user), PAGE_SIZE)
    unread = selectors.notification_unread_count(user=request.user)
    return render(request, "claims/notification_list.html", {"page": page, "unread": unread})


@require_POST
@role_required(Role.VIEWER)
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("notification") if v.isdigit()] or None
    done = services.notification_mark_read(actor=request.user, ids=ids)
    messages.success(request, f"{done} notification{'s' if done != 1 else ''} marked read.")
    return redirect("claims:notification_list")
