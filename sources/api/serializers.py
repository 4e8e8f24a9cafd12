"""Serializers of API v1 for outlets, feeds, articles and their revisions, and ingestion runs."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import Described
from core.urlguard import url_refusal
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun, Outlet


class OutletSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "domain", "country", "language", "created_at"]


class OutletBriefSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "domain"]


class FeedSerializer(Described, serializers.ModelSerializer):
    outlet = OutletBriefSerializer(read_only=True)

    class Meta:
        model = Feed
        fields = [
            "id", "outlet", "url", "title", "poll_interval_minutes", "is_active", "last_polled_at",
            "last_success_at", "next_poll_at", "consecutive_failures", "last_error", "created_at",
        ]
        descriptions = {"url": "RSS or Atom address of the feed.", "title": "Feed title as the feed gives it."}


class RevisionBriefSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = ArticleRevision
        fields = ["id", "number", "text_hash", "fetched_at"]
        descriptions = {"number": "1 for the first fetch; a changed text adds the next number."}


class RevisionSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = ArticleRevision
        fields = ["id", "number", "text", "text_hash", "fetched_at"]
        descriptions = {
            "number": "1 for the first fetch; a changed text adds the next number.",
            "text": "The extracted main text; statement offsets point into it.",
        }


class ArticleSerializer(Described, serializers.ModelSerializer):
    outlet = OutletBriefSerializer(read_only=True, allow_null=True)
    revisions = RevisionBriefSerializer(many=True, read_only=True)
    statement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id", "outlet", "url", "canonical_url", "title", "dateline", "byline", "published_at", "language",
            "status", "error", "duplicate_of", "revisions", "statement_count", "created_at",
        ]
        descriptions = {
            "url": "The address the article was first seen at.",
            "canonical_url": "The article's canonical address (unique).",
            "revisions": "Every extracted version of the text, oldest first (texts in the article detail).",
            "statement_count": "Statements found in the article, rejected ones not counted.",
            "duplicate_of": "The original article when this one is a duplicate.",
            "status": "Where the article is in the pipeline.",
        }


class ArticleDetailSerializer(ArticleSerializer):
    revisions = RevisionSerializer(many=True, read_only=True)


# --- Ingestion ------------------------------------------------------------------------------------


class IngestionItemSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = IngestionItem
        fields = ["id", "source", "url", "canonical_url", "status", "article", "revision", "error", "finished_at"]
        descriptions = {
            "source": "url, uploaded html or pasted text.",
            "url": "The submitted address.",
            "canonical_url": "The address after canonicalisation.",
            "status": "What happened to the item.",
            "article": "The article it made or matched.",
            "revision": "The revision it added, if the text was new.",
            "error": "Why it failed, for a person to read.",
            "finished_at": "When the item finished.",
        }


class IngestionRunSerializer(Described, serializers.ModelSerializer):
    items = IngestionItemSerializer(many=True, read_only=True)

    class Meta:
        model = IngestionRun
        fields = [
            "id", "kind", "status", "started_at", "finished_at", "found", "new", "updated", "duplicate",
            "failed", "deferred", "error", "items",
        ]
        descriptions = {
            "status": "running until every item has finished.",
            "started_at": "When the run was submitted.",
            "finished_at": "When it finished; null while running.",
            "new": "Items that made a new article.",
            "duplicate": "Items that were duplicates of known articles.",
            "failed": "Items that failed.",
            "deferred": "Feed polls: new entries left for the next polls (one poll takes INGEST_FEED_MAX_ENTRIES).",
            "items": "Each submitted URL or text with its outcome.",
        }


class GuardedURLField(serializers.URLField):
    """The SSRF guard's own message at submission, before the URL syntax check (which would only say
    "Enter a valid URL" for `http://0177.0.0.1/`)."""

    def run_validators(self, value) -> None:
        refusal = url_refusal(value) if value else None
        if refusal is not None:
            raise serializers.ValidationError(refusal, code="refused")
        super().run_validators(value)


class IngestionSubmitSerializer(Described, serializers.Serializer):
    url = GuardedURLField(max_length=2000, required=False)
    text = serializers.CharField(required=False, max_length=500_000)
    title = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)
    source_url = GuardedURLField(required=False, default="", allow_blank=True, max_length=2000)
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    class Meta:
        descriptions = {
            "url": "An article to fetch. Give url or text, not both.",
            "text": "An article's text, pasted. Give url or text, not both.",
            "title": "The headline, for pasted text.",
            "source_url": "Where the pasted text was published, if anywhere.",
            "published_at": "When the pasted text was published.",
        }

    def validate(self, attrs):
        # Both keys given is refused even when one is empty: the caller meant one of them and we cannot tell which.
        if "url" in attrs and "text" in attrs:
            raise serializers.ValidationError("give either url or text, not both")
        if not attrs.get("url") and not attrs.get("text", "").strip():
            raise serializers.ValidationError("give either url or text")
        return attrs
