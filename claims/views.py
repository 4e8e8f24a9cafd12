"""Analysts' pages; they only call selectors and services."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from claims import selectors, services
from claims.enums import Stance, Verdict
from claims.forms import (
    BulkReviewForm,
    ClaimEditForm,
    ClaimFilterForm,
    ClaimMergeForm,
    EvidenceForm,
    ReviewForm,
    VerdictForm,
)
from claims.models import Claim, Party, Statement
from core.enums import Role
from core.exceptions import StaleVersion
from core.views import PAGE_SIZE, is_partial, page_of, role_required
from sources import selectors as source_selectors

MATRIX_STANCES = [Stance.ASSERTS, Stance.CONFIRMS, Stance.DENIES, Stance.QUESTIONS, Stance.RETRACTS]
CORE_STANCES = {Stance.ASSERTS, Stance.CONFIRMS, Stance.DENIES}
# Lists filtered through the statements (a party's claims) count at most this many rows ("1000+").
FILTERED_COUNT_LIMIT = 1_000
TIMELINE_PAGE = 50
REVIEW_BATCH = 20


def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


# --- Dashboard --------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "counts": selectors.tracker_counts(),
        "verdicts": selectors.claim_verdict_counts(),
        "contested": selectors.claim_rows_with_who(selectors.claim_search(contested=True, sort="statements")[:6]),
        "awaiting_verdict": list(selectors.claim_search(verdict=Verdict.IN_REVIEW, sort="updated")[:6])
        if request.can["edit"]
        else [],
        "newest": selectors.statement_list_newest(limit=8),
        "daily": selectors.statement_daily_by_stance(days=30),
        "health": source_selectors.ingestion_health(),
    }
    return render(request, "claims/home.html", context)


# --- Claims -----------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def claim_list(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET, tags=selectors.claim_tags())
    form.is_valid()
    arguments = form.search_arguments()
    # A search counts up to FEW_MATCHES ("500+ claims matching"): counting 10,000 full-text matches costs 200 ms,
    # and past 20 pages of matches the words want refining, not paging.
    # Claims filtered by their statements count up to FILTERED_COUNT_LIMIT: each row counted is a probe.
    filtered = any(arguments[k] for k in ("party", "stance", "outlet_id", "reported_from", "reported_to"))
    count_limit = selectors.FEW_MATCHES if arguments["q"] else FILTERED_COUNT_LIMIT if filtered else None
    page = page_of(request, selectors.claim_search(**arguments), count_limit=count_limit)
    page.object_list = selectors.claim_rows_with_who(page.object_list)
    context = {"form": form, "page": page, "searching": arguments["q"]}
    if not is_partial(request):
        return render(request, "claims/claim_list.html", context)
    response = render(request, "claims/_claim_results.html", context)
    # The address bar gets the filters that are set, not every empty field of the form: a link to share.
    shared = urlencode([(key, value) for key, value in request.GET.items() if value])
    response["HX-Push-Url"] = f"{request.path}?{shared}" if shared else request.path
    patch_vary_headers(response, ["HX-Request"])
    return response


def _claim_or_404(pk: int) -> Claim:
    try:
        return selectors.claim_get(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No claim with that number.") from None


def _claim_page(request: HttpRequest, claim: Claim, *, status: int = 200, **forms) -> HttpResponse:
    """The claim page, with any submitted form that failed shown again with its errors."""
    summary = selectors.claim_stance_summary(claim=claim)
    version = {"version": claim.version}
    context = {
        "claim": claim,
        "summary": summary,
        "matrix": selectors.claim_party_matrix(summary=summary),
        # asserts, confirms and denies always; questions and retracts when someone takes them.
        "matrix_stances": [s for s in MATRIX_STANCES if s in CORE_STANCES or s in {p.stance for p in summary.parties}],
        # statement_count counts what the timeline lists (statements not rejected), kept by a trigger.
        "timeline": page_of(
            request, selectors.claim_timeline(claim=claim), TIMELINE_PAGE, param="statements",
            count=claim.statement_count,
        ),
        "evidence": selectors.claim_evidence(claim=claim),
        "history": selectors.claim_history(claim=claim),
        "similar": selectors.claim_list_similar(claim=claim),
        "claimreview": _claimreview_json(request, claim),
    }
    if request.can["analyse"]:
        context["verdict_form"] = forms.get("verdict_form") or VerdictForm(
            role=request.role, initial={**version, "verdict": claim.verdict if request.can["edit"] else "in_review"}
        )
        context["edit_form"] = forms.get("edit_form") or ClaimEditForm(
            initial={**version, "text": claim.text, "kind": claim.kind, "tags": ", ".join(claim.tags)}
        )
        context["merge_form"] = forms.get("merge_form") or ClaimMergeForm()
        context["evidence_form"] = forms.get("evidence_form") or EvidenceForm()
    return render(request, "claims/claim_detail.html", context, status=status)


def _claimreview_json(request: HttpRequest, claim: Claim) -> str:
    """ClaimReview JSON-LD for a published verdict, from the API's builder (claims/claimreview.py)."""
    if claim.verdict_published_at is None:
        return ""
    try:
        from claims.claimreview import claim_review_script
    except ImportError:  # the builder ships with the API; the page works without it
        return ""
    url = request.build_absolute_uri(reverse("claims:claim_detail", args=[claim.pk]))
    return claim_review_script(claim=claim, url=url)


