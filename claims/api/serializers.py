"""Serializers of API v1: read shapes for every resource and the input shapes of the actions."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.enums import ClaimKind, EvidenceKind, EvidenceRelation, Stance, Verdict
from claims.models import (
    ApiToken,
    Claim,
    Evidence,
    Party,
    Statement,
    StatusChange,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from claims.services import ReviewAction
from core.api.serializers import Described
from sources.models import Article

# --- Parties -----------------------------------------------------------------------------------


class PartyBriefSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "slug", "name", "kind"]


class PartySerializer(Described, serializers.ModelSerializer):
    parent = PartyBriefSerializer(read_only=True, allow_null=True)
    aliases = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = Party
        fields = ["id", "slug", "name", "kind", "parent", "country", "aliases", "origin", "review_state", "created_at"]
        descriptions = {
            "parent": "The party this one belongs to or speaks for; null for a top-level party.",
            "aliases": "Mention texts that resolve to this party (\"Ankara\", \"Azeri side\").",
        }


# --- Statements, evidence, verdict history ---------------------------------------------------


class StatementSerializer(Described, serializers.ModelSerializer):
    party = PartyBriefSerializer(read_only=True, allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Statement
        fields = [
            "id", "claim", "party", "speaker_text", "stance", "cue", "quote", "start", "end", "quotation",
            "origin", "confidence", "review_state", "reviewed_by", "reviewed_at", "article", "revision",
            "version", "created_at",
        ]
        descriptions = {
            "claim": "The claim the statement is about; null for a position (call, threat, refusal).",
            "party": "The resolved speaker; null when only the raw speaker text is known.",
            "stance": "What the party does with the claim.",
            "quote": "The words of the revision that carry the statement.",
            "start": "Offset of the quote in the revision text (characters).",
            "end": "End offset of the quote (exclusive).",
            "quotation": "Direct quote, reported speech, or both.",
            "confidence": "The analysis' confidence, 0 to 1 (1 for analysts' statements).",
            "reviewed_by": "User name of the analyst who last reviewed it.",
            "reviewed_at": "When it was last reviewed.",
            "article": "The article the statement appears in.",
            "revision": "The revision of the article whose text the offsets point into.",
        }


class EvidenceSerializer(Described, serializers.ModelSerializer):
    added_by = serializers.CharField(source="added_by.username", read_only=True, allow_null=True, default=None)
    file = serializers.FileField(read_only=True, allow_null=True, use_url=True)

    class Meta:
        model = Evidence
        fields = ["id", "claim", "kind", "relation", "url", "article", "file", "note", "added_by", "created_at"]
        descriptions = {
            "claim": "The claim the evidence is about.",
            "relation": "Whether it supports or refutes the claim, or gives context.",
            "url": "The linked page (link evidence).",
            "article": "The tracked article (article evidence).",
            "file": "The uploaded file (file evidence).",
            "note": "The analyst's note on what it shows.",
            "added_by": "User name of whoever added it.",
        }


class EvidenceCreateSerializer(Described, serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())
    kind = serializers.ChoiceField(choices=[EvidenceKind.LINK, EvidenceKind.ARTICLE])
    relation = serializers.ChoiceField(choices=EvidenceRelation.choices, default=EvidenceRelation.SUPPORTS)
    url = serializers.URLField(max_length=2000, required=False, default="")
    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(required=False, default="", allow_blank=True)

    class Meta:
        descriptions = {
            "claim": "The claim the evidence is about.",
            "kind": "link (give url) or article (give article). Files are added in the browser.",
            "relation": "Whether it supports or refutes the claim, or gives context.",
            "url": "The page to link, for kind=link.",
            "article": "A tracked article's id, for kind=article.",
            "note": "What the evidence shows.",
        }


class StatusChangeSerializer(Described, serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = StatusChange
        fields = ["id", "claim", "from_verdict", "to_verdict", "rationale", "published", "actor", "created_at"]
        descriptions = {
            "claim": "The claim whose verdict changed.",
            "from_verdict": "The verdict before the change.",
            "to_verdict": "The verdict after the change.",
            "rationale": "Why, in the words of whoever changed it.",
            "published": "Whether this change published the verdict.",
            "actor": "User name of whoever changed it.",
        }


# --- Claims --------------------------------------------------------------------------------------


class ClaimSerializer(Described, serializers.ModelSerializer):
    contested = serializers.BooleanField(read_only=True)
    statement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id", "slug", "text", "kind", "verdict", "rationale", "verdict_published_at", "first_reported_at",
            "tags", "origin", "review_state", "merged_into", "contested", "statement_count", "version",
            "created_at", "updated_at",
        ]
        descriptions = {
            "text": "Canonical wording, readable on its own.",
            "verdict": "The analysts' verdict.",
            "rationale": "Why the claim has its verdict.",
            "verdict_published_at": "When the verdict was published; null while it is not public.",
            "first_reported_at": "Earliest publication of an article that reports the claim.",
            "tags": "Free-form tags.",
            "merged_into": "Set when this claim was merged into another one (the live claim).",
            "contested": "Some party asserts or confirms the claim and some party denies it.",
            "statement_count": "Statements about the claim, rejected ones not counted.",
            "updated_at": "When the claim last changed.",
        }


class PartyStanceSerializer(Described, serializers.Serializer):
    party_id = serializers.IntegerField(allow_null=True)
    party = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    stance = serializers.ChoiceField(choices=Stance.choices)
    statements = serializers.IntegerField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)

    class Meta:
        descriptions = {
            "party_id": "The party; null when the speaker is not resolved to a party.",
            "party": "The party's name, or the speaker's words when unresolved.",
            "parent": "The name of the party it belongs to, if any.",
            "stance": "The stance the party takes.",
            "statements": "How many statements carry this stance of this party.",
            "first_seen": "Earliest of those statements (by article publication).",
            "last_seen": "Latest of those statements.",
        }


class ArticleRefSerializer(Described, serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    outlet = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        descriptions = {"title": "Headline, dateline or address.", "outlet": "The outlet's name."}


class StanceSummarySerializer(Described, serializers.Serializer):
    parties = PartyStanceSerializer(many=True)
    parties_total = serializers.IntegerField()
    articles = ArticleRefSerializer(many=True)
    more_articles = serializers.BooleanField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    contested = serializers.BooleanField()

    class Meta:
        descriptions = {
            "parties": "Every stance of the (at most 50) parties or speakers with the most statements, "
            "supporting stances first.",
            "parties_total": "How many parties or unresolved speakers take a stance, all of them.",
            "articles": "The first (at most 20) articles that report the claim, oldest first.",
            "more_articles": "More articles report the claim than are listed: the statements list has them all.",
            "first_seen": "Earliest report.",
            "last_seen": "Latest report.",
            "contested": "Some party asserts or confirms it and some party denies it.",
        }


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its stance summary, its newest statements and its evidence; views put the summary and the
    statements in the context (selectors.claim_stance_summary, selectors.api_claim_statements)."""

    stance_summary = serializers.SerializerMethodField()
    statements = serializers.SerializerMethodField()
    more_statements = serializers.SerializerMethodField()
    statements_url = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields, "stance_summary", "statements", "more_statements", "statements_url",
            "evidence",
        ]
        descriptions = {
            **ClaimSerializer.Meta.descriptions,
            "stance_summary": "Who asserts, confirms, denies, questions or retracts the claim, and where.",
            "statements": "The claim's newest statements, at most 50, newest first (rejected ones included, "
            "marked so): the first page of statements_url.",
            "more_statements": "The claim has more statements than are embedded; statements_url lists them all.",
            "statements_url": "Every statement about the claim, cursor-paginated: /api/v1/statements/?claim=ID.",
            "evidence": "Links, articles and files that support or refute the claim.",
        }

    @extend_schema_field(StanceSummarySerializer)
    def get_stance_summary(self, claim: Claim) -> dict:
        return StanceSummarySerializer(self.context["stance_summary"]).data

    @extend_schema_field(StatementSerializer(many=True))
    def get_statements(self, claim: Claim) -> list:
        return StatementSerializer(self.context["statements"], many=True, context=self.context).data

    @extend_schema_field(serializers.BooleanField())
    def get_more_statements(self, claim: Claim) -> bool:
        return self.context["more_statements"]

    @extend_schema_field(serializers.URLField())
    def get_statements_url(self, claim: Claim) -> str:
        path = f"{reverse('api:statement-list')}?claim={claim.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ClaimUpdateSerializer(Described, serializers.Serializer):
    text = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=ClaimKind.choices, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)

    class Meta:
        descriptions = {
            "text": "New canonical wording.",
            "kind": "factual or assessment.",
            "tags": "The full new list of tags (replaces the old one).",
        }


