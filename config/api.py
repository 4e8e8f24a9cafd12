"""The API router: every v1 resource, the OpenAPI schema and its docs (served from the sidecar, no CDN)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import exports
from claims.api import schema as _schema  # noqa: F401 -- registers the Bearer scheme with drf-spectacular
from claims.api import views as claims_api
from sources.api import views as sources_api

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("claims", claims_api.ClaimViewSet, basename="claim")
router.register("statements", claims_api.StatementViewSet, basename="statement")
router.register("parties", claims_api.PartyViewSet, basename="party")
router.register("evidence", claims_api.EvidenceViewSet, basename="evidence")
router.register("status-changes", claims_api.StatusChangeViewSet, basename="statuschange")
router.register("tokens", claims_api.ApiTokenViewSet, basename="apitoken")
router.register("webhooks", claims_api.WebhookSubscriptionViewSet, basename="webhook")
router.register("outlets", sources_api.OutletViewSet, basename="outlet")
router.register("feeds", sources_api.FeedViewSet, basename="feed")
router.register("articles", sources_api.ArticleViewSet, basename="article")
router.register("ingestion-runs", sources_api.IngestionRunViewSet, basename="ingestionrun")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/export/claims.csv", exports.ClaimCsvExport.as_view(), name="export-claims-csv"),
    path("v1/export/claims.jsonl", exports.ClaimJsonlExport.as_view(), name="export-claims-jsonl"),
    path("v1/export/statements.csv", exports.StatementCsvExport.as_view(), name="export-statements-csv"),
    path("v1/export/statements.jsonl", exports.StatementJsonlExport.as_view(), name="export-statements-jsonl"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # ReDoc's bundle injects its styles as <style> elements and runs its search in a blob: worker; nothing
    # else is relaxed, and everything still comes from this server.
    path("redoc/", csp_update({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
        SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
