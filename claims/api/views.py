"""API v1 views: thin. They read through selectors and querysets, write through claims.services only."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from claims import selectors, services
from claims.api import serializers as s
from claims.api.filters import (
    ClaimFilter,
    EvidenceFilter,
    PartyFilter,
    StatementFilter,
    StatusChangeFilter,
)
from claims.claimreview import claim_review_jsonld
from claims.models import ApiToken, Evidence, Party, Statement, StatusChange, WebhookSubscription
from core.api.errors import PreconditionFailed
from core.api.pagination import NumberedPage
from core.api.permissions import PUBLIC, api_role
from core.enums import Role

IF_MATCH = OpenApiParameter(
    "If-Match", location=OpenApiParameter.HEADER, required=False,
    description="The ETag you loaded. If the resource changed since, the answer is 412 and nothing is written; "
    "a header that is not a list of entity tags is a 400.",
)
ETAG = OpenApiParameter(
    "ETag", location=OpenApiParameter.HEADER, response=[200],
    description="The version of the resource; send it back in If-Match when you change it.",
)
_ETAG_RE = re.compile(r'^"(?P<kind>claim|statement)-(?P<pk>\d+)-v(?P<version>\d+)"$')
_ENTITY_TAG_RE = re.compile(r'^(W/)?"[\x21\x23-\x7e]*"$')  # as claims.api.schema.IF_MATCH_PATTERN says


def etag_of(obj) -> str:
    return f'"{obj._meta.model_name}-{obj.pk}-v{obj.version}"'


def expected_version(request, obj) -> int | None:
    """The version an If-Match header names for `obj`; None without the header or with `*`.

    A header naming another resource, a weak tag or garbage cannot match, so it is 412 at once.
    The service compares the version with the locked row, so a race still ends in 412.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tags = [t.strip() for t in header.split(",")]
    if not all(_ENTITY_TAG_RE.match(tag) for tag in tags):
        # Not an entity-tag list at all (RFC 9110 8.8.3): a malformed request, not a failed precondition.
        raise ValidationError({"If-Match": ['not a list of entity tags ("…" or W/"…")']})
    for tag in tags:
        match = _ETAG_RE.match(tag)
        if match and match["kind"] == obj._meta.model_name and int(match["pk"]) == obj.pk:
            return int(match["version"])
    raise PreconditionFailed(f"If-Match {header} does not name a version of this {obj._meta.model_name}")


def with_etag(response: Response, obj) -> Response:
    response["ETag"] = etag_of(obj)
    return response


def _is_public(request) -> bool:
    """Anonymous callers and users with no role see published verdicts only."""
    return api_role(request) is None


# --- Claims --------------------------------------------------------------------------------------


