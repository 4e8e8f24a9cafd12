"""Parties, claims, the statements that attribute them, evidence and the verdict history."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from pgvector.django import HalfVectorField, HnswIndex

from claims.enums import (
    ClaimKind,
    EvidenceKind,
    EvidenceRelation,
    NotificationKind,
    Origin,
    PartyKind,
    Quotation,
    ReviewState,
    Stance,
    Verdict,
)
from claims.normalise import normalise_mention


class Party(models.Model):
    """A state, body, military, person, organisation, outlet or anonymous source that says things."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    name_normalised = models.CharField(max_length=300, editable=False)
    kind = models.CharField(max_length=32, choices=PartyKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        help_text="The party this one belongs to or speaks for (a ministry's state, a spokesman's ministry).",
    )
    country = models.CharField(max_length=100, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.ANALYST)
    review_state = models.CharField(max_length=16, choices=ReviewState.choices, default=ReviewState.ACCEPTED)
    # Set by party_merge: the party this one turned out to be. Its statements, aliases and children moved there;
    # the row stays so that its page and links still answer, pointing at the survivor.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_parties"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="party_not_own_parent"),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="party_not_merged_into_itself"),
        ]
        indexes = [
            # party_resolve falls back to the party's own name when no alias matches.
            models.Index(fields=["name_normalised"], name="party_name_normalised_idx"),
            # fuzzy name lookup for the analysis and the party picker.
            GinIndex(fields=["name_normalised"], opclasses=["gin_trgm_ops"], name="party_name_trgm_idx"),
            # the queue of machine-proposed parties, oldest first: a few hundred among 20,000 parties.
            models.Index(
                fields=["created_at", "id"], condition=Q(review_state="pending", merged_into__isnull=True),
                name="party_proposed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Name resolution finds a party by this key; every write path (services, the admin, a shell) keeps it.
        self.name_normalised = normalise_mention(self.name)
        _with_derived(kwargs, "name", "name_normalised")
        super().save(*args, **kwargs)


def _with_derived(kwargs: dict, source: str, derived: str) -> None:
    """A save(update_fields=...) that writes `source` writes the column derived from it too."""
    fields = kwargs.get("update_fields")
    if fields is not None and source in fields and derived not in fields:
        kwargs["update_fields"] = [*fields, derived]


class PartyAlias(models.Model):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300, editable=False)

    class Meta:
        ordering = ["party", "id"]
        verbose_name_plural = "party aliases"
        constraints = [
            # One mention text resolves to one party, whatever its case, accents or possessive.
            models.UniqueConstraint(fields=["normalised"], name="party_alias_normalised_unique"),
        ]
        indexes = [
            GinIndex(fields=["normalised"], opclasses=["gin_trgm_ops"], name="party_alias_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs) -> None:
        # The resolver looks aliases up by this key; the unique constraint on it keeps one party per mention.
        self.normalised = normalise_mention(self.text)
        _with_derived(kwargs, "text", "normalised")
        super().save(*args, **kwargs)


class ClaimQuerySet(models.QuerySet):
    def published(self):
        return self.filter(verdict_published_at__isnull=False)

    def live(self):
        """Claims not merged into another one."""
        return self.filter(merged_into__isnull=True)

    def listed(self):
        """Live claims the lists, the dashboard and search show: not machine-made claims left with no live statement
        (see Claim.listed)."""
        return self.filter(merged_into__isnull=True, listed=True)


CLAIM_COUNTERS = ("statement_count", "backing_count", "denial_count")
# Width of claims.analysis.similarity.embed's vectors (the distilled MiniLM, PCA to 256).
CLAIM_EMBEDDING_DIMENSIONS = 256


class Claim(models.Model):
    """A checkable proposition; reported by many statements, in many words, by many outlets."""

    slug = models.SlugField(max_length=100, blank=True)
    text = models.TextField(help_text="Canonical wording, readable on its own.")
    kind = models.CharField(max_length=16, choices=ClaimKind.choices, default=ClaimKind.FACTUAL)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.UNVERIFIED)
    rationale = models.TextField(blank=True)
    verdict_published_at = models.DateTimeField(null=True, blank=True)
    first_reported_at = models.DateTimeField(null=True, blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.ANALYST)
    review_state = models.CharField(max_length=16, choices=ReviewState.choices, default=ReviewState.ACCEPTED)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_claims"
    )
    # Bumped on every change; the API's ETag and If-Match are built on it.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Denormalised counts of the claim's statements, rejected and withdrawn ones left out, kept by a trigger on
    # claims_statement (migration 0006; withdrawn ones since claims_statement_withdrawn) so that every write path,
    # bulk ones included, keeps them right:
    # lists show and sort by them without counting a million statements.
    statement_count = models.PositiveIntegerField(default=0, editable=False)
    # The analyst working on the claim ("my claims" on the dashboard); nobody when unassigned.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_claims"
    )
    backing_count = models.PositiveIntegerField(default=0, editable=False, help_text="Asserting or confirming.")
    denial_count = models.PositiveIntegerField(default=0, editable=False, help_text="Denying.")
    # Whether the lists, the dashboard and search show the claim. A machine-made proposal whose statements were all
    # rejected or withdrawn (statement_count, kept by the trigger, is 0) is hidden but kept, with its page; an
    # analyst's claim, a proposal an analyst accepted, or one someone gave a verdict always shows: that is someone's
    # work. Computed by PostgreSQL from the row, so the counters' trigger keeps it too and the claims' tallies
    # (migration claims 0012) can count listed claims.
    listed = models.GeneratedField(
        expression=Q(origin=Origin.ANALYST) | Q(review_state=ReviewState.ACCEPTED) | Q(statement_count__gt=0)
        | ~Q(verdict=Verdict.UNVERIFIED),
        output_field=models.BooleanField(), db_persist=True,
    )
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-first_reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="claim_slug_unique"),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="claim_not_merged_into_itself"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
        ]
        indexes = [
            # claim lists filter by verdict and sort by first report.
            models.Index(fields=["verdict", "-first_reported_at"], name="claim_verdict_reported_idx"),
            models.Index(fields=["-first_reported_at"], name="claim_reported_idx"),
            # tag filter: tags @> ARRAY['x'].
            GinIndex(fields=["tags"], name="claim_tags_gin"),
            # similar-claim candidates by wording.
            GinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="claim_text_trgm_idx"),
            # the API's full-text search (?q=); the expression must match claims.api.filters.CLAIM_SEARCH_VECTOR.
            GinIndex(SearchVector("text", config="english"), name="claim_text_fts_idx"),
            # the pages' claim list (newest first, live claims): a page is an index range, not a sort of 1M rows.
            models.Index(
                F("first_reported_at").desc(nulls_last=True), F("id").desc(),
                condition=Q(merged_into__isnull=True), name="claim_live_reported_idx",
            ),
            # the API's claim list sorts live claims by Coalesce(first_reported_at, created_at), then id.
            models.Index(
                Coalesce("first_reported_at", "created_at").desc(), F("id").desc(),
                condition=Q(merged_into__isnull=True), name="claim_live_api_reported_idx",
            ),
            # the "recently changed" sort, and the newest change that keys the cached tag list (selectors.claim_tags).
            models.Index(F("updated_at").desc(), F("id").desc(), name="claim_updated_idx"),
            # the "most statements" sort of live claims (the dashboard's contested claims, the lists' sort): the
            # first rows of an index range instead of reading 1M rows to sort them. The contested condition stays
            # out of the predicate so the sort under any filter uses it; the most-quoted claims are the contested
            # ones, so the dashboard's walk stops after a few rows.
            models.Index(
                F("statement_count").desc(), F("id").desc(),
                condition=Q(merged_into__isnull=True), name="claim_live_statements_idx",
            ),
            # the queue of machine-proposed claims, oldest first: the pending few among a million claims.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(review_state="pending", origin="extracted", merged_into__isnull=True),
                name="claim_proposed_idx",
            ),
            # the public index of published verdicts, newest first: a few published among a million claims.
            models.Index(
                F("verdict_published_at").desc(), F("id").desc(),
                condition=Q(merged_into__isnull=True, verdict_published_at__isnull=False),
                name="claim_published_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:120]

    def save(self, *args, **kwargs):
        # The statement counters belong to the trigger: saving a claim loaded before its statements changed
        # (a merge moves them, then saves the target) must not write the stale counts back.
        plain = not args and kwargs.get("update_fields") is None and not kwargs.get("force_insert")
        if plain and not self._state.adding:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and not f.generated and f.name not in CLAIM_COUNTERS
            ]
        super().save(*args, **kwargs)

    @property
    def hidden_because(self) -> str:
        """Why the lists leave this claim out, for its page; empty when they show it."""
        if self.listed or self.merged_into_id:
            return ""
        return ("Hidden from the claim lists, the dashboard and search: the machine proposed this claim, nobody has "
                "accepted it, and none of its statements is live any more (each was rejected, or is no longer in "
                "its article). It is kept for the record; a new statement about it, accepting it or a verdict "
                "brings it back.")


