"""The queues of machine-proposed parties and claims: accept (renamed, reworded, of another kind), merge, reject.

The decisions go through the services (claims.services.parties and .claims); the merge suggestions of each item
load on their own (htmx), so that a page of the queue costs the same few queries whatever it holds.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from claims import selectors, services
from claims.enums import PartyKind, ReviewState
from claims.forms import ClaimProposalForm, PartyProposalForm
from claims.models import Claim, Party
from core.enums import Role
from core.views import page_of, role_required

PROPOSALS_PAGE = 20
CANDIDATES = 5


def _back(request: HttpRequest, name: str) -> str:
    """The queue's page the decision was made on (the next item has moved up into it)."""
    page = request.GET.get("page", "")
    query = urlencode({"page": page}) if page.isdigit() and page != "1" else ""
    return reverse(name) + (f"?{query}" if query else "")


def _refused(request: HttpRequest, *, name: str, problem: str) -> HttpResponse:
    messages.error(request, f"Not saved: {problem} Nothing was changed.")
    response = redirect(_back(request, name))
    # 303, so the browser comes back with a GET; the page says what went wrong.
    response.status_code = 303
    return response


def _errors(form) -> str:
    return " ".join(f"{e}" for errors in form.errors.values() for e in errors)


# --- Proposed parties -----------------------------------------------------------------------------


@require_GET
@role_required(Role.ANALYST)
def party_proposal_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.party_list_proposed(), PROPOSALS_PAGE)
    return render(request, "claims/proposed_parties.html", {
        "page": page, "kinds": PartyKind.choices, "parties_waiting": selectors.party_proposed_count(),
        "claims_waiting": selectors.claim_proposed_count(),
    })


@require_GET
@role_required(Role.ANALYST)
def party_proposal_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    party = Party.objects.filter(pk=pk).first()
    if party is None:
        raise Http404("No party with that number.")
    response = render(request, "claims/_party_candidates.html", {
        "party": party, "candidates": selectors.party_merge_candidates(party=party, limit=CANDIDATES),
        "page_query": _back(request, "claims:party_proposal_list").partition("?")[2],
    })
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@role_required(Role.ANALYST)
def party_proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    name = "claims:party_proposal_list"
    party = Party.objects.filter(pk=pk).first()
    if party is None:
        return _refused(request, name=name, problem="that party is gone.")
    form = PartyProposalForm(request.POST)
    if not form.is_valid():
        return _refused(request, name=name, problem=_errors(form) or "the decision could not be read.")
    data = form.cleaned_data
    try:
        if data["action"] == "accept":
            party = services.party_proposal_accept(party=party, actor=request.user, name=data["name"],
                                                   kind=data["kind"] or None)
            notice = f"Accepted {party.name} ({party.get_kind_display().lower()})."
        elif data["action"] == "merge":
            before = party.name
            target = services.party_merge(source=party, target=data["target"], actor=request.user)
            moved = party.merged_away.statements_moved
            notice = f"Merged {before} into {target.name}: {moved} statement{'s' if moved != 1 else ''} moved."
        else:
            released = services.party_proposal_reject(party=party, actor=request.user)
            notice = (f"Rejected {party.name}: {released} statement{'s' if released != 1 else ''} back to the "
                      "speaker as written, for the review queue.")
    except ValidationError as exc:
        return _refused(request, name=name, problem="; ".join(exc.messages) + ".")
    messages.success(request, notice)
    return redirect(_back(request, name))


# --- Proposed claims ------------------------------------------------------------------------------


@require_GET
@role_required(Role.ANALYST)
def claim_proposal_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.claim_list_proposed(), PROPOSALS_PAGE)
    return render(request, "claims/proposed_claims.html", {
        "page": page, "parties_waiting": selectors.party_proposed_count(),
        "claims_waiting": selectors.claim_proposed_count(),
    })


@require_GET
@role_required(Role.ANALYST)
def claim_proposal_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    claim = Claim.objects.filter(pk=pk).first()
    if claim is None:
        raise Http404("No claim with that number.")
    response = render(request, "claims/_claim_candidates.html", {
        "claim": claim, "candidates": selectors.claim_list_similar(claim=claim, limit=CANDIDATES),
        "page_query": _back(request, "claims:claim_proposal_list").partition("?")[2],
    })
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@role_required(Role.ANALYST)
def claim_proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    name = "claims:claim_proposal_list"
    claim = Claim.objects.filter(pk=pk).first()
    if claim is None:
        return _refused(request, name=name, problem="that claim is gone.")
    form = ClaimProposalForm(request.POST)
    if not form.is_valid():
        return _refused(request, name=name, problem=_errors(form) or "the decision could not be read.")
    data = form.cleaned_data
    try:
        if data["action"] == "accept":
            if claim.merged_into_id or claim.review_state != ReviewState.PENDING:
                raise ValidationError(f"claim {claim.pk} is not a proposal waiting for review")
            claim = services.claim_update(claim=claim, actor=request.user, text=data["text"] or None)
            notice = f"Accepted claim {claim.pk}: “{claim.text}”"
        elif data["action"] == "merge":
            target = Claim.objects.filter(pk=data["target"]).first()
            if target is None:
                raise ValidationError(f"there is no claim number {data['target']}")
            target = services.claim_merge(source=claim, target=target, actor=request.user)
            moved = claim.merged_away.statements_moved
            notice = (f"Merged claim {claim.pk} into claim {target.pk}: {moved} statement"
                      f"{'s' if moved != 1 else ''} moved.")
        else:
            rejected = services.claim_proposal_reject(claim=claim, actor=request.user)
            notice = f"Rejected claim {claim.pk} and its {rejected} waiting statement{'s' if rejected != 1 else ''}."
    except ValidationError as exc:
        return _refused(request, name=name, problem="; ".join(exc.messages) + ".")
    messages.success(request, notice)
    return redirect(_back(request, name))
