"""Every write of the ingestion pipeline: feeds, polls, fetch-extract-store, dedup, revisions and runs.

The pipeline for one URL (ingestion_item_process):
    url_fetch (SSRF-checked, capped) -> body_decode -> html_extract (trafilatura)
    -> canonical URL (rel=canonical within the same site) -> article_store:
       one Article per canonical URL (the unique constraint settles races),
       a new ArticleRevision only when the text changed,
       exact (SHA-256) and near (MinHash LSH + shingle Jaccard) duplicates linked with duplicate_of,
    -> revision_hand_to_analysis after commit, for new text of non-duplicate articles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from core import hooks
from core.stages import pipeline_stage
from core.urlguard import url_refusal
from sources import selectors
from sources.canonical import InvalidUrl, url_canonical_from_page, url_canonicalize
from sources.dedup import shingles_containment, text_hash, text_lsh_bands, text_shingles, text_words
from sources.enums import ArticleStatus, IngestionKind, IngestionStatus, ItemSource, ItemStatus
from sources.extraction import Extracted, html_compress, html_decompress, html_extract, text_dateline, text_language
from sources.feeds import FeedError, feed_parse
from sources.fetching import FetchError, body_decode, url_fetch
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun, Outlet

logger = logging.getLogger(__name__)

# Pasted text with no address gets a URL under a reserved TLD (RFC 2606) that can never be fetched.
MANUAL_TEXT_BASE = "https://manual.invalid/text/"
# A page whose extracted text is shorter than this holds no article (pasted text is taken as it is).
MIN_ARTICLE_WORDS = 15
MAX_URL_LENGTH = 2000  # the URL columns' length
# Well past an item's retries (30+60+120+240 s of backoff and five 150 s time limits): the task was lost.
STALE_ITEM_MINUTES = 60


class NoArticleText(Exception):
    """Extraction found no article text on the page."""


# --- The hand-off to language analysis -------------------------------------------------------------


@pipeline_stage("hand-over")
def revision_hand_to_analysis(*, revision_id: int) -> bool:
    """The one hand-off from ingestion to language analysis (core.hooks.revision_analyse, filled by claims).

    Called once for each new revision of a non-duplicate article, after the transaction that stored it
    has committed. Raises core.hooks.HookNotRegistered if no app has registered the analysis, rather than
    letting articles pile up unanalysed. Returns True once the analysis is enqueued.
    """
    hooks.revision_analyse(revision_id=revision_id)
    return True


# --- Feeds -------------------------------------------------------------------------------------------


def _feed_taken(feed: Feed) -> str:
    return f"This address is already a feed: {feed} (feed {feed.pk}, of {feed.outlet.name})."


def outlet_domain_of(url: str) -> str:
    """The registered domain an outlet is known by, from one of its addresses: lower case, without "www."."""
    from urllib.parse import urlsplit

    host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    return host.removeprefix("www.")


def outlet_create(*, name: str, domain: str, country: str = "", language: str = "") -> Outlet:
    """A new outlet. Refuses, naming the outlet that has it, a name or a domain another outlet already has (the
    unique constraints, domain ignoring case)."""
    name, domain = " ".join(name.split()), domain.strip().lower().removeprefix("www.")
    if not name:
        raise ValidationError("a new outlet needs a name", code="outlet")
    if not domain:
        raise ValidationError("a new outlet needs its domain, e.g. example.com", code="outlet")
    taken = Outlet.objects.filter(Q(name__iexact=name) | Q(domain__iexact=domain)).first()
    if taken is not None:
        raise ValidationError(
            f"the outlet {taken.name} ({taken.domain}) already exists: choose it in the list instead", code="outlet"
        )
    return Outlet.objects.create(name=name, domain=domain, country=country.strip(), language=language.strip())


def feed_create_with_outlet(
    *, outlet_name: str, outlet_domain: str = "", url: str, title: str = "", poll_interval_minutes: int = 15,
) -> Feed:
    """Add a feed of a new outlet, both in one transaction: a feed refused leaves no outlet behind. The outlet's
    domain defaults to the feed's host without "www."."""
    with transaction.atomic():
        outlet = outlet_create(name=outlet_name, domain=outlet_domain or outlet_domain_of(url))
        return feed_create(outlet=outlet, url=url, title=title, poll_interval_minutes=poll_interval_minutes)