class ClaimEmbedding(models.Model):
    """A live claim's wording as a unit vector (claims.analysis.similarity.embed): the similar-claim lookup's index.

    A table of its own, so that a million 512-byte vectors stay out of the claim rows every page reads.
    Written by the services that set a claim's wording (claims.embeddings.claim_embedding_store); a merged
    claim loses its row, so the lookup never offers it again.
    """

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="embedding")
    # float16: the model's own precision, half the size of a float32 vector.
    vector = HalfVectorField(dimensions=CLAIM_EMBEDDING_DIMENSIONS)

    class Meta:
        indexes = [
            # the nearest wordings by cosine distance: a graph walk instead of a scan of a million vectors.
            HnswIndex(fields=["vector"], m=16, ef_construction=32, opclasses=["halfvec_cosine_ops"],
                      name="claim_embedding_hnsw_idx"),
        ]

    def __str__(self) -> str:
        return f"embedding of claim {self.claim_id}"


class Statement(models.Model):
    """One attribution: a party (or a raw speaker) takes a stance on a claim, in given words of a revision."""

    revision = models.ForeignKey("sources.ArticleRevision", on_delete=models.PROTECT, related_name="statements")
    # Denormalised from revision.article: statement lists are filtered and grouped by article constantly.
    article = models.ForeignKey("sources.Article", on_delete=models.PROTECT, related_name="statements")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="statements")
    speaker_text = models.CharField(max_length=300, blank=True, help_text="The speaker as the article names it.")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="statements")
    stance = models.CharField(max_length=16, choices=Stance.choices)
    cue = models.CharField(max_length=200, blank=True, help_text="The reporting words: said, denied, accused.")
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(help_text="The words of the revision that carry the statement.")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quotation = models.CharField(max_length=16, choices=Quotation.choices, default=Quotation.INDIRECT)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    confidence = models.FloatField(default=1.0)
    review_state = models.CharField(max_length=16, choices=ReviewState.choices, default=ReviewState.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every review; the API's ETag and If-Match are built on it.
    version = models.PositiveIntegerField(default=1)
    # Set when a later revision of the article no longer has these words (claims.linking.revision_analyse): the
    # statement stays, pointing into the revision it was found in, for the record, but counts nowhere (claim
    # counters, stances, tallies, the review queue). Apart from review_state, which keeps the analyst's decision.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_in = models.ForeignKey(
        "sources.ArticleRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The revision of the article that no longer has the statement.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="statement_span_not_empty"),
            models.CheckConstraint(
                condition=Q(cue_start__isnull=True, cue_end__isnull=True)
                | Q(cue_start__isnull=False, cue_end__gt=F("cue_start")),
                name="statement_cue_span_valid",
            ),
            models.CheckConstraint(
                condition=Q(party__isnull=False) | ~Q(speaker_text=""), name="statement_has_speaker"
            ),
            models.CheckConstraint(
                condition=~Q(stance=Stance.POSITION) | Q(claim__isnull=True), name="statement_position_has_no_claim"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="statement_confidence_0_1"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_in__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_in__isnull=False),
                name="statement_withdrawn_names_its_revision",
            ),
            models.CheckConstraint(
                condition=~Q(withdrawn_in=F("revision")), name="statement_not_withdrawn_from_its_own_revision"
            ),
            # Importing or re-analysing the same text twice adds nothing.
            models.UniqueConstraint(
                fields=["revision", "start", "end", "party", "speaker_text", "claim", "stance"],
                nulls_distinct=False,
                name="statement_unique_attribution",
            ),
        ]
        # Offsets inside the revision and quote == revision text[start:end] are checked by a trigger
        # (migration claims 0002): a CHECK cannot look at another table. So is withdrawn_in being a later revision
        # of the same article (migration claims_statement_withdrawn).
        indexes = [
            # claim page: the claim's statements in time order.
            models.Index(fields=["claim", "created_at"], name="statement_claim_idx"),
            # party page and party filter.
            models.Index(fields=["party", "stance"], name="statement_party_stance_idx"),
            # the dashboard's newest statements: an index range instead of sorting three million rows.
            models.Index(F("created_at").desc(), F("id").desc(), name="statement_newest_idx"),
            # the API's pending statements, oldest first; id breaks ties so a page is an index range.
            models.Index(
                fields=["created_at", "id"], condition=Q(review_state="pending", withdrawn_at__isnull=True),
                name="statement_pending_idx",
            ),
            # review queue page: pending statements, the likeliest to be kept first, then oldest first.
            models.Index(
                F("confidence").desc(), "created_at", "id",
                condition=Q(review_state="pending", withdrawn_at__isnull=True),
                name="statement_pending_conf_idx",
            ),
            # the claim page's withdrawn statements, newest first: a claim quoted 100,000 times has a handful,
            # which the claim's own index could only find by reading all its statements.
            models.Index(
                "claim", F("withdrawn_at").desc(), F("id").desc(), condition=Q(withdrawn_at__isnull=False),
                name="statement_withdrawn_idx",
            ),
        ]

    def __str__(self) -> str:
        who = self.party.name if self.party_id else self.speaker_text
        return f"{who} {self.stance}: {self.quote[:80]}"


