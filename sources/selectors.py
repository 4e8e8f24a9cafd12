"""Reads of the sources app: due feeds, known articles, duplicate candidates, runs and their progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import hooks
from sources.canonical import url_host
from sources.dedup import text_hash
from sources.enums import ArticleStatus, IngestionKind, IngestionStatus, ItemStatus
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun, Outlet

NEAR_CANDIDATES = 20


def feed_list_due(*, now: datetime) -> QuerySet[Feed]:
    """Active feeds whose next poll time has come (or was never set), the most overdue first."""
    return (
        Feed.objects.filter(is_active=True)
        .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
        .order_by("next_poll_at", "pk")
    )


def feed_list_unhealthy() -> QuerySet[Feed]:
    """Feeds that failed their last poll, flagged ones first: the health panel."""
    return (
        Feed.objects.filter(consecutive_failures__gt=0).select_related("outlet")
        .order_by("-is_flagged", "-consecutive_failures", "pk")
    )


def article_find_known(*, canonical_url: str) -> Article | None:
    """The article a canonical URL stands for: its own, or the one an earlier fetch of that URL led to
    (a feed link whose page declares another canonical URL, a redirect)."""
    article = Article.objects.filter(canonical_url=canonical_url).first()
    if article is not None:
        return article
    item = (
        IngestionItem.objects.filter(canonical_url=canonical_url, article__isnull=False)
        .select_related("article").order_by("-pk").first()
    )
    if item is None:
        item = (
            IngestionItem.objects.filter(url=canonical_url, article__isnull=False)
            .select_related("article").order_by("-pk").first()
        )
    return item.article if item else None


def article_list_to_refetch(*, outlet: Outlet, now: datetime, limit: int) -> list[Article]:
    """The outlet's articles due to be fetched again for edits, least recently fetched first, at most `limit`:
    published (or, undated, first seen) in the last `outlet.refetch_days` days, not fetched in the last
    `outlet.refetch_every_minutes`, stored and not a duplicate, with no fetch of theirs waiting in the queue."""
    if outlet.refetch_days == 0 or limit <= 0:
        return []
    pending = IngestionItem.objects.filter(canonical_url=OuterRef("canonical_url"), status=ItemStatus.PENDING)
    return list(
        Article.objects.alias(seen=Coalesce("published_at", "created_at"))
        .filter(
            outlet=outlet, seen__gte=now - timedelta(days=outlet.refetch_days),
            last_fetched_at__lte=now - timedelta(minutes=outlet.refetch_every_minutes),
            status__in=(ArticleStatus.FETCHED, ArticleStatus.ANALYSED),
        )
        .filter(~Exists(pending))
        .order_by("last_fetched_at", "pk")[:limit]
    )


def feed_find(*, url: str) -> Feed | None:
    return Feed.objects.select_related("outlet").filter(url=url).first()


def article_fetched_at_among(*, canonical_urls: list[str]) -> dict[str, datetime | None]:
    """For each of the URLs that stands for a known article (as article_find_known decides, in three queries for
    all of them), when that article was last fetched."""
    found: dict[str, datetime | None] = dict(
        Article.objects.filter(canonical_url__in=canonical_urls).values_list("canonical_url", "last_fetched_at")
    )
    for column in ("canonical_url", "url"):
        rest = [u for u in canonical_urls if u not in found]
        if not rest:
            break
        rows = (
            IngestionItem.objects.filter(**{f"{column}__in": rest}, article__isnull=False)
            .order_by(column, "-pk").distinct(column).values_list(column, "article__last_fetched_at")
        )
        found.update(rows)
    return found


def ingestion_items_pending_among(*, canonical_urls: list[str]) -> set[str]:
    return set(
        IngestionItem.objects.filter(canonical_url__in=canonical_urls, status=ItemStatus.PENDING)
        .values_list("canonical_url", flat=True)
    )


def ingestion_item_pending_exists(*, canonical_url: str) -> bool:
    return IngestionItem.objects.filter(canonical_url=canonical_url, status=ItemStatus.PENDING).exists()


def outlet_for_url(*, url: str) -> Outlet | None:
    """The outlet whose domain is the URL's host or a parent of it (news.example.com -> example.com)."""
    host = url_host(url)
    labels = host.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if not candidates:
        return None
    outlets = {o.domain.lower(): o for o in Outlet.objects.filter(domain__in=candidates)}
    for candidate in candidates:
        if candidate in outlets:
            return outlets[candidate]
    return None