def feed_create(*, outlet: Outlet, url: str, title: str = "", poll_interval_minutes: int = 15) -> Feed:
    """Add a feed, polled at the next beat. Refuses what the fetch would refuse (the SSRF guard's message)
    and an address that is already a feed (naming that feed)."""
    url = url.strip()
    _checked_url(url)
    if poll_interval_minutes < 1:
        raise ValidationError("the poll interval must be at least one minute")
    existing = selectors.feed_find(url=url)
    if existing is not None:
        raise ValidationError(_feed_taken(existing))
    try:
        with transaction.atomic():
            return Feed.objects.create(
                outlet=outlet, url=url, title=title, poll_interval_minutes=poll_interval_minutes,
                next_poll_at=timezone.now(),
            )
    except IntegrityError:
        existing = selectors.feed_find(url=url)  # added by someone else since the check above
        if existing is None:
            raise
        raise ValidationError(_feed_taken(existing)) from None


def feed_pause(*, feed: Feed) -> Feed:
    feed.is_active = False
    feed.save(update_fields=["is_active"])
    return feed


def feed_resume(*, feed: Feed) -> Feed:
    """Resume a paused or flagged feed: it is polled at the next beat, with a clean failure count."""
    feed.is_active, feed.is_flagged, feed.consecutive_failures = True, False, 0
    feed.next_poll_at = timezone.now()
    feed.save(update_fields=["is_active", "is_flagged", "consecutive_failures", "next_poll_at"])
    return feed


def feed_poll_soon(*, feed: Feed) -> None:
    """"Poll now": enqueue a poll of this feed once the current transaction commits."""
    from sources.tasks import poll_feed

    feed_id = feed.pk
    transaction.on_commit(lambda: poll_feed.delay(feed_id=feed_id))


def feeds_enqueue_due(*, now: datetime | None = None) -> int:
    """Enqueue a poll for every active feed that is due; returns how many. Run by beat every minute.

    The next poll time is pushed forward here, under SKIP LOCKED, so that a slow worker or two beats
    never enqueue the same feed twice; the poll itself sets the real next time when it finishes.
    """
    from sources.tasks import poll_feed

    now = now or timezone.now()
    with transaction.atomic():
        due = list(selectors.feed_list_due(now=now).select_for_update(skip_locked=True))
        for feed in due:
            feed.next_poll_at = now + timedelta(minutes=feed.poll_interval_minutes)
            feed.save(update_fields=["next_poll_at"])
            transaction.on_commit(lambda feed_id=feed.pk: poll_feed.delay(feed_id=feed_id))
    return len(due)


def _feed_backoff(feed: Feed, failures: int) -> timedelta:
    minutes = min(feed.poll_interval_minutes * 2**failures, settings.INGEST_FEED_MAX_BACKOFF_MINUTES)
    return timedelta(minutes=minutes)


def _feed_record_failure(*, feed: Feed, run: IngestionRun, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed.pk)
        feed.consecutive_failures += 1
        feed.last_polled_at = now
        feed.last_error = error
        feed.next_poll_at = now + _feed_backoff(feed, feed.consecutive_failures)
        feed.is_flagged = feed.consecutive_failures >= settings.INGEST_FEED_FLAG_AFTER
        feed.save(update_fields=["consecutive_failures", "last_polled_at", "last_error", "next_poll_at", "is_flagged"])
        IngestionRun.objects.filter(pk=run.pk).update(status=IngestionStatus.FAILED, error=error, finished_at=now)
    logger.warning("feed %s failed (%d in a row): %s", feed.url, feed.consecutive_failures, error)


def _feed_record_success(
    *, feed: Feed, etag: str | None, last_modified: str | None, title: str = "", next_poll_minutes: int | None = None
) -> None:
    now = timezone.now()
    feed.last_polled_at = feed.last_success_at = now
    feed.consecutive_failures, feed.last_error, feed.is_flagged = 0, "", False
    feed.next_poll_at = now + timedelta(minutes=min(next_poll_minutes or feed.poll_interval_minutes,
                                                    feed.poll_interval_minutes))
    if etag is not None:
        feed.etag = etag[:500]
    if last_modified is not None:
        feed.last_modified = last_modified[:100]
    if title and not feed.title:
        feed.title = title[:300]
    feed.save(update_fields=[
        "last_polled_at", "last_success_at", "consecutive_failures", "last_error", "is_flagged", "next_poll_at",
        "etag", "last_modified", "title",
    ])


