"""Pages of articles, outlets, feeds and ingestion runs; they only call selectors and services."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims import selectors as claim_selectors
from claims.enums import Role
from claims.views import page_of, role_required
from sources import selectors
from sources.enums import ArticleStatus
from sources.models import Article, ArticleRevision


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
@role_required(Role.VIEWER)
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    status = status if status in ArticleStatus.values else ""
    page = page_of(request, selectors.article_search(q=q, status=status))
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
    revisions = selectors.article_revisions(article=article)
    compare = None
    compare_number = _int(request.GET.get("compare"))
    if compare_number and compare_number != revision.number:
        try:
            compare = selectors.article_revision_get(article=article, number=compare_number)
        except ArticleRevision.DoesNotExist:
            compare = None
    context = {
        "article": article,
        "revision": revision,
        "revisions": revisions,
        "compare": compare,
        "statements": claim_selectors.statement_list_for_revision(revision=revision),
    }
    return render(request, "sources/article_detail.html", context)