def revision_near_candidates(*, bands: list[int], exclude_article_id: int) -> QuerySet[ArticleRevision]:
    """Revisions of other, non-duplicate articles that share a MinHash band with `bands`, those sharing the most
    bands first (the likeliest near copies), then the oldest article's: at most NEAR_CANDIDATES.

    The bands are looked up in RevisionBand's primary key (one btree probe a band), so the check reads the few
    revisions that share a band, however many are stored."""
    return (
        ArticleRevision.objects.filter(bands__key__in=bands)
        .exclude(article_id=exclude_article_id)
        .exclude(article__status=ArticleStatus.DUPLICATE)
        .annotate(shared=Count("bands"))
        .select_related("article")
        .order_by("-shared", "article__created_at", "pk")[:NEAR_CANDIDATES]
    )


def ingestion_run_list(*, feed: Feed | None = None) -> QuerySet[IngestionRun]:
    runs = IngestionRun.objects.select_related("feed", "submitted_by")
    return runs.filter(feed=feed) if feed is not None else runs


def ingestion_item_list(*, run: IngestionRun) -> QuerySet[IngestionItem]:
    return run.items.select_related("article", "revision").defer("revision__text", "revision__raw_html",
                                                                 "revision__lsh_bands").order_by("pk")


# How long after a run finished its page keeps polling for the analysis of its texts: a text still waiting after
# that is stuck (its task failed; the sources page lists task failures), not slow.
ANALYSIS_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class RunStages:
    """A run's progress through the pipeline, stage by stage, with counts."""

    found: int  # entries or addresses seen
    fetched: int  # items finished (new, new revision, unchanged, duplicate or failed)
    failed: int
    extracted: int  # texts extracted and stored (new articles and new revisions)
    analysed: int  # of those, the texts the analysis is done with
    statements: int  # statements found in the run's articles (rejected and withdrawn ones left out)

    @property
    def waiting_for_analysis(self) -> int:
        return self.extracted - self.analysed


def ingestion_run_stages(*, run: IngestionRun, items: list[IngestionItem]) -> RunStages:
    """Fetch, extraction and analysis of a run's items, counted from the items (ingestion_item_list, with their
    revisions) and one query for the statements of their articles."""
    extracted = [i for i in items if i.status in (ItemStatus.NEW, ItemStatus.UPDATED) and i.revision_id]
    article_ids = {i.article_id for i in extracted}
    statements = 0
    if article_ids:
        statements = sum(
            Article.objects.filter(pk__in=article_ids).annotate(n=hooks.article_statement_count())
            .values_list("n", flat=True)
        )
    return RunStages(
        found=max(run.found, len(items)),
        fetched=sum(1 for i in items if i.status != ItemStatus.PENDING),
        failed=sum(1 for i in items if i.status == ItemStatus.FAILED),
        extracted=len(extracted),
        analysed=sum(1 for i in extracted if i.revision.analysed_at is not None),
        statements=statements,
    )


def ingestion_run_still_moving(*, run: IngestionRun, stages: RunStages, now: datetime | None = None) -> bool:
    """Whether the run's page should keep reloading: the run is running, or its texts wait for the analysis and
    the run finished less than ANALYSIS_WAIT ago."""
    if run.status == IngestionStatus.RUNNING:
        return True
    now = now or timezone.now()
    return bool(stages.waiting_for_analysis) and run.finished_at is not None and now - run.finished_at < ANALYSIS_WAIT


def article_revision_find_by_text(*, text: str) -> ArticleRevision | None:
    """A stored revision with exactly this text (by its hash), with its article."""
    return ArticleRevision.objects.filter(text_hash=text_hash(text)).select_related("article").first()


def article_revisions(*, article: Article) -> QuerySet[ArticleRevision]:
    """An article's revisions, oldest first, without the stored pages (which can be large)."""
    return article.revisions.defer("raw_html", "lsh_bands").order_by("number")


def article_revision_get(*, article: Article, number: int | None = None) -> ArticleRevision:
    """Revision `number` of the article, or its latest; raises ArticleRevision.DoesNotExist."""
    revisions = article_revisions(article=article)
    if number is None:
        revision = revisions.order_by("-number").first()
        if revision is None:
            raise ArticleRevision.DoesNotExist(f"article {article.pk} has no revision")
        return revision
    return revisions.get(number=number)