class VerdictSerializer(Described, serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    rationale = serializers.CharField()
    publish = serializers.BooleanField(default=False)

    class Meta:
        descriptions = {
            "verdict": "The new verdict. Analysts may only propose one by choosing in_review.",
            "rationale": "Why; required, recorded in the history.",
            "publish": "Publish the verdict (editors only); an unpublished change withdraws a published one.",
        }


class MergeSerializer(Described, serializers.Serializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())

    class Meta:
        descriptions = {"target": "The claim this one is folded into; it keeps the statements and evidence."}


class StatementReviewSerializer(Described, serializers.Serializer):
    action = serializers.ChoiceField(choices=[ReviewAction.ACCEPT, ReviewAction.REJECT])
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), required=False)
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all(), required=False)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False)

    class Meta:
        descriptions = {
            "action": "accept or reject the statement.",
            "party": "Reassign the statement to this party first.",
            "claim": "Reassign the statement to this claim first (a merged claim resolves to the live one).",
            "stance": "Change the stance first; position drops the claim.",
        }


# --- Tokens and webhooks ------------------------------------------------------------------------


class ApiTokenSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "read_write", "created_at", "last_used_at", "revoked_at"]
        descriptions = {
            "prefix": "The token's first characters, to tell tokens apart.",
            "last_used_at": "When the token last made a request (to the minute).",
            "revoked_at": "When the token was revoked; null while it works.",
        }