class ClaimStance(models.Model):
    """One (party or unresolved speaker, stance) group of a claim's statements, rejected ones left out.

    Kept by a trigger on claims_statement (and one on sources_article for the dates; migration claims 0007), so
    that every write path keeps it right: the lists' "backed by / denied by", the claim page's "who says what"
    and a party's track record read a few rows here instead of grouping up to 100,000 statements.
    """

    # No index of their own: the unique constraint leads with claim, claim_stance_party_idx with party.
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="stances", db_index=False)
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, null=True, blank=True, related_name="claim_stances", db_index=False
    )
    # The speaker's words when no party is resolved; empty when there is a party.
    speaker = models.CharField(max_length=300, blank=True)
    stance = models.CharField(max_length=16, choices=Stance.choices)
    statements = models.PositiveIntegerField()
    # Of those, the ones an analyst accepted: what the public verdict page counts (claims 0024).
    accepted = models.PositiveIntegerField(default=0)
    # Earliest and latest of those statements, by their article's publication (the statement's creation without one).
    first_seen = models.DateTimeField(null=True)
    last_seen = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            # the trigger's upsert key; its leading claim_id is also the claim page's and the lists' lookup.
            models.UniqueConstraint(
                fields=["claim", "party", "speaker", "stance"], nulls_distinct=False, name="claim_stance_unique"
            ),
        ]
        indexes = [
            # a party's track record and the party filter: its groups (and its sub-parties'), claim by claim,
            # read from the index alone (a top state has 36,000 groups scattered over the table).
            models.Index(fields=["party", "claim"], include=["stance", "statements"], name="claim_stance_party_idx"),
            # the claim page's first and last seen, and the public page's most-quoted accepted groups: the first
            # entries of these, not every group of a claim reported 300,000 times.
            models.Index(fields=["claim", "first_seen"], name="claim_stance_first_idx"),
            models.Index(fields=["claim", "last_seen"], name="claim_stance_last_idx"),
            models.Index(
                fields=["claim", "-accepted"], condition=Q(accepted__gt=0), name="claim_stance_accepted_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id or self.speaker} {self.stance} claim {self.claim_id}: {self.statements}"


class ClaimPartyDay(models.Model):
    """A party's statements on a claim on one day (UTC) by stance: the claim page's "who said it when" chart.

    Kept by the claim stances' trigger (claims/sql/claim_stances.sql) with the same rule as ClaimStance (neither
    rejected nor withdrawn; a statement's day is its article's publication, or its own creation without one);
    statements with no resolved party are not in it. The chart reads a row a (party, day, stance) shown, not the
    statements: a claim reported 100,000 times has tens of thousands of statements from its top ten parties.
    """

    pk = models.CompositePrimaryKey("claim", "party", "day", "stance")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+", db_index=False)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    stance = models.CharField(max_length=16, choices=Stance.choices)
    statements = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"claim {self.claim_id} party {self.party_id} {self.day} {self.stance}: {self.statements}"


class PartyDay(models.Model):
    """One share of a party's statements on one day (UTC) by stance, claims and positions alike: the party page's
    chart. Kept like the tallies (claims/sql/tallies.sql): a session adds to its own row (`slot`, its backend's
    pid) so two ingestion workers quoting the same state on the same day never wait on each other; the count is
    the sum of the rows, slot 0 holding what ended sessions added (claims_tally_fold)."""

    pk = models.CompositePrimaryKey("party", "day", "stance", "slot")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    stance = models.CharField(max_length=16, choices=Stance.choices)
    slot = models.IntegerField()
    statements = models.BigIntegerField()

    class Meta:
        indexes = [
            # the fold's shares of sessions (slot 0 is the folded one), without reading every party's every day
            models.Index(fields=["slot"], condition=~Q(slot=0), name="party_day_live_idx"),
        ]

    def __str__(self) -> str:
        return f"party {self.party_id} {self.day} {self.stance} (slot {self.slot}): {self.statements}"


class Tally(models.Model):
    """One share of a count the dashboard and the review queue show, kept by triggers (claims/sql/tallies.sql).

    A count is the sum of its rows. Each database session adds its writes to its own row (`slot` is its
    backend's pid), so two ingestion workers never wait on each other's counter row, as they would on one row
    per count; slot 0 holds what finished sessions added (claims.services.tally_fold, run every minute by the
    periodic task claims.fold_tallies). Names: "statements", "statements:pending", "claims:<verdict>" (listed
    claims with that verdict), "parties", "articles" and the others listed in claims/sql/tallies.sql; withdrawn
    statements count in none of them.
    """

    pk = models.CompositePrimaryKey("name", "slot")
    name = models.CharField(max_length=64)
    slot = models.IntegerField()
    n = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} (slot {self.slot}): {self.n}"


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    relation = models.CharField(max_length=16, choices=EvidenceRelation.choices, default=EvidenceRelation.SUPPORTS)
    url = models.URLField(max_length=2000, blank=True)
    article = models.ForeignKey(
        "sources.Article", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_for"
    )
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=EvidenceKind.LINK) & ~Q(url=""))
                | (Q(kind=EvidenceKind.ARTICLE) & Q(article__isnull=False))
                | (Q(kind=EvidenceKind.FILE) & ~Q(file="")),
                name="evidence_kind_has_its_target",
            ),
        ]

    def __str__(self) -> str:
        target = self.url or self.article or self.file
        return f"{self.get_kind_display()} {self.get_relation_display().lower()}: {target}"