def feed_poll(*, feed: Feed, inline: bool = False) -> IngestionRun:
    """Poll one feed: conditional GET, parse, and an IngestionItem for every entry not ingested yet.

    Items are processed by `sources.ingest_item` tasks queued on commit, or right here when `inline`
    (management commands, the demo). A failure of the feed itself (network, HTTP status, not a feed)
    fails the run with a readable error, counts against the feed's health and backs it off; it
    creates no items. Known entries are skipped unless the feed says they were updated since our
    last fetch, in which case they are fetched again (a new revision if the text changed).

    Most feeds never say that an article changed, so each successful poll also fetches again up to
    INGEST_REFETCH_PER_POLL of the outlet's recent articles that are due (selectors.article_list_to_refetch: the
    outlet's refetch_days and refetch_every_minutes), least recently fetched first, with the page's stored
    validators (If-None-Match / If-Modified-Since: an unchanged page costs a 304).
    """
    run = IngestionRun.objects.create(kind=IngestionKind.FEED_POLL, feed=feed)
    try:
        result = url_fetch(feed.url, kind="feed", etag=feed.etag, last_modified=feed.last_modified)
        parsed = None if result.not_modified else feed_parse(body=result.body, url=result.url,
                                                               content_type=result.headers.get("content-type", ""))
    except (FetchError, FeedError) as exc:
        _feed_record_failure(feed=feed, run=run, error=str(exc))
        run.refresh_from_db()
        return run
    except Exception as exc:
        # A bug or a time limit must not leave the run open for ever; the traceback goes to the log.
        logger.exception("polling feed %s crashed", feed.pk)
        _feed_record_failure(feed=feed, run=run, error=f"polling stopped: {type(exc).__name__}: {exc}")
        run.refresh_from_db()
        return run

    items: list[IngestionItem] = []
    with transaction.atomic():
        entries = parsed.entries if parsed else []
        candidates = _feed_candidates(entries)
        pending = selectors.ingestion_items_pending_among(canonical_urls=list(candidates))
        known = selectors.article_fetched_at_among(canonical_urls=list(candidates))
        deferred = 0
        for canonical, entry in candidates.items():
            if canonical in pending:
                continue  # an earlier poll's item for it is still in the queue
            if canonical in known and not _entry_updated_since(entry.updated_at, known[canonical]):
                continue
            if len(items) >= settings.INGEST_FEED_MAX_ENTRIES:
                deferred += 1  # left for the next polls, which come soon (below)
                continue
            items.append(IngestionItem(run=run, url=entry.link, canonical_url=canonical,
                                       hints={**entry.hints(), "refetch": canonical in known}))
        # Validators would make the next poll a 304 and hide the deferred entries: keep none while some wait.
        _feed_record_success(
            feed=feed, etag="" if deferred else result.headers.get("etag"),
            last_modified="" if deferred else result.headers.get("last-modified"),
            title=parsed.title if parsed else "",
            next_poll_minutes=settings.INGEST_FEED_BACKLOG_POLL_MINUTES if deferred else None,
        )
        queued = {item.canonical_url for item in items}
        for article in selectors.article_list_to_refetch(
            outlet=feed.outlet, now=timezone.now(), limit=settings.INGEST_REFETCH_PER_POLL
        ):
            if article.canonical_url not in queued:
                items.append(IngestionItem(run=run, url=article.url or article.canonical_url,
                                           canonical_url=article.canonical_url, hints={"refetch": True}))
        IngestionItem.objects.bulk_create(items)
        IngestionRun.objects.filter(pk=run.pk).update(found=len(entries), deferred=deferred)
        if deferred:
            logger.info("feed %s: %d new entries deferred to the next polls", feed.url, deferred)
        ingestion_run_refresh(run_id=run.pk)
        if not inline:
            _enqueue_items(items)
    if inline:
        for item in items:
            ingestion_item_process(item=item)
    run.refresh_from_db()
    return run