class WebhookSubscriptionSerializer(Described, serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1)
    target_url = serializers.URLField(max_length=2000)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "target_url", "events", "is_active", "created_at"]
        read_only_fields = ["is_active", "created_at"]
        descriptions = {
            "target_url": "Where events are POSTed; http(s) on a public address.",
            "events": "The events to receive.",
            "is_active": "Inactive subscriptions receive nothing.",
        }


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        descriptions = {
            **WebhookSubscriptionSerializer.Meta.descriptions,
            "secret": "Key of the HMAC-SHA256 signatures; shown only in this answer, keep it.",
        }


class WebhookDeliverySerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "delivery_id", "event", "status", "attempts", "last_status_code", "log", "created_at",
            "delivered_at",
        ]
        descriptions = {
            "delivery_id": "Sent as X-Claims-Delivery; the same on every retry.",
            "event": "The event delivered.",
            "status": "pending, retrying, delivered or failed.",
            "attempts": "How many times it was sent.",
            "last_status_code": "The receiver's last HTTP status; null when it could not be reached.",
            "log": "Every attempt: at, status_code, error, duration_ms.",
            "delivered_at": "When a 2xx answer came.",
        }


ERROR_FIELDS = {
    "code": serializers.CharField(help_text="Machine-readable error code, e.g. invalid, not_authenticated."),
    "message": serializers.CharField(help_text="What went wrong, for a person to read."),
    "fields": serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages for invalid input; empty otherwise.",
    ),
}


class ErrorDetailSerializer(serializers.Serializer):
    code = ERROR_FIELDS["code"]
    message = ERROR_FIELDS["message"]
    fields = ERROR_FIELDS["fields"]
    current_version = serializers.IntegerField(required=False, help_text="412 only: the resource's version now.")
    retry_after = serializers.FloatField(required=False, help_text="429 only: seconds to wait.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer(help_text="Every error has this one shape.")

