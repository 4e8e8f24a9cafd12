"""Outlets, their feeds, the articles they publish and each article's extracted revisions."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower

from sources.enums import ArticleStatus, IngestionKind, IngestionStatus, ItemSource, ItemStatus


class Outlet(models.Model):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, help_text="Registered domain, lower case, without www.")
    country = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 code, e.g. en, ru, hy.")
    # Outlets correct and extend their stories after publication, and most feeds do not say so: each poll of an
    # outlet's feed also fetches again a few of its recent articles (services.feed_poll, docs/ingestion.md).
    # db_default too: bulk loaders (tools.synthetic's COPY) name the columns they fill.
    refetch_days = models.PositiveSmallIntegerField(
        default=2, db_default=2,
        help_text="Articles published in the last this many days are fetched again for edits; 0: never.",
    )
    refetch_every_minutes = models.PositiveIntegerField(
        default=60, db_default=60,
        help_text="How long after its last fetch a recent article is fetched again (at a feed poll).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="outlet_domain_unique_ci"),
            models.UniqueConstraint(fields=["name"], name="outlet_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Feed(models.Model):
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=300, blank=True)
    poll_interval_minutes = models.PositiveIntegerField(default=15)
    is_active = models.BooleanField(default=True, help_text="Paused feeds are not polled.")
    # Conditional GET: sent back to the server so an unchanged feed costs a 304.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    is_flagged = models.BooleanField(
        default=False, help_text="Failed too many times in a row; polled rarely until someone looks at it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet__name", "url"]
        constraints = [
            models.CheckConstraint(condition=Q(poll_interval_minutes__gte=1), name="feed_poll_interval_positive"),
        ]
        indexes = [
            # beat asks every minute for the active feeds that are due.
            models.Index(fields=["next_poll_at"], condition=Q(is_active=True), name="feed_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Article(models.Model):
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles", null=True, blank=True)
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, related_name="articles", null=True, blank=True)
    url = models.URLField(max_length=2000, help_text="The address the article was first seen at.")
    canonical_url = models.URLField(max_length=2000, unique=True)
    external_id = models.CharField(
        max_length=200, blank=True, help_text="Identifier from an imported annotation or a newsroom system."
    )
    title = models.CharField(max_length=1000, blank=True)
    dateline = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.QUEUED)
    error = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True, help_text="Last fetch, changed or not.")
    # The page's validators from its last fetch: a re-fetch sends them back, and an unchanged page costs a 304.
    etag = models.CharField(max_length=500, blank=True, db_default="")
    last_modified = models.CharField(max_length=100, blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="article_external_id_unique"
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=F("id")), name="article_not_duplicate_of_itself"),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="article_duplicate_points_at_original",
            ),
        ]
        indexes = [
            # outlet pages and the outlet filter list an outlet's newest articles first.
            models.Index(fields=["outlet", "-published_at"], name="article_outlet_published_idx"),
            # article lists and date-range filters across all outlets.
            models.Index(fields=["-published_at"], name="article_published_idx"),
            # the pipeline and the health panel look for queued and failed articles.
            models.Index(fields=["status"], name="article_status_idx"),
            # the API's list order (and cursor): newest first by date, an undated article by when we saw it.
            models.Index(Coalesce("published_at", "created_at").desc(), F("id").desc(), name="article_seen_idx"),
            # a feed poll's re-fetch of the outlet's recent articles (selectors.article_list_to_refetch).
            models.Index(F("outlet"), Coalesce("published_at", "created_at").desc(), name="article_outlet_seen_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.dateline or self.canonical_url


class ArticleRevision(models.Model):
    """The article's text as extracted at one fetch; statements point into exactly one revision."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the text, hex.")
    raw_html = models.BinaryField(null=True, blank=True, help_text="The fetched page, zlib-compressed.")
    # What extraction found besides the text (title, byline, published, language, final URL, charset...),
    # kept per revision so that an edited headline or byline is not lost.
    metadata = models.JSONField(default=dict, blank=True)
    # MinHash LSH band keys of the text's word shingles: revisions sharing a band are near-duplicate candidates,
    # found through RevisionBand (one row per key, kept from this column by a trigger).
    lsh_bands = ArrayField(models.BigIntegerField(), default=list, blank=True)
    fetched_at = models.DateTimeField()
    # When the language analysis was done with this text (claims.linking.revision_analyse), or found a later
    # revision of the article to analyse instead: the run pages count what is still waiting for it.
    analysed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
            # A re-fetch with unchanged text adds nothing.
            models.UniqueConstraint(fields=["article", "text_hash"], name="revision_text_unique_per_article"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(condition=Q(text_hash__regex=r"^[0-9a-f]{64}$"), name="revision_hash_is_sha256"),
        ]
        indexes = [
            # exact-duplicate detection: the same text under another URL.
            models.Index(fields=["text_hash"], name="revision_text_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article} (revision {self.number})"


class RevisionBand(models.Model):
    """One MinHash LSH band key of a revision's text: the near-duplicate check's index.

    Kept from ArticleRevision.lsh_bands by triggers (claims/sql/revision_bands.sql: every write path, bulk loads
    included; deleting a revision deletes its rows). The check looks up a new text's 16 keys in the primary key's
    btree, an equality PostgreSQL estimates from the keys' statistics, instead of an `&&` over the revisions' array
    column, whose estimate is a fixed share of the table: at a million revisions that guess chose a sequential scan
    of every revision.
    """

    pk = models.CompositePrimaryKey("key", "revision")
    key = models.BigIntegerField()
    revision = models.ForeignKey(ArticleRevision, on_delete=models.CASCADE, related_name="bands")

    def __str__(self) -> str:
        return f"band {self.key} of {self.revision_id}"


class IngestionRun(models.Model):
    """One feed poll, URL batch or manual intake, with its progress; its items say what happened to each URL."""

    kind = models.CharField(max_length=16, choices=IngestionKind.choices)
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ingestion_runs"
    )
    status = models.CharField(max_length=16, choices=IngestionStatus.choices, default=IngestionStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Counts over the run's items, recomputed whenever an item finishes (see ingestion_run_refresh).
    found = models.PositiveIntegerField(default=0, help_text="Entries or URLs seen.")
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0, help_text="Known articles whose text changed.")
    duplicate = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    deferred = models.PositiveIntegerField(
        default=0, help_text="New feed entries left for the next polls (more than one poll takes)."
    )
    error = models.TextField(blank=True, help_text="Why the run as a whole failed, e.g. the feed could not be read.")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=IngestionStatus.RUNNING, finished_at__isnull=True)
                | (~Q(status=IngestionStatus.RUNNING) & Q(finished_at__isnull=False)),
                name="ingestion_run_finished_when_not_running",
            ),
        ]
        indexes = [
            # the feed page lists a feed's latest runs.
            models.Index(fields=["feed", "-started_at"], name="ingestion_run_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class IngestionItem(models.Model):
    """One URL (or uploaded page, or pasted text) in a run: its outcome and, if it failed, the readable error."""

    run = models.ForeignKey(IngestionRun, on_delete=models.CASCADE, related_name="items")
    source = models.CharField(max_length=8, choices=ItemSource.choices, default=ItemSource.URL)
    url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    # What the feed entry said (title, published, guid), used where the page itself says nothing.
    hints = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revision = models.ForeignKey(ArticleRevision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        indexes = [
            # a URL seen before under this canonical form maps to its article without a fetch.
            models.Index(fields=["canonical_url"], name="ingestion_item_canonical_idx"),
            # a run's progress counts its items by status.
            models.Index(fields=["run", "status"], name="ingestion_item_run_status_idx"),
        ]

    def __str__(self) -> str:
        return self.url or f"{self.get_source_display()} #{self.pk}"