@require_GET
@role_required(Role.VIEWER)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    if claim.merged_into_id:
        live = services.claim_resolve_merged(claim)
        messages.info(request, f"Claim {claim.pk} was merged into this one.")
        return redirect("claims:claim_detail", pk=live.pk)
    return _claim_page(request, claim)


def _stale_message(exc: StaleVersion) -> str:
    return (
        "Someone else changed this claim while you had it open, so your change was not saved. "
        f"The page now shows their version ({exc.current_version}); check it and try again."
    )


@require_POST
@role_required(Role.ANALYST)
def claim_set_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    form = VerdictForm(request.POST, role=request.role)
    if not form.is_valid():
        return _claim_page(request, claim, status=400, verdict_form=form)
    try:
        services.claim_set_verdict(
            claim=claim, actor=request.user, verdict=form.cleaned_data["verdict"],
            rationale=form.cleaned_data["rationale"], publish=form.cleaned_data.get("publish", False),
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion as exc:
        claim = _claim_or_404(pk)
        form = VerdictForm(request.POST.copy(), role=request.role)
        form.data["version"] = claim.version
        form.is_valid()
        form.add_error(None, _stale_message(exc))
        return _claim_page(request, claim, status=409, verdict_form=form)
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _claim_page(request, claim, status=400, verdict_form=form)
    messages.success(request, f"Verdict set to “{claim.get_verdict_display()}”.")
    return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#history")


@require_POST
@role_required(Role.ANALYST)
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    form = ClaimEditForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, status=400, edit_form=form)
    try:
        services.claim_update(
            claim=claim, actor=request.user, text=form.cleaned_data["text"], kind=form.cleaned_data["kind"],
            tags=form.cleaned_data["tags"], expected_version=form.cleaned_data["version"],
        )
    except StaleVersion as exc:
        claim = _claim_or_404(pk)
        form = ClaimEditForm(request.POST.copy())
        form.data["version"] = claim.version
        form.is_valid()
        form.add_error(None, _stale_message(exc))
        return _claim_page(request, claim, status=409, edit_form=form)
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _claim_page(request, claim, status=400, edit_form=form)
    messages.success(request, "Claim saved.")
    return redirect("claims:claim_detail", pk=claim.pk)


@require_POST
@role_required(Role.ANALYST)
def claim_merge(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    form = ClaimMergeForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, status=400, merge_form=form)
    try:
        target = selectors.claim_get(pk=form.cleaned_data["target"])
        target = services.claim_merge(source=claim, target=target, actor=request.user)
    except Claim.DoesNotExist:
        form.add_error("target", "There is no claim with that number.")
        return _claim_page(request, claim, status=400, merge_form=form)
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _claim_page(request, claim, status=400, merge_form=form)
    messages.success(request, f"Claim {claim.pk} was merged into this one.")
    return redirect("claims:claim_detail", pk=target.pk)


