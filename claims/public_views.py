"""The public verdict pages: published claims for anyone, no sign-in; everything else stays behind it."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from claims import selectors
from claims.claimreview import claim_review_script
from claims.models import Claim
from core.views import page_of

PUBLIC_PAGE_SIZE = 25


def public_claim_url(request: HttpRequest, claim: Claim) -> str:
    return request.build_absolute_uri(reverse("claims:public_claim_detail", args=[claim.pk]))


@require_GET
def public_claim_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.claim_list_published(), PUBLIC_PAGE_SIZE, count_limit=10_000)
    return render(request, "claims/public_claim_list.html", {"page": page})


@require_GET
def public_claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        claim = selectors.claim_get_published(pk=pk)
    except Claim.DoesNotExist:
        # The same answer for an unpublished claim as for none: what the newsroom has not published is not public.
        raise Http404("No published verdict with that number.") from None
    who = selectors.claim_public_who(claim=claim)
    context = {
        "claim": claim,
        "who": who,
        "backers": [w for w in who if w.stance in ("asserts", "confirms")],
        "deniers": [w for w in who if w.stance == "denies"],
        "others": [w for w in who if w.stance not in ("asserts", "confirms", "denies")],
        "appearances": selectors.claim_public_appearances(claim=claim),
        "evidence": [e for e in selectors.claim_evidence(claim=claim) if e.kind != "file"],
        "claimreview": claim_review_script(claim=claim, url=public_claim_url(request, claim)),
    }
    return render(request, "claims/public_claim_detail.html", context)


def public_when_published(view):
    """For a visitor who is not signed in, a published claim's usual address opens its public page."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated and selectors.claim_is_published(pk=pk):
            return redirect("claims:public_claim_detail", pk=pk)
        return view(request, pk, *args, **kwargs)

    return wrapper