def _feed_candidates(entries: list) -> dict[str, object]:
    """The entries worth looking at, by canonical URL, newest first (published, else updated); undated entries
    after the dated ones, in the feed's order. Unusable links and repeats are dropped."""
    dated = [e for e in entries if e.published_at or e.updated_at]
    undated = [e for e in entries if not (e.published_at or e.updated_at)]
    dated.sort(key=lambda e: e.published_at or e.updated_at, reverse=True)
    candidates: dict[str, object] = {}
    for entry in [*dated, *undated]:
        try:
            canonical = url_canonicalize(entry.link)
        except InvalidUrl:
            continue
        if len(entry.link) > MAX_URL_LENGTH or len(canonical) > MAX_URL_LENGTH:
            continue
        candidates.setdefault(canonical, entry)
    return candidates


def _entry_updated_since(updated_at: datetime | None, fetched_at: datetime | None) -> bool:
    return updated_at is not None and fetched_at is not None and updated_at > fetched_at


def _enqueue_items(items: list[IngestionItem]) -> None:
    from sources.tasks import ingest_item

    for item in items:
        transaction.on_commit(lambda item_id=item.pk: ingest_item.delay(item_id=item_id))


# --- Runs --------------------------------------------------------------------------------------------


def ingestion_run_refresh(*, run_id: int) -> IngestionRun:
    """Recount a run from its items and finish it when none is pending.

    Counting from the items (instead of incrementing) makes this idempotent, and the row lock makes the
    last of several concurrent workers the one that sees zero pending items and closes the run.
    """
    with transaction.atomic():
        run = IngestionRun.objects.select_for_update().get(pk=run_id)
        counts = run.items.aggregate(
            total=Count("id"),
            pending=Count("id", filter=Q(status=ItemStatus.PENDING)),
            new=Count("id", filter=Q(status=ItemStatus.NEW)),
            updated=Count("id", filter=Q(status=ItemStatus.UPDATED)),
            duplicate=Count("id", filter=Q(status=ItemStatus.DUPLICATE)),
            failed=Count("id", filter=Q(status=ItemStatus.FAILED)),
        )
        run.new, run.updated, run.duplicate, run.failed = (
            counts["new"], counts["updated"], counts["duplicate"], counts["failed"]
        )
        if run.kind != IngestionKind.FEED_POLL:
            run.found = counts["total"]
        if counts["pending"] == 0 and run.status == IngestionStatus.RUNNING:
            if counts["failed"] == 0:
                run.status = IngestionStatus.SUCCEEDED
            elif counts["failed"] == counts["total"]:
                run.status = IngestionStatus.FAILED
            else:
                run.status = IngestionStatus.PARTIAL
            run.finished_at = timezone.now()
        run.save()
    return run


def ingestion_items_expire_stale(*, now: datetime | None = None) -> int:
    """Fail items still pending long after every retry would have ended (a lost task, a purged queue),
    so that their runs close and their URLs can be picked up by a later poll. Run by beat."""
    cutoff = (now or timezone.now()) - timedelta(minutes=STALE_ITEM_MINUTES)
    stale = list(IngestionItem.objects.filter(status=ItemStatus.PENDING, created_at__lt=cutoff)[:500])
    for item in stale:
        ingestion_item_fail(
            item=item, error=f"no worker finished this within {STALE_ITEM_MINUTES} minutes; it was given up"
        )
    return len(stale)


def ingestion_item_fail(*, item: IngestionItem, error: str) -> IngestionItem:
    """Record that an item failed, with a readable error; nothing else about it is stored."""
    with transaction.atomic():
        updated = IngestionItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
            status=ItemStatus.FAILED, error=error[:5000], finished_at=timezone.now()
        )
        if updated:
            ingestion_run_refresh(run_id=item.run_id)
    item.refresh_from_db()
    logger.info("ingestion item %s failed: %s", item.pk, error)
    return item


# --- Fetch, extract, store ---------------------------------------------------------------------------