class StatusChange(models.Model):
    """One verdict change of a claim: the history analysts audit. Written only by claim_set_verdict."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="status_changes")
    from_verdict = models.CharField(max_length=16, choices=Verdict.choices)
    to_verdict = models.CharField(max_length=16, choices=Verdict.choices)
    rationale = models.TextField()
    published = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="verdict_changes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at", "id"]
        get_latest_by = "created_at"
        constraints = [
            # Publishing an unchanged verdict is a change too; nothing else may leave it as it was.
            models.CheckConstraint(
                condition=~Q(from_verdict=F("to_verdict")) | Q(published=True), name="status_change_changes"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="status_change_has_rationale"),
        ]
        indexes = [
            # the claim page's history, newest first.
            models.Index(fields=["claim", "-created_at"], name="status_change_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_verdict} → {self.to_verdict}"


class ClaimMerge(models.Model):
    """One claim folded into another (claims.services.claim_merge): who merged what into what, and when."""

    source = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="merged_away")
    target = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="merges_in")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    statements_moved = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "-created_at", "-id"]
        indexes = [models.Index(fields=["target", "-created_at"], name="claim_merge_target_idx")]

    def __str__(self) -> str:
        return f"claim {self.source_id} into {self.target_id}"


class PartyMerge(models.Model):
    """One party folded into another (claims.services.party_merge): who merged what into what, and when."""

    source = models.OneToOneField(Party, on_delete=models.PROTECT, related_name="merged_away")
    target = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="merges_in")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    statements_moved = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "-created_at", "-id"]
        indexes = [models.Index(fields=["target", "-created_at"], name="party_merge_target_idx")]

    def __str__(self) -> str:
        return f"party {self.source_id} into {self.target_id}"


# --- API access and webhooks ------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A newsroom tool's key to the API. Only a hash is stored; the token is shown once, when made.

    The token acts for its user with the user's role, capped at viewer unless it was made read-write.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the tool that uses it.")
    # The first characters of the token, kept in clear so that a person can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the token, hex.")
    read_write = models.BooleanField(
        default=False, help_text="Off: the token may only read, whatever its user's role."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user", "-created_at"]
        constraints = [
            # every request looks the token up by its hash.
            models.UniqueConstraint(fields=["key_hash"], name="api_token_key_hash_unique"),
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="api_token_hash_is_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WebhookEvent(models.TextChoices):
    CLAIM_CREATED = "claim.created", "A claim was created"
    CLAIM_VERDICT_CHANGED = "claim.verdict_changed", "A claim's verdict changed"
    STATEMENT_CREATED = "statement.created", "A statement was recorded"


class WebhookSubscription(models.Model):
    """A token's request to be told about events: POSTed, signed with HMAC-SHA256, to its target URL."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    target_url = models.URLField(max_length=2000)
    events = ArrayField(models.CharField(max_length=32, choices=WebhookEvent.choices))
    # Kept in clear: signing needs it. Shown to the subscriber once, when the subscription is made.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["token", "id"]
        indexes = [
            # every claim and statement the services write asks which subscriptions want the event.
            GinIndex(fields=["events"], name="webhook_sub_events_gin"),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.events)} → {self.target_url}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event sent to one subscription, with every attempt's outcome: the delivery log."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(unique=True, help_text="Sent as X-Claims-Delivery; the same on every retry.")
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    # [{"at": iso time, "status_code": int | None, "error": str, "duration_ms": int}, ...]
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # a subscription's delivery log, newest first.
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_sub_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.delivery_id} ({self.status})"


