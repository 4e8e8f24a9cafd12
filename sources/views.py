"""Pages of articles, outlets, feeds and ingestion runs; they only call selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from config.health import task_failures_recent
from core.enums import Role
from core.views import is_partial, page_of, role_required
from sources import selectors, services
from sources.enums import ArticleStatus, IngestionStatus, ItemStatus
from sources.forms import FeedForm, SubmitTextForm, SubmitUrlsForm
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- Articles ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    status = status if status in ArticleStatus.values else ""
    page = page_of(request, selectors.article_list_for_page(q=q, status=status))
    context = {"page": page, "q": q, "status": status, "statuses": ArticleStatus.choices}
    return render(request, "sources/article_list.html", context)


@require_GET
@role_required(Role.VIEWER)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader: the extracted text with its statements marked, metadata, revisions and their differences."""
    try:
        article = selectors.article_get(pk=pk)
        revision = selectors.article_revision_get(article=article, number=_int(request.GET.get("rev")))
    except (Article.DoesNotExist, ArticleRevision.DoesNotExist):
        raise Http404("No such article or revision.") from None
    revisions = list(selectors.article_revisions(article=article))
    compare_number = _int(request.GET.get("compare"))
    compare = next((r for r in revisions if r.number == compare_number and r.number != revision.number), None)
    statements = page_of(
        request, selectors.article_revision_statements(revision=revision), ARTICLE_STATEMENTS_PER_PAGE,
        param="statements_page",
    )
    context = {
        "article": article,
        "revision": revision,
        "revisions": revisions,
        "compare": compare,
        "statements": list(statements.object_list),
        "statements_page": statements,
    }
    return render(request, "sources/article_detail.html", context)


# --- Outlets, feeds, submissions --------------------------------------------------------------


OUTLETS_PER_PAGE = 50
# The reader marks and lists one window of statements at a time: an article of any size stays one bounded page.
ARTICLE_STATEMENTS_PER_PAGE = 100


def _sources_page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    outlets = page_of(request, selectors.outlet_list_with_feeds(), OUTLETS_PER_PAGE)
    outlets.object_list = selectors.outlet_article_counts(outlets.object_list)
    context = {
        "outlets": outlets,
        "runs": list(selectors.ingestion_run_list().order_by("-started_at", "-pk")[:10]),
        "health": selectors.ingestion_health(),
        # What went wrong lately: items that failed (with their readable error) and tasks that raised.
        "failed_items": list(
            IngestionItem.objects.filter(status=ItemStatus.FAILED).order_by("-finished_at", "-pk")[:8]
        ),
        "task_failures": task_failures_recent(limit=8),
    }
    if request.can["analyse"]:
        context["urls_form"] = forms.get("urls_form") or SubmitUrlsForm()
        context["text_form"] = forms.get("text_form") or SubmitTextForm()
    if request.can["edit"]:
        context["feed_form"] = forms.get("feed_form") or FeedForm()
    return render(request, "sources/source_list.html", context, status=status)


@require_GET
@role_required(Role.VIEWER)
def source_list(request: HttpRequest) -> HttpResponse:
    return _sources_page(request)


def _feed_or_404(pk: int) -> Feed:
    try:
        return selectors.feed_get(pk=pk)
    except Feed.DoesNotExist:
        raise Http404("No such feed.") from None


@require_POST
@role_required(Role.EDITOR)
def feed_add(request: HttpRequest) -> HttpResponse:
    form = FeedForm(request.POST)
    if not form.is_valid():
        return _sources_page(request, status=400, feed_form=form)
    data = form.cleaned_data
    feed_fields = {k: data[k] for k in ("url", "title", "poll_interval_minutes")}
    try:
        if data["outlet"] is not None:
            feed = services.feed_create(outlet=data["outlet"], **feed_fields)
        else:
            feed = services.feed_create_with_outlet(
                outlet_name=data["new_outlet_name"], outlet_domain=data["new_outlet_domain"], **feed_fields
            )
    except ValidationError as exc:
        # An outlet's refusal (a name or domain taken) belongs under the new outlet's fields, a feed's under its URL.
        field = "new_outlet_name" if getattr(exc, "code", None) == "outlet" else "url"
        form.add_error(field, "; ".join(exc.messages))
        return _sources_page(request, status=400, feed_form=form)
    made = "" if data["outlet"] is not None else f" The outlet {feed.outlet.name} ({feed.outlet.domain}) was made too."
    messages.success(request, f"Feed added: {feed}.{made} It will be polled within a minute.")
    return redirect("sources:source_list")


@require_POST
@role_required(Role.EDITOR)
def feed_pause(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _feed_or_404(pk)
    if feed.is_active:
        services.feed_pause(feed=feed)
        messages.success(request, f"Paused {feed}.")
    else:
        services.feed_resume(feed=feed)
        messages.success(request, f"Resumed {feed}; it will be polled within a minute.")
    return redirect("sources:source_list")


@require_POST
@role_required(Role.ANALYST)
def feed_poll(request: HttpRequest, pk: int) -> HttpResponse:
    feed = _feed_or_404(pk)
    services.feed_poll_soon(feed=feed)
    messages.success(request, f"{feed} will be polled now; its run appears below in a moment.")
    return redirect("sources:source_list")


@require_POST
@role_required(Role.ANALYST)
def submit_urls(request: HttpRequest) -> HttpResponse:
    form = SubmitUrlsForm(request.POST)
    if not form.is_valid():
        return _sources_page(request, status=400, urls_form=form)
    try:
        run = services.article_submit_urls(urls=form.cleaned_data["urls"], submitted_by=request.user)
    except ValidationError as exc:
        form.add_error("urls", "; ".join(exc.messages))
        return _sources_page(request, status=400, urls_form=form)
    return redirect("sources:run_detail", pk=run.pk)


@require_POST
@role_required(Role.ANALYST)
def submit_text(request: HttpRequest) -> HttpResponse:
    form = SubmitTextForm(request.POST)
    if not form.is_valid():
        return _sources_page(request, status=400, text_form=form)
    try:
        run = services.article_submit_text(**form.cleaned_data, submitted_by=request.user)
    except ValidationError as exc:
        form.add_error(None, "; ".join(exc.messages))
        return _sources_page(request, status=400, text_form=form)
    return redirect("sources:run_detail", pk=run.pk)


# --- Ingestion runs ---------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def run_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.ingestion_run_list().order_by("-started_at", "-pk"))
    return render(request, "sources/run_list.html", {"page": page})


@require_GET
@role_required(Role.VIEWER)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run and its items; while it runs, the progress part reloads itself every two seconds (htmx)."""
    try:
        run = selectors.ingestion_run_get(pk=pk)
    except IngestionRun.DoesNotExist:
        raise Http404("No such ingestion run.") from None
    items = list(selectors.ingestion_item_list(run=run))
    stages = selectors.ingestion_run_stages(run=run, items=items)
    context = {
        "run": run,
        "items": items,
        "stages": stages,
        # Polls on after the fetches while the analysis still works through the run's texts.
        "running": selectors.ingestion_run_still_moving(run=run, stages=stages),
        "fetching": run.status == IngestionStatus.RUNNING,
    }
    template = "sources/_run_progress.html" if is_partial(request) else "sources/run_detail.html"
    return render(request, template, context)
