"""Admin for outlets, feeds, articles, revisions and ingestion runs; actions call the ingestion services."""

import difflib

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.html import format_html

from sources import services
from sources.forms import FeedAdminForm
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun, Outlet


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "country", "language", "refetch_days", "refetch_every_minutes"]
    search_fields = ["name", "domain"]
    list_filter = ["country", "language"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    form = FeedAdminForm
    list_display = [
        "__str__", "outlet", "is_active", "is_flagged", "poll_interval_minutes", "last_success_at",
        "consecutive_failures", "next_poll_at",
    ]
    list_filter = ["is_active", "is_flagged", "outlet"]
    search_fields = ["url", "title", "outlet__name"]
    readonly_fields = [
        "etag", "last_modified", "last_polled_at", "last_success_at", "next_poll_at", "consecutive_failures",
        "is_flagged", "last_error",
    ]
    actions = ["poll_now", "pause", "resume"]

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset: QuerySet[Feed]) -> None:
        for feed in queryset:
            services.feed_poll_soon(feed=feed)
        self.message_user(request, f"{queryset.count()} feed(s) queued for polling.", messages.SUCCESS)

    @admin.action(description="Pause")
    def pause(self, request, queryset: QuerySet[Feed]) -> None:
        for feed in queryset:
            services.feed_pause(feed=feed)
        self.message_user(request, f"{queryset.count()} feed(s) paused.", messages.SUCCESS)

    @admin.action(description="Resume (and clear the failure flag)")
    def resume(self, request, queryset: QuerySet[Feed]) -> None:
        for feed in queryset:
            services.feed_resume(feed=feed)
        self.message_user(request, f"{queryset.count()} feed(s) resumed.", messages.SUCCESS)


class ArticleRevisionInline(admin.StackedInline):
    model = ArticleRevision
    fields = ["number", "fetched_at", "extracted", "changes", "text_hash", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw_html", "lsh_bands")

    @admin.display(description="Extracted")
    def extracted(self, revision: ArticleRevision) -> str:
        meta = revision.metadata or {}
        parts = [f"{key}: {meta[key]}" for key in ("title", "byline", "published_at", "language", "final_url",
                                                   "charset") if meta.get(key)]
        return " · ".join(parts) or "—"

    @admin.display(description="Changes from the previous revision")
    def changes(self, revision: ArticleRevision) -> str:
        previous = (
            ArticleRevision.objects.filter(article_id=revision.article_id, number__lt=revision.number)
            .order_by("-number").only("text").first()
        )
        if previous is None:
            return "first revision"
        diff = difflib.unified_diff(
            previous.text.splitlines(), revision.text.splitlines(), f"revision {previous.number}",
            f"revision {revision.number}", lineterm="", n=0,
        )
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", "\n".join(diff))


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "outlet", "published_at", "status", "duplicate_of"]
    list_filter = ["status", "outlet", "language"]
    search_fields = ["title", "canonical_url", "byline", "external_id"]
    date_hierarchy = "published_at"
    raw_id_fields = ["duplicate_of", "feed"]
    readonly_fields = ["last_fetched_at", "created_at", "updated_at"]
    inlines = [ArticleRevisionInline]
    actions = ["refetch", "reextract"]

    @admin.action(description="Fetch again (a changed text becomes a new revision)")
    def refetch(self, request, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.article_refetch(article=article, submitted_by=request.user)
        self.message_user(request, f"{queryset.count()} article(s) queued for fetching.", messages.SUCCESS)

    @admin.action(description="Extract again from the stored page")
    def reextract(self, request, queryset: QuerySet[Article]) -> None:
        added = 0
        for article in queryset:
            try:
                added += services.article_reextract(article=article) is not None
            except ValidationError as exc:
                self.message_user(request, f"{article}: {exc.messages[0]}", messages.WARNING)
        self.message_user(request, f"{added} new revision(s) from re-extraction.", messages.SUCCESS)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "fetched_at", "text_hash"]
    search_fields = ["article__title", "text_hash"]
    list_filter = ["fetched_at"]
    raw_id_fields = ["article"]
    exclude = ["raw_html", "lsh_bands"]


class IngestionItemInline(admin.TabularInline):
    model = IngestionItem
    fields = ["source", "url", "status", "article", "error", "attempts", "finished_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "feed", "status", "started_at", "found", "new", "updated", "duplicate", "failed"]
    list_filter = ["kind", "status"]
    readonly_fields = [
        "kind", "feed", "submitted_by", "status", "started_at", "finished_at", "found", "new", "updated",
        "duplicate", "failed", "error",
    ]
    inlines = [IngestionItemInline]
