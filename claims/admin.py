"""Admin for parties, claims, statements, evidence and verdict history."""

from django.contrib import admin

from claims.models import Claim, Evidence, Party, PartyAlias, Statement, StatusChange
from claims.services import claim_tags_normalise


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    fields = ["text"]
    extra = 1


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "country", "origin", "review_state"]
    list_filter = ["kind", "origin", "review_state"]
    search_fields = ["name", "slug", "aliases__text"]
    raw_id_fields = ["parent"]
    inlines = [PartyAliasInline]


@admin.register(PartyAlias)
class PartyAliasAdmin(admin.ModelAdmin):
    list_display = ["text", "party"]
    search_fields = ["text", "party__name"]
    list_filter = ["party__kind"]
    raw_id_fields = ["party"]


class StatementInline(admin.TabularInline):
    model = Statement
    fk_name = "claim"
    fields = ["party", "speaker_text", "stance", "cue", "quote", "review_state"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ["created_at", "from_verdict", "to_verdict", "published", "actor", "rationale"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "verdict", "kind", "first_reported_at", "origin", "review_state"]
    list_filter = ["verdict", "kind", "origin", "review_state"]
    search_fields = ["text", "slug", "tags"]
    raw_id_fields = ["merged_into"]
    # Verdicts change only through claim_set_verdict, which records the history.
    readonly_fields = ["verdict", "rationale", "verdict_published_at", "version"]
    inlines = [StatementInline, StatusChangeInline]

    def save_model(self, request, obj, form, change):
        obj.tags = claim_tags_normalise(tags=obj.tags or [])  # stored as the services store them, so search finds them
        super().save_model(request, obj, form, change)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "stance", "origin", "review_state", "confidence"]
    list_filter = ["stance", "origin", "review_state", "quotation"]
    search_fields = ["quote", "speaker_text", "party__name", "claim__text"]
    raw_id_fields = ["revision", "article", "party", "claim", "reviewed_by"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "kind", "relation", "created_at"]
    list_filter = ["kind", "relation"]
    search_fields = ["url", "note", "claim__text"]
    raw_id_fields = ["claim", "article", "added_by"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["claim", "from_verdict", "to_verdict", "published", "actor", "created_at"]
    list_filter = ["to_verdict", "published"]
    search_fields = ["claim__text", "rationale"]

    def has_change_permission(self, request, obj=None):
        return False  # history is written once, by claim_set_verdict

    def has_add_permission(self, request):
        return False