@require_POST
@role_required(Role.ANALYST)
def claim_add_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, status=400, evidence_form=form)
    try:
        services.evidence_add(
            claim=claim, actor=request.user, kind=form.cleaned_data["kind"], relation=form.cleaned_data["relation"],
            url=form.cleaned_data["url"], article=form.cleaned_data["article"], note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _claim_page(request, claim, status=400, evidence_form=form)
    messages.success(request, "Evidence added.")
    return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#evidence")


# --- Review queue -----------------------------------------------------------------------------


def _options_html(choices) -> str:
    # html.escape, not Django's escape: 20,000 labels, and Django's lazy wrapper costs more than the escaping.
    return mark_safe("".join(f'<option value="{pk}">{html.escape(str(label))}</option>' for pk, label in choices))  # noqa: S308 -- labels escaped, pk an int


def _review_context(request: HttpRequest, *, notice: str = "", error: str = "", pickers: bool = False) -> dict:
    """The queue's items; with `pickers`, the party and claim choices its corrections offer (the whole page only:
    they sit outside the part htmx swaps, so each decision does not send 20,000 parties again)."""
    batch = selectors.statement_review_batch(limit=REVIEW_BATCH)
    context = {
        "items": [(s, selectors.statement_context(statement=s)) for s in batch],
        "pending": selectors.statement_review_count(),  # exact, from the tallies
        "stances": Stance.choices,
        "notice": notice,
        "error": error,
    }
    if pickers:
        # One <datalist> of recent claims for the whole page, not one <select> per item; parties are typed
        # (ReviewForm resolves a name or alias): 20 × 20,000 parties was 20 MB a page.
        # Plain slicing: Django's Truncator (translations, lazy strings) took 25 ms for 500 labels.
        context["claim_options"] = _options_html(
            (pk, f"#{pk} {text if len(text) <= 70 else text[:69] + '…'}") for pk, text in selectors.claim_choices()
        )
    return context


@require_GET
@role_required(Role.ANALYST)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/review_queue.html", _review_context(request, pickers=True))


def _review_response(request: HttpRequest, *, notice: str = "", error: str = "", status: int = 200) -> HttpResponse:
    """After a decision: the queue again, now starting at the next item (a partial for htmx)."""
    if not is_partial(request):
        if error:
            messages.error(request, error)
        elif notice:
            messages.success(request, notice)
        return redirect("claims:review_queue")
    context = _review_context(request, notice=notice, error=error)
    return render(request, "claims/_review_queue.html", context, status=status)


@require_POST
@role_required(Role.ANALYST)
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        statement = selectors.statement_get(pk=pk)
    except Statement.DoesNotExist:
        return _review_response(request, error="That statement is gone; the queue has been refreshed.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        problem = form.errors.get("party", ["The decision could not be read."])[0]
        return _review_response(request, error=f"{problem} Nothing was changed.", status=400)
    data = form.cleaned_data
    claim = None
    if data.get("claim"):
        try:
            claim = selectors.claim_get(pk=data["claim"])
        except Claim.DoesNotExist:
            return _review_response(request, error=f"There is no claim number {data['claim']}.", status=400)
    try:
        services.statement_review(
            statement=statement, actor=request.user, action=data["action"], party=data.get("party"),
            claim=claim, stance=data.get("stance") or None, expected_version=data.get("version"),
        )
    except StaleVersion:
        return _review_response(
            request, error="Someone else reviewed this statement first; here is the queue as it is now.", status=409
        )
    except ValidationError as exc:
        return _review_response(request, error=f"Not saved: {_errors(exc)}.", status=400)
    done = "Accepted" if data["action"] == "accept" else "Rejected"
    who = statement.speaker_text or statement.party
    return _review_response(request, notice=f"{done}: {who} — “{statement.quote[:80]}”")


@require_POST
@role_required(Role.ANALYST)
def review_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        return _review_response(request, error="Choose at least one statement and an action.", status=400)
    action = form.cleaned_data["action"]
    report = services.statement_review_bulk(
        statement_ids=form.cleaned_data["statements"], actor=request.user, action=action
    )
    verb = "accepted" if action == "accept" else "rejected"
    notice = f"{report.done} statement{'s' if report.done != 1 else ''} {verb}."
    return _review_response(
        request, notice=notice, error="Not saved: " + "; ".join(report.failed) if report.failed else ""
    )


# --- Parties ----------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def party_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    page = page_of(request, selectors.party_search(q=q), per_page=50)
    return render(request, "claims/party_list.html", {"page": page, "q": q})


@require_GET
@role_required(Role.VIEWER)
def party_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        party = selectors.party_get(slug=slug)
    except Party.DoesNotExist:
        raise Http404("No party by that name.") from None
    verdict = request.GET.get("verdict", "")
    if verdict not in Verdict.values:
        verdict = ""
    page = page_of(
        request, selectors.party_track_record(party=party, verdict=verdict), PAGE_SIZE,
        count_limit=FILTERED_COUNT_LIMIT,
    )
    context = {
        "party": party,
        "aliases": list(party.aliases.order_by("text")),
        "children": list(party.children.order_by("name")),
        "track_record": page,
        "entries": selectors.party_track_record_entries(page.object_list, party=party),
        "verdict": verdict,
        "verdicts": Verdict.choices,
    }
    return render(request, "claims/party_detail.html", context)