class JSONLDRenderer(JSONRenderer):
    """The same JSON as application/ld+json (Accept: application/ld+json, or ?format=jsonld): linked-data tools."""

    media_type = "application/ld+json"
    format = "jsonld"


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description="Live (not merged) claims, newest report first. Anonymous callers get claims whose "
        "verdict is published, and nothing else.",
    ),
    retrieve=extend_schema(
        summary="A claim with its stance summary, newest statements and evidence",
        description="The stance summary names the 50 most-quoted parties and the first 20 articles; the claim's "
        "newest 50 statements are embedded, and statements_url lists them all (cursor-paginated). "
        "Anonymous callers get a published claim's own fields only.",
        parameters=[ETAG],
    ),
    partial_update=extend_schema(
        summary="Edit a claim's wording, kind or tags (analyst)",
        request=s.ClaimUpdateSerializer, responses={200: s.ClaimSerializer}, parameters=[IF_MATCH, ETAG],
    ),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = ClaimFilter
    filter_backends = [*viewsets.GenericViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["reported_at", "created_at", "updated_at", "id"]
    ordering = ["-reported_at"]
    http_method_names = ["get", "patch", "post", "head", "options"]
    required_roles = {
        "list": PUBLIC, "retrieve": PUBLIC, "claimreview": PUBLIC,
        "partial_update": Role.ANALYST, "verdict": Role.ANALYST, "merge": Role.ANALYST,
    }

    def get_queryset(self):
        published_only = _is_public(self.request)
        if self.action == "list":
            return selectors.api_claim_list(published_only=published_only)
        if self.action == "retrieve" and not published_only:
            return selectors.api_claim_detail()
        return selectors.api_claim_detail(published_only=published_only).prefetch_related(None)

    def get_serializer_class(self):
        if self.action == "retrieve" and not _is_public(self.request):
            return s.ClaimDetailSerializer
        return s.ClaimSerializer

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        context = self.get_serializer_context()
        if not _is_public(request):
            context["stance_summary"] = selectors.claim_stance_summary(claim=claim)
            context["statements"], context["more_statements"] = selectors.api_claim_statements(claim=claim)
        return with_etag(Response(self.get_serializer_class()(claim, context=context).data), claim)

    def partial_update(self, request, *args, **kwargs):
        claim = self.get_object()
        data = _valid(s.ClaimUpdateSerializer, request)
        services.claim_update(
            claim=claim, actor=request.user, expected_version=expected_version(request, claim), **data
        )
        return self._claim_response(claim.pk)

    @extend_schema(
        summary="Set a claim's verdict, with rationale (editor; analysts may propose in_review)",
        request=s.VerdictSerializer, responses={200: s.ClaimSerializer}, parameters=[IF_MATCH, ETAG],
    )
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        claim = self.get_object()
        data = _valid(s.VerdictSerializer, request)
        services.claim_set_verdict(
            claim=claim, actor=request.user, verdict=data["verdict"], rationale=data["rationale"],
            publish=data["publish"], expected_version=expected_version(request, claim),
        )
        return self._claim_response(claim.pk)

    @extend_schema(
        summary="Merge this claim into another (analyst)",
        description="The claim in the path is folded into `target`: its statements and evidence move there. "
        "Answers with the target claim.",
        request=s.MergeSerializer, responses={200: s.ClaimSerializer},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        claim = self.get_object()
        data = _valid(s.MergeSerializer, request)
        target = services.claim_merge(source=claim, target=data["target"], actor=request.user)
        return self._claim_response(target.pk)

    @extend_schema(
        summary="schema.org ClaimReview JSON-LD of a published verdict",
        description="Anyone may read it; 404 until the claim's verdict is published.",
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT, (200, "application/json"): OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, JSONLDRenderer])
    def claimreview(self, request, pk=None):
        claim = self.get_object()
        if claim.verdict_published_at is None:
            raise NotFound("this claim's verdict is not published")
        return Response(claim_review_jsonld(claim=claim, url=claim_page_url(request, claim)))

    def _claim_response(self, pk: int) -> Response:
        claim = selectors.api_claim_detail().prefetch_related(None).get(pk=pk)
        return with_etag(Response(s.ClaimSerializer(claim, context=self.get_serializer_context()).data), claim)


def claim_page_url(request, claim) -> str:
    """The claim's public verdict page (ClaimReview's url: anyone can open it); the API address if the UI has none."""
    try:
        path = reverse("claims:public_claim_detail", kwargs={"pk": claim.pk})
    except NoReverseMatch:
        path = reverse("api:claim-detail", kwargs={"pk": claim.pk})
    return request.build_absolute_uri(path)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Statements ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List statements", description="Who said what, where; filter by party, stance, "
                       "review state, article, claim."),
    retrieve=extend_schema(summary="A statement", parameters=[ETAG]),
)
class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.StatementSerializer
    filterset_class = StatementFilter
    filter_backends = [*viewsets.GenericViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["created_at", "id"]
    ordering = ["-id"]
    required_roles = {"review": Role.ANALYST}

    def get_queryset(self):
        return Statement.objects.select_related("party", "reviewed_by")

    def retrieve(self, request, *args, **kwargs):
        statement = self.get_object()
        return with_etag(Response(self.get_serializer(statement).data), statement)

    @extend_schema(
        summary="Review a statement: accept or reject, optionally reassigning party, claim or stance (analyst)",
        request=s.StatementReviewSerializer, responses={200: s.StatementSerializer}, parameters=[IF_MATCH, ETAG],
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        statement = self.get_object()
        data = _valid(s.StatementReviewSerializer, request)
        reviewed = services.statement_review(
            statement=statement, actor=request.user, expected_version=expected_version(request, statement), **data
        )
        reviewed = self.get_queryset().get(pk=reviewed.pk)
        return with_etag(Response(self.get_serializer(reviewed).data), reviewed)


# --- Parties ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List parties", description="With aliases and parent; filter by kind or parent."),
    retrieve=extend_schema(summary="A party"),
)
class PartyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.PartySerializer
    filterset_class = PartyFilter
    pagination_class = NumberedPage

    def get_queryset(self):
        return Party.objects.select_related("parent").prefetch_related("aliases").order_by("name", "id")


# --- Evidence and verdict history ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List evidence"),
    retrieve=extend_schema(summary="One piece of evidence"),
    create=extend_schema(
        summary="Add evidence to a claim: a link or a tracked article (analyst)",
        request=s.EvidenceCreateSerializer, responses={201: s.EvidenceSerializer},
    ),
)
class EvidenceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.EvidenceSerializer
    filterset_class = EvidenceFilter
    ordering = ["-id"]
    required_roles = {"create": Role.ANALYST}

    def get_queryset(self):
        return Evidence.objects.select_related("added_by")

    def create(self, request, *args, **kwargs):
        data = _valid(s.EvidenceCreateSerializer, request)
        evidence = services.evidence_add(actor=request.user, **data)
        evidence = self.get_queryset().get(pk=evidence.pk)
        return Response(self.get_serializer(evidence).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List verdict changes", description="Every verdict change: from, to, why, who."),
    retrieve=extend_schema(summary="One verdict change"),
)
class StatusChangeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.StatusChangeSerializer
    filterset_class = StatusChangeFilter
    ordering = ["-id"]

    def get_queryset(self):
        return StatusChange.objects.select_related("actor")