def ingestion_item_process(*, item: IngestionItem, final_attempt: bool = True) -> IngestionItem:
    """Fetch, extract and store one URL item. Idempotent: an item that is no longer pending is left alone.

    A network error (timeout, refused connection, 5xx, 429) is re-raised when `final_attempt` is False so
    that the task can retry later; every other error, and any error on the final attempt, is recorded on
    the item and leaves no article or revision behind.
    """
    if item.status != ItemStatus.PENDING:
        return item
    IngestionItem.objects.filter(pk=item.pk).update(attempts=item.attempts + 1)
    try:
        # A scheduled re-fetch asks the server whether the page changed since, with the validators it gave then.
        known = selectors.article_find_known(canonical_url=item.canonical_url) if (item.hints or {}).get("refetch") \
            else None
        result = url_fetch(item.url, kind="html", etag=known.etag if known else "",
                           last_modified=known.last_modified if known else "")
        if result.not_modified and known is not None:
            return article_not_modified(item=item, article=known)
        html, charset = body_decode(result.body, declared=result.declared_charset)
        return _page_ingest(
            item=item, html=html, page_url=result.url, raw=result.body,
            extra={"final_url": result.url, "http_status": result.status, "charset": charset,
                   "content_type": result.content_type, "redirects": result.redirects},
            # A redirected fetch's validators belong to the page redirected to, not to the URL asked for.
            validators=None if result.redirects else (
                result.headers.get("etag", "")[:500], result.headers.get("last-modified", "")[:100]
            ),
        )
    except FetchError as exc:
        if exc.retryable and not final_attempt:
            raise
        return ingestion_item_fail(item=item, error=str(exc))
    except NoArticleText as exc:
        return ingestion_item_fail(item=item, error=str(exc))
    except (OperationalError, InterfaceError):
        # The database went away (a restart, a failover): nothing was stored (one transaction), and recording the
        # failure would fail too. The task tries again once it is back; the last attempt gives up below.
        if not final_attempt:
            raise
        logger.exception("ingestion item %s: the database could not be reached", item.pk)
        return ingestion_item_fail(item=item, error="ingestion stopped: the database could not be reached")
    except Exception as exc:
        # A bug or a time limit must not leave the item pending for ever; the traceback goes to the log.
        logger.exception("ingestion item %s crashed", item.pk)
        return ingestion_item_fail(item=item, error=f"ingestion stopped: {type(exc).__name__}: {exc}")


def _page_ingest(
    *, item: IngestionItem, html: str, page_url: str, raw: bytes | None, extra: dict, outlet: Outlet | None = None,
    validators: tuple[str, str] | None = None,
) -> IngestionItem:
    extracted = html_extract(html=html, url=page_url)
    if len(text_words(extracted.text)) < MIN_ARTICLE_WORDS:
        # a menu or a cookie notice is what trafilatura falls back to on a page with no article
        raise NoArticleText(f"no article text could be extracted from {page_url}")
    source_outlet = outlet or (item.run.feed.outlet if item.run.feed_id else None)
    canonical = url_canonical_from_page(
        page_url=page_url, declared=extracted.canonical_url, outlet_domain=source_outlet.domain if source_outlet else ""
    )
    return article_store(
        item=item, extracted=extracted, canonical_url=canonical, raw_html=raw, outlet=outlet,
        metadata={**extracted.metadata(), **extra}, validators=validators,
    )


def _outlet_for(*, item: IngestionItem, url: str) -> Outlet | None:
    if item.run.feed_id:
        return item.run.feed.outlet
    return selectors.outlet_for_url(url=url)


def _article_get_or_create(*, canonical_url: str, defaults: dict) -> tuple[Article, bool]:
    """One Article per canonical URL even when two workers insert at once: the unique index decides."""
    try:
        with transaction.atomic():  # a savepoint, so a lost race does not poison the outer transaction
            return Article.objects.create(canonical_url=canonical_url, **defaults), True
    except IntegrityError:
        existing = Article.objects.filter(canonical_url=canonical_url).first()
        if existing is None:
            raise  # some other constraint: not a race we know how to settle
        return existing, False


def _hint_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _published_at(*, page: datetime | None, feed: datetime | None, kept: datetime | None) -> datetime | None:
    """The page's publication time first; but a page that gives only the day (midnight) does not wipe the time
    the feed gave for that same day."""
    if page is None:
        return feed or kept
    date_only = (page.hour, page.minute, page.second, page.microsecond) == (0, 0, 0, 0)
    if date_only and feed is not None and feed.astimezone(page.tzinfo).date() == page.date():
        return feed
    return page


