"""API v1 views of outlets, feeds, articles and ingestion runs; submissions go through sources.services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.pagination import NumberedPage
from core.enums import Role
from sources import services
from sources.api import serializers as s
from sources.api.filters import ArticleFilter, FeedFilter, OutletFilter
from sources.models import Article, ArticleRevision, Feed, IngestionRun, Outlet
from sources.selectors import article_statement_count


@extend_schema_view(list=extend_schema(summary="List outlets"), retrieve=extend_schema(summary="An outlet"))
class OutletViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.OutletSerializer
    filterset_class = OutletFilter
    pagination_class = NumberedPage
    queryset = Outlet.objects.order_by("name", "id")


@extend_schema_view(list=extend_schema(summary="List feeds"), retrieve=extend_schema(summary="A feed"))
class FeedViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.FeedSerializer
    filterset_class = FeedFilter
    pagination_class = NumberedPage
    queryset = Feed.objects.select_related("outlet").order_by("outlet__name", "url", "id")


@extend_schema_view(
    list=extend_schema(summary="List articles", description="Newest first; revisions without their texts."),
    retrieve=extend_schema(summary="An article with every revision's text"),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = ArticleFilter
    filter_backends = [*viewsets.GenericViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["seen_at", "created_at", "id"]
    ordering = ["-seen_at"]

    def get_queryset(self):
        revisions = ArticleRevision.objects.order_by("number")
        if self.action != "retrieve":
            revisions = revisions.only("id", "article_id", "number", "text_hash", "fetched_at")
        return (
            Article.objects.select_related("outlet")
            .annotate(
                statement_count=article_statement_count(),
                # Cursor pagination needs a non-null sort key: an undated article sorts by when we saw it.
                seen_at=Coalesce("published_at", "created_at"),
            )
            .prefetch_related(Prefetch("revisions", queryset=revisions))
        )

    def get_serializer_class(self):
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleSerializer


@extend_schema_view(
    list=extend_schema(summary="List ingestion runs", description="Feed polls, URL batches and manual intake."),
    retrieve=extend_schema(summary="An ingestion run with its items: poll it after submitting"),
    create=extend_schema(
        summary="Submit a URL or pasted text for ingestion (analyst)",
        description="Answers 202 with the run; poll its Location until status is no longer running. "
        "A URL is fetched by a worker; pasted text is stored at once.",
        request=s.IngestionSubmitSerializer, responses={202: s.IngestionRunSerializer},
    ),
)
class IngestionRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = s.IngestionRunSerializer
    ordering = ["-id"]
    required_roles = {"create": Role.ANALYST}

    def get_queryset(self):
        return IngestionRun.objects.prefetch_related("items")

    def create(self, request, *args, **kwargs):
        submitted = s.IngestionSubmitSerializer(data=request.data)
        submitted.is_valid(raise_exception=True)
        data = submitted.validated_data
        if data.get("url"):
            run = services.article_submit_url(url=data["url"], submitted_by=request.user)
        else:
            run = services.article_submit_text(
                title=data["title"], text=data["text"], url=data["source_url"], published_at=data["published_at"],
                submitted_by=request.user,
            )
        run = self.get_queryset().get(pk=run.pk)
        location = reverse("api:ingestionrun-detail", kwargs={"pk": run.pk}, request=request)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
