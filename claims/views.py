"""Analysts' pages; they only call selectors and services."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
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
    ChartRangeForm,
    ClaimEditForm,
    ClaimFilterForm,
    ClaimMergeForm,
    EvidenceForm,
    QueueFilterForm,
    ReviewForm,
    VerdictForm,
)
from claims.models import Claim, Party, Statement
from claims.public_views import public_claim_url, public_when_published
from claims.templatetags.tracker import unquote
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
UNDO_SALT = "claims.review.undo"
UNDO_SESSION_KEY = "review_undo"
UNDO_MAX_AGE = 60 * 60  # an undo is for the decision just made, not a way to rewrite old reviews


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
        "my_claims": selectors.claim_list_assigned(user=request.user) if request.can["analyse"] else [],
        "unread": selectors.notification_unread_count(user=request.user),
        **_chart_context(request, data=selectors.statement_day_range(), daily=selectors.statement_daily_between),
        "health": source_selectors.ingestion_health(),
    }
    return render(request, "claims/home.html", context)


def _chart_context(request: HttpRequest, *, data: tuple, daily) -> dict:
    """The chart's range (asked, else the data's own) and its statements per day by stance."""
    form = ChartRangeForm(request.GET)
    start, end = form.dates()
    span = selectors.chart_range(start=start, end=end, data=data)
    return {"span": span, "daily": daily(span=span), "max_days": selectors.CHART_MAX_DAYS,
            "range_error": form.problem()}


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
    claims = selectors.claim_search(**arguments)
    # A party that is not found lists nothing: dropping it would list everyone's claims of that stance instead.
    party_missing = form["party"].value().strip() if "party" in form.errors else ""
    if party_missing:
        claims = claims.none()
    page = page_of(request, claims, count_limit=count_limit)
    page.object_list = selectors.claim_rows_with_who(page.object_list)
    context = {"form": form, "page": page, "searching": arguments["q"], "party_missing": party_missing}
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
        **dict(zip(("withdrawn", "more_withdrawn"), selectors.claim_withdrawn_statements(claim=claim), strict=True)),
        "similar": selectors.claim_list_similar(claim=claim),
        "merges_in": selectors.claim_merges_in(claim=claim),
        "claimreview": _claimreview_json(request, claim),
        "watching": selectors.watch_exists(user=request.user, claim=claim),
        "notes": selectors.claim_notes(claim=claim),
        "who_when": selectors.claim_who_when(
            claim=claim,
            parties=list({p.party_id: p.party for p in summary.parties if p.party_id is not None}.items()),
        ),
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
        context["assign_choices"] = selectors.user_choices_for_assignment()
    return render(request, "claims/claim_detail.html", context, status=status)


def _claimreview_json(request: HttpRequest, claim: Claim) -> str:
    """ClaimReview JSON-LD for a published verdict, from the API's builder (claims/claimreview.py)."""
    if claim.verdict_published_at is None:
        return ""
    try:
        from claims.claimreview import claim_review_script
    except ImportError:  # the builder ships with the API; the page works without it
        return ""
    return claim_review_script(claim=claim, url=public_claim_url(request, claim))


@require_GET
@public_when_published
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


def _review_context(request: HttpRequest, *, notice: str = "", error: str = "", undo: str = "",
                    pickers: bool = False) -> dict:
    """The queue's items grouped by article under the filters in the query string; with `pickers`, the claim
    choices its corrections offer (the whole page only: they sit outside the part htmx swaps, so each decision
    does not send 500 claims again)."""
    filter_form = QueueFilterForm(request.GET)
    filters = filter_form.filters()
    groups = selectors.statement_review_groups(filters=filters, limit=REVIEW_BATCH)
    shown = sum(len(g.items) for g in groups)
    # Decisions post to URLs that carry the filters, so the queue comes back filtered the same way.
    kept = {k: v for k, v in request.GET.items() if k in filter_form.fields and k not in filter_form.errors and v}
    context = {
        "groups": groups,
        "shown": shown,
        "pending": selectors.statement_review_count(),  # exact, from the tallies
        "filter_form": filter_form,
        "filtered": filters.active,
        "filter_query": urlencode(kept),
        "stances": Stance.choices,
        "notice": notice,
        "error": error,
        "undo": undo,
    }
    if filters.active:
        context["matching"] = selectors.statement_review_count_matching(filters=filters, limit=FILTERED_COUNT_LIMIT)
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
    undo = request.session.pop(UNDO_SESSION_KEY, "")
    if is_partial(request):
        response = render(request, "claims/_review_queue.html", _review_context(request, undo=undo))
    else:
        response = render(request, "claims/review_queue.html", _review_context(request, undo=undo, pickers=True))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _undo_token(request: HttpRequest, undo: list) -> str:
    """The decisions as they were before, signed for this user: the client can hand them back, not forge them."""
    if not undo:
        return ""
    return signing.dumps({"by": request.user.pk, "undo": [u.as_dict() for u in undo]}, salt=UNDO_SALT)