@dataclass
class _Original:
    article: Article
    how: str  # "exact" or "near (0.93)"


@pipeline_stage("dedup")
def _duplicate_find(*, article: Article, text: str, digest: str, bands: list[int]) -> _Original | None:
    """The earliest non-duplicate article with the same text, or near enough the same (same wire story)."""
    exact = (
        ArticleRevision.objects.filter(text_hash=digest)
        .exclude(article=article).exclude(article__status=ArticleStatus.DUPLICATE)
        .select_related("article").order_by("article__created_at", "article_id").first()
    )
    if exact is not None:
        return _Original(exact.article, "exact")
    if not bands:
        return None
    shingles = text_shingles(text)
    threshold = settings.INGEST_NEAR_DUPLICATE_PERCENT / 100
    best: tuple[float, Article] | None = None
    for candidate in selectors.revision_near_candidates(bands=bands, exclude_article_id=article.pk):
        score = shingles_containment(shingles, text_shingles(candidate.text))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, candidate.article)
    return _Original(best[1], f"near ({best[0]:.2f})") if best else None


@pipeline_stage("store")
def article_store(
    *, item: IngestionItem, extracted: Extracted, canonical_url: str, raw_html: bytes | None, metadata: dict,
    fetched_at: datetime | None = None, outlet: Outlet | None = None, validators: tuple[str, str] | None = None,
) -> IngestionItem:
    """Store an extraction as an article and/or a new revision, mark duplicates, and finish the item.

    Side effects, all in one transaction: the Article (created if its canonical URL is new; its title,
    byline, published date and language refreshed from the newest extraction; the page's (ETag, Last-Modified)
    `validators` when the fetch gave them, for the next re-fetch); an ArticleRevision
    numbered after the latest one if the text is new for this article; duplicate_of and status
    "duplicate" when a new article's text matches an existing article exactly or nearly; the item's
    outcome; the run's counts. After commit: revision_hand_to_analysis for new text of non-duplicates.
    """
    text = extracted.text
    digest = text_hash(text)
    bands = text_lsh_bands(text)
    fetched_at = fetched_at or timezone.now()
    hints = item.hints or {}
    with transaction.atomic():
        # Two pages with the same text are settled one after the other, so that one of them is the original.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])
        article, created = _article_get_or_create(canonical_url=canonical_url, defaults={
            "url": item.url or canonical_url,
            "outlet": outlet or _outlet_for(item=item, url=canonical_url),
            "feed": item.run.feed,
            "status": ArticleStatus.QUEUED,
        })
        article = Article.objects.select_for_update().get(pk=article.pk)
        latest = article.revisions.order_by("-number").first()
        revision = None
        if not article.revisions.filter(text_hash=digest).exists():
            revision = ArticleRevision.objects.create(
                article=article, number=(latest.number + 1) if latest else 1, text=text, text_hash=digest,
                raw_html=html_compress(raw_html) if raw_html else None, metadata=metadata, lsh_bands=bands,
                fetched_at=fetched_at,
            )
        # A text equal to an older revision (an edit that was undone) is already on record: nothing to add.
        article.title = extracted.title or hints.get("title") or article.title
        article.byline = extracted.byline or article.byline
        article.dateline = extracted.dateline or article.dateline
        article.language = extracted.language or article.language
        article.published_at = _published_at(
            page=extracted.published_at, feed=_hint_datetime(hints.get("published_at")), kept=article.published_at
        )
        article.last_fetched_at = fetched_at
        if validators is not None:
            article.etag, article.last_modified = validators
        article.error = ""
        outcome = ItemStatus.UNCHANGED
        if revision is not None:
            original = _duplicate_find(article=article, text=text, digest=digest, bands=bands) if created else None
            if original is not None:
                article.status, article.duplicate_of = ArticleStatus.DUPLICATE, original.article
                outcome = ItemStatus.DUPLICATE
                logger.info("article %s is a duplicate (%s) of %s", canonical_url, original.how, original.article)
            else:
                if article.status in (ArticleStatus.QUEUED, ArticleStatus.FAILED):
                    article.status = ArticleStatus.FETCHED
                outcome = ItemStatus.NEW if created else ItemStatus.UPDATED
        article.save()
        IngestionItem.objects.filter(pk=item.pk).update(
            status=outcome, article=article, revision=revision, canonical_url=canonical_url,
            error="", finished_at=timezone.now(),
        )
        ingestion_run_refresh(run_id=item.run_id)
        if revision is not None and article.status != ArticleStatus.DUPLICATE:
            transaction.on_commit(lambda revision_id=revision.pk: revision_hand_to_analysis(revision_id=revision_id))
    item.refresh_from_db()
    return item