class ClaimNote(models.Model):
    """A teammate's note on a claim, kept with its author and time: the working discussion, never public."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="claim_note_not_empty")]
        indexes = [models.Index(fields=["claim", "created_at"], name="claim_note_claim_idx")]

    def __str__(self) -> str:
        return f"note on claim {self.claim_id} by {self.author_id}"


class Watch(models.Model):
    """A user follows a claim or a party: new statements about it and verdict changes notify them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="watches")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, null=True, blank=True, related_name="watches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, party__isnull=True) | Q(claim__isnull=True, party__isnull=False),
                name="watch_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "claim"], condition=Q(claim__isnull=False), name="watch_user_claim"
            ),
            models.UniqueConstraint(
                fields=["user", "party"], condition=Q(party__isnull=False), name="watch_user_party"
            ),
        ]
        indexes = [
            # who watches these claims / parties, for each batch of new statements.
            models.Index(fields=["claim"], condition=Q(claim__isnull=False), name="watch_claim_idx"),
            models.Index(fields=["party"], condition=Q(party__isnull=False), name="watch_party_idx"),
        ]

    def __str__(self) -> str:
        target = f"claim {self.claim_id}" if self.claim_id else f"party {self.party_id}"
        return f"{self.user_id} watches {target}"


class Notification(models.Model):
    """One thing a watcher should know, in their in-app list (and sent by e-mail when they have an address)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A statement or a verdict change told once per watcher, however many of their watches it touches.
            models.UniqueConstraint(
                fields=["user", "statement"], condition=Q(statement__isnull=False),
                name="notification_once_per_statement",
            ),
        ]
        indexes = [
            # a user's list, newest first, and their unread count.
            models.Index(F("user"), F("created_at").desc(), name="notification_user_idx"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.text[:60]}"
