"""Query-string filters of the sources lists, with PostgreSQL full-text search of article texts for ?q=."""

from __future__ import annotations

import django_filters as filters
from django.contrib.postgres.search import SearchVector
from django.db.models import Exists, OuterRef, Q

from core.api.filters import DateTimeFilter, IdFilter, websearch
from sources.enums import ArticleStatus
from sources.models import Article, ArticleRevision, Feed, Outlet

# Must stay identical to the GIN index's expression (claims migration 0005), or PostgreSQL scans every row.
REVISION_SEARCH_VECTOR = SearchVector("text", config="english")


class ArticleFilter(filters.FilterSet):
    outlet = IdFilter(field_name="outlet_id", help_text="Articles of this outlet (by id).")
    status = filters.MultipleChoiceFilter(choices=ArticleStatus.choices, help_text="One or more pipeline states.")
    language = filters.CharFilter(help_text="BCP 47 language code.")
    published_after = DateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="Published at or after (ISO 8601)."
    )
    published_before = DateTimeFilter(
        field_name="published_at", lookup_expr="lte", help_text="Published at or before (ISO 8601)."
    )
    q = filters.CharFilter(
        method="filter_q", help_text="Full-text search of headline and text, web-search syntax."
    )

    class Meta:
        model = Article
        fields = ["outlet", "language"]

    def filter_q(self, queryset, name, value):
        query = websearch(value)
        in_text = ArticleRevision.objects.annotate(search=REVISION_SEARCH_VECTOR).filter(
            article=OuterRef("pk"), search=query
        )
        return queryset.annotate(title_search=SearchVector("title", config="english")).filter(
            Q(title_search=query) | Q(Exists(in_text))
        )


class OutletFilter(filters.FilterSet):
    country = filters.CharFilter(lookup_expr="iexact", help_text="Country, in words (case ignored).")
    language = filters.CharFilter(help_text="BCP 47 language code.")

    class Meta:
        model = Outlet
        fields = ["country", "language"]


class FeedFilter(filters.FilterSet):
    outlet = IdFilter(field_name="outlet_id", help_text="Feeds of this outlet (by id).")
    is_active = filters.BooleanFilter(help_text="false: paused feeds.")
    failing = filters.BooleanFilter(method="filter_failing", help_text="true: feeds whose last poll failed.")

    class Meta:
        model = Feed
        fields = ["is_active"]

    def filter_failing(self, queryset, name, value):
        return queryset.filter(consecutive_failures__gt=0) if value else queryset.filter(consecutive_failures=0)