def _queue_url(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("claims:review_queue") + (f"?{query}" if query else "")


def _review_response(request: HttpRequest, *, notice: str = "", error: str = "", undo: list | None = None,
                     status: int = 200) -> HttpResponse:
    """After a decision: the queue again, now starting at the next item (a partial for htmx)."""
    token = _undo_token(request, undo or [])
    if not is_partial(request):
        if error:
            messages.error(request, error)
        if notice:
            messages.success(request, notice)
        if token:
            request.session[UNDO_SESSION_KEY] = token
        return redirect(_queue_url(request))
    context = _review_context(request, notice=notice, error=error, undo=token)
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
        _, undo = services.statement_review_with_undo(
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
    # The whole quote (a confirmation cut mid-word leaves the analyst unsure which statement it was), without
    # the quote marks the article's own words may carry, so that they are not doubled.
    quote = unquote(statement.quote)
    return _review_response(request, notice=f"{done}: {who} — “{quote}”", undo=[undo])


@require_POST
@role_required(Role.ANALYST)
def review_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        return _review_response(request, error="Choose at least one statement and an action.", status=400)
    action = form.cleaned_data["action"]
    ids = list(form.cleaned_data["statements"] or [])
    if form.cleaned_data.get("article"):
        filters = QueueFilterForm(request.GET).filters()
        ids += selectors.statement_pending_ids(filters=filters, article_id=form.cleaned_data["article"])
    report = services.statement_review_bulk(statement_ids=ids, actor=request.user, action=action)
    verb = "accepted" if action == "accept" else "rejected"
    notice = f"{report.done} statement{'s' if report.done != 1 else ''} {verb}."
    return _review_response(
        request, notice=notice, error="Not saved: " + "; ".join(report.failed) if report.failed else "",
        undo=report.undo,
    )


@require_POST
@role_required(Role.ANALYST)
def review_undo(request: HttpRequest) -> HttpResponse:
    try:
        signed = signing.loads(request.POST.get("undo", ""), salt=UNDO_SALT, max_age=UNDO_MAX_AGE)
        if signed["by"] != request.user.pk:
            raise signing.BadSignature("another user's decisions")
        undo = [services.ReviewUndo(**entry) for entry in signed["undo"]]
    except signing.SignatureExpired:
        return _review_response(request, error="That decision is too old to undo here; review the statement again.",
                                status=400)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _review_response(request, error="Nothing to undo: the undo could not be read.", status=400)
    report = services.statement_review_undo(undo=undo, actor=request.user)
    plural = "s" if report.undone != 1 else ""
    notice = f"Undone: {report.undone} statement{plural} back as before." if report.undone else ""
    error = "Not undone: " + "; ".join(report.refused) if report.refused else ""
    return _review_response(request, notice=notice, error=error)


# --- Parties ----------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def party_suggest(request: HttpRequest) -> HttpResponse:
    """The party filters' autocomplete: <option>s for a <datalist>, swapped in by htmx as the user types."""
    typed = (request.GET.get("party") or request.GET.get("q") or request.GET.get("target") or "")[:200]
    response = render(request, "claims/_party_options.html", {"suggestions": selectors.party_suggest(q=typed)})
    patch_vary_headers(response, ["HX-Request"])
    return response


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
    if party.merged_into_id:
        # Links to a merged-away party (bookmarks, old notifications) still answer, at the party it became.
        live = selectors.party_resolve_merged(party)
        messages.info(request, f"{party.name} was merged into {live.name}.")
        return redirect("claims:party_detail", slug=live.slug)
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
        "watching": selectors.watch_exists(user=request.user, party=party),
        "merges_in": selectors.party_merges_in(party=party),
    }
    # On request only: counting a top state's 100,000 statements by day would cost the page its target.
    if request.GET.get("chart") or request.GET.get("from") or request.GET.get("to"):
        party_ids = selectors.party_and_below_ids(party.pk)
        context.update(_chart_context(
            request, data=selectors.party_day_range(party_ids=party_ids),
            daily=lambda span: selectors.party_daily_by_stance(party_ids=party_ids, span=span),
        ))
    return render(request, "claims/party_detail.html", context)