def article_not_modified(*, item: IngestionItem, article: Article) -> IngestionItem:
    """A re-fetch the server answered with 304 Not Modified: the article was fetched, unchanged; the item is done."""
    now = timezone.now()
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(last_fetched_at=now)
        IngestionItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
            status=ItemStatus.UNCHANGED, article=article, canonical_url=article.canonical_url, error="",
            finished_at=now,
        )
        ingestion_run_refresh(run_id=item.run_id)
    item.refresh_from_db()
    return item


# --- Manual intake -----------------------------------------------------------------------------------


def _checked_url(url: str) -> str:
    """The canonical form of a submitted URL; refuses what is not a URL and what the SSRF guard never fetches."""
    if len(url.strip()) > MAX_URL_LENGTH:
        raise ValidationError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    refusal = url_refusal(url.strip())
    if refusal is not None:
        raise ValidationError(refusal)
    try:
        return url_canonicalize(url)
    except InvalidUrl as exc:
        raise ValidationError(str(exc)) from None


def article_create_with_text(
    *, url: str, text: str, external_id: str = "", title: str = "", dateline: str = "",
    published_at: datetime | None = None, language: str = "en", status: str = ArticleStatus.ANALYSED,
) -> ArticleRevision:
    """An article whose text comes from outside ingestion (a hand annotation), and its first revision.

    The revision's hash and near-duplicate bands are made as article_store makes them, so that a later fetch
    of the same page, or a near copy, finds it. Nothing is handed to the analysis: whoever brings the text
    brings its statements. Refuses a URL that already has an article.
    """
    if Article.objects.filter(canonical_url=url).exists():
        raise ValidationError(f"an article with the address {url!r} is already stored")
    with transaction.atomic():
        article = Article.objects.create(
            url=url, canonical_url=url, external_id=external_id, title=title, dateline=dateline,
            published_at=published_at, language=language, status=status,
        )
        return ArticleRevision.objects.create(
            article=article, number=1, text=text, text_hash=text_hash(text), lsh_bands=text_lsh_bands(text),
            fetched_at=timezone.now(),
        )


def article_submit_urls(
    *, urls: list[str], submitted_by=None, inline: bool = False, kind: str = IngestionKind.URL_BATCH
) -> IngestionRun:
    """Queue URLs for fetching; returns the run whose items show progress. Refuses non-http(s) URLs up front."""
    checked = [(url.strip(), _checked_url(url)) for url in urls if url.strip()]
    if not checked:
        raise ValidationError("no URL given")
    with transaction.atomic():
        run = IngestionRun.objects.create(kind=kind, submitted_by=submitted_by, found=len(checked))
        items = IngestionItem.objects.bulk_create(
            [IngestionItem(run=run, url=url, canonical_url=canonical) for url, canonical in checked]
        )
        if not inline:
            _enqueue_items(items)
    if inline:
        for item in items:
            item.run = run
            ingestion_item_process(item=item)
    run.refresh_from_db()
    return run


def article_submit_url(*, url: str, submitted_by=None, inline: bool = False) -> IngestionRun:
    """Queue one URL (the browser's and the API's "add article"). A known URL is fetched again for changes."""
    return article_submit_urls(urls=[url], submitted_by=submitted_by, inline=inline, kind=IngestionKind.MANUAL)