def article_get(*, pk: int) -> Article:
    """One article with its outlet, feed and original (if a duplicate); raises Article.DoesNotExist."""
    return Article.objects.select_related("outlet", "feed", "duplicate_of").get(pk=pk)


def article_search(*, q: str = "", status: str = "") -> QuerySet[Article]:
    """Articles, newest first, by status and by words in the title, URL or any revision's text."""
    articles = Article.objects.select_related("outlet")
    if status:
        articles = articles.filter(status=status)
    if q:
        matching = ArticleRevision.objects.filter(text__search=q).values("article_id")
        articles = articles.filter(
            Q(title__icontains=q) | Q(canonical_url__icontains=q) | Q(pk__in=matching)
        )
    return articles.order_by("-published_at", "-pk")


def ingestion_health() -> dict:
    """The dashboard's ingestion panel: feed health, articles by status, the latest runs."""
    feeds = Feed.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(is_active=True)),
        paused=Count("pk", filter=Q(is_active=False)),
        failing=Count("pk", filter=Q(consecutive_failures__gt=0)),
        flagged=Count("pk", filter=Q(is_flagged=True)),
        last_success_at=Max("last_success_at"),
    )
    # Exact, from the tallies the database keeps by triggers, rather than grouping every article (docs/architecture.md).
    by_status = hooks.tally_counts(names=tuple(f"articles:{status}" for status in ArticleStatus.values))
    health = {
        "feeds": feeds,
        "articles": {status: by_status.get(f"articles:{status}", 0) for status in ArticleStatus.values},
        "unhealthy_feeds": list(feed_list_unhealthy()[:5]),
        "recent_runs": list(IngestionRun.objects.select_related("feed")[:5]),
        "running_runs": IngestionRun.objects.filter(status=IngestionStatus.RUNNING).count(),
        "failed_items_24h": IngestionItem.objects.filter(
            status=ItemStatus.FAILED, finished_at__gte=_hours_ago(24)
        ).count(),
        # A feed that could not be read failed a fetch too: without these the tile said "no failed fetches" while
        # the feeds' list showed failures.
        "failed_polls_24h": IngestionRun.objects.filter(
            kind=IngestionKind.FEED_POLL, status=IngestionStatus.FAILED, finished_at__gte=_hours_ago(24)
        ).count(),
    }
    health["failed_fetches_24h"] = health["failed_items_24h"] + health["failed_polls_24h"]
    return health


def _hours_ago(hours: int) -> datetime:
    return timezone.now() - timedelta(hours=hours)


# --- Reads for the analysts' pages (sources/views.py) -------------------------------------------


def article_statement_count() -> Coalesce:
    """How many statements (rejected and withdrawn ones left out) an article holds, as a per-row expression (from
    claims)."""
    return hooks.article_statement_count()


def article_revision_statements(*, revision: ArticleRevision) -> QuerySet:
    """The statements found in a revision, in text order, for the article reader, which pages them (from claims)."""
    return hooks.revision_statements(revision=revision)


def article_list_for_page(*, q: str = "", status: str = "") -> QuerySet[Article]:
    """article_search with how many statements (rejected and withdrawn ones left out) each article holds."""
    return article_search(q=q, status=status).annotate(statement_count=article_statement_count())


def outlet_list_with_feeds() -> QuerySet[Outlet]:
    """Outlets by name with their feeds (one more query per page); outlet_article_counts adds the counts."""
    return Outlet.objects.prefetch_related("feeds").order_by("name", "pk")


def outlet_article_counts(outlets) -> list[Outlet]:
    """Set `article_count` on a page of outlets, in one query grouped over those outlets only.

    Counting for every outlet costs more than the page, and a per-row subquery is evaluated for the rows an
    OFFSET skips too.
    """
    outlets = list(outlets)
    counts = dict(
        Article.objects.filter(outlet__in=[o.pk for o in outlets]).order_by().values_list("outlet")
        .annotate(n=Count("pk")).values_list("outlet", "n")
    )
    for outlet in outlets:
        outlet.article_count = counts.get(outlet.pk, 0)
    return outlets


def ingestion_run_get(*, pk: int) -> IngestionRun:
    return IngestionRun.objects.select_related("feed__outlet", "submitted_by").get(pk=pk)


def feed_get(*, pk: int) -> Feed:
    return Feed.objects.select_related("outlet").get(pk=pk)