# --- Tokens and webhooks ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your API tokens"),
    retrieve=extend_schema(summary="One of your API tokens"),
    destroy=extend_schema(
        summary="Revoke one of your API tokens",
        description="A read-write token (or a signed-in session) may revoke any of your tokens; a read-only token "
        "only itself (403 for any other).",
        responses={204: None},
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    """Tokens are made with `manage.py api_token create`; a user can list and revoke their own here."""

    serializer_class = s.ApiTokenSerializer
    pagination_class = NumberedPage
    # Revoking is the one write here, and a read-only token must be able to revoke itself.
    token_may_write = True
    required_roles = {"list": Role.VIEWER, "retrieve": Role.VIEWER, "destroy": Role.VIEWER}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    def perform_destroy(self, instance):
        using = self.request.auth if isinstance(self.request.auth, ApiToken) else None
        services.api_token_revoke(token=instance, actor=self.request.user, using=using)


def _request_token(request) -> ApiToken:
    if not isinstance(request.auth, ApiToken):
        raise PermissionDenied("webhook subscriptions belong to an API token; call with 'Authorization: Bearer'")
    return request.auth


@extend_schema_view(
    list=extend_schema(summary="This token's webhook subscriptions"),
    retrieve=extend_schema(summary="One webhook subscription"),
    create=extend_schema(
        summary="Subscribe this token to events",
        description="Events are POSTed as JSON with X-Claims-Event, X-Claims-Delivery, X-Claims-Timestamp and "
        "X-Claims-Signature: sha256=HMAC-SHA256(secret, timestamp + '.' + body). The secret is in this answer only.",
        request=s.WebhookSubscriptionSerializer, responses={201: s.WebhookSubscriptionCreatedSerializer},
    ),
    destroy=extend_schema(summary="Unsubscribe", responses={204: None}),
)
class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                                 mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = s.WebhookSubscriptionSerializer
    pagination_class = NumberedPage
    # A read-only token may still manage its own subscriptions: they only deliver what it can read.
    token_may_write = True
    required_roles = {a: Role.VIEWER for a in ("list", "retrieve", "create", "destroy", "deliveries")}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no token
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(token=_request_token(self.request)).order_by("id")

    def create(self, request, *args, **kwargs):
        data = _valid(s.WebhookSubscriptionSerializer, request)
        subscription = services.webhook_subscription_create(token=_request_token(request), **data)
        return Response(s.WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.webhook_subscription_delete(subscription=instance)

    @extend_schema(summary="The subscription's delivery log", responses={200: s.WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        page = self.paginate_queryset(subscription.deliveries.order_by("-created_at", "-id"))
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)
