"""Admin for outlets, feeds, articles and revisions."""

from django.contrib import admin

from sources.models import Article, ArticleRevision, Feed, Outlet


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "country", "language"]
    search_fields = ["name", "domain"]
    list_filter = ["country", "language"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "outlet", "is_active", "poll_interval_minutes", "last_success_at", "consecutive_failures",
    ]
    list_filter = ["is_active", "outlet"]
    search_fields = ["url", "title", "outlet__name"]
    readonly_fields = [
        "etag", "last_modified", "last_polled_at", "last_success_at", "consecutive_failures", "last_error",
    ]


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ["number", "fetched_at", "text_hash", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "outlet", "published_at", "status"]
    list_filter = ["status", "outlet", "language"]
    search_fields = ["title", "canonical_url", "byline", "external_id"]
    date_hierarchy = "published_at"
    raw_id_fields = ["duplicate_of", "feed"]
    inlines = [ArticleRevisionInline]


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "fetched_at", "text_hash"]
    search_fields = ["article__title", "text_hash"]
    list_filter = ["fetched_at"]
    raw_id_fields = ["article"]
    exclude = ["raw_html"]