def article_submit_html(
    *, html: str | bytes, url: str, submitted_by=None, outlet: Outlet | None = None, title: str = ""
) -> IngestionRun:
    """Ingest a page saved by hand (a paywalled article): same extraction, identity and dedup, no fetch.

    `url` is the page's address, used for identity (with the page's rel=canonical). Runs synchronously.
    """
    canonical = _checked_url(url)
    raw = html.encode("utf-8") if isinstance(html, str) else html
    if len(raw) > settings.INGEST_MAX_BYTES:
        raise ValidationError(f"the file is over the limit of {settings.INGEST_MAX_BYTES:,} bytes")
    text, charset = body_decode(raw)
    with transaction.atomic():
        run = IngestionRun.objects.create(kind=IngestionKind.MANUAL, submitted_by=submitted_by, found=1)
        item = IngestionItem.objects.create(
            run=run, source=ItemSource.HTML, url=url.strip(), canonical_url=canonical, hints={"title": title},
            attempts=1,
        )
    try:
        _page_ingest(
            item=item, html=text, page_url=url.strip(), raw=raw, outlet=outlet,
            extra={"charset": charset, "source": "upload"},
        )
    except NoArticleText as exc:
        ingestion_item_fail(item=item, error=str(exc))
    run.refresh_from_db()
    return run


def article_submit_text(
    *, title: str, text: str, url: str = "", outlet: Outlet | None = None, published_at: datetime | None = None,
    byline: str = "", language: str = "", submitted_by=None,
) -> IngestionRun:
    """Ingest pasted article text as is (paragraphs separated by blank lines). Runs synchronously.

    With no `url` the article gets an address under manual.invalid derived from the text, so pasting the
    same text twice adds nothing. Dedup against fetched articles works as for any page.
    """
    body = "\n\n".join(
        "\n".join(line.strip() for line in block.strip().splitlines())
        for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()
    )
    if not body:
        raise ValidationError("the text is empty")
    canonical = _checked_url(url) if url.strip() else f"{MANUAL_TEXT_BASE}{text_hash(body)[:24]}"
    with transaction.atomic():
        run = IngestionRun.objects.create(kind=IngestionKind.MANUAL, submitted_by=submitted_by, found=1)
        item = IngestionItem.objects.create(
            run=run, source=ItemSource.TEXT, url=url.strip(), canonical_url=canonical, attempts=1,
            hints={"title": title, "published_at": published_at.isoformat() if published_at else None},
        )
        extracted = Extracted(
            text=body, title=title.strip(), byline=byline.strip(), published_at=published_at,
            language=language or text_language(body), dateline=text_dateline(body),
        )
        article_store(
            item=item, extracted=extracted, canonical_url=canonical, raw_html=None, outlet=outlet,
            metadata={**extracted.metadata(), "source": "pasted"},
        )
    run.refresh_from_db()
    return run


def article_refetch(*, article: Article, submitted_by=None, inline: bool = False) -> IngestionRun:
    """Fetch a known article again; a changed text becomes a new revision."""
    return article_submit_urls(
        urls=[article.url or article.canonical_url], submitted_by=submitted_by, inline=inline,
        kind=IngestionKind.MANUAL,
    )


def article_reextract(*, article: Article) -> ArticleRevision | None:
    """Run extraction again on the latest revision's stored page (say, after upgrading trafilatura).

    Adds a revision (same fetch time, same page) when the text comes out different; None otherwise.
    """
    source = article.revisions.exclude(raw_html=None).order_by("-number").first()
    if source is None:
        raise ValidationError("this article has no stored page to extract again")
    raw = html_decompress(source.raw_html)
    html, charset = body_decode(raw, declared=source.metadata.get("charset"))
    page_url = source.metadata.get("final_url") or article.url
    extracted = html_extract(html=html, url=page_url)
    if not extracted.text.strip():
        raise ValidationError("extraction found no article text on the stored page")
    with transaction.atomic():
        run = IngestionRun.objects.create(kind=IngestionKind.MANUAL, found=1)
        item = IngestionItem.objects.create(
            run=run, source=ItemSource.HTML, url=article.url, canonical_url=article.canonical_url, attempts=1
        )
        article_store(
            item=item, extracted=extracted, canonical_url=article.canonical_url, raw_html=raw,
            metadata={**source.metadata, **extracted.metadata(), "charset": charset, "reextracted_from": source.number},
            fetched_at=source.fetched_at,
        )
    item.refresh_from_db()
    return item.revision
