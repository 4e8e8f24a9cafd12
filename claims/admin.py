"""Admin for parties, claims, statements, evidence and verdict history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from claims.models import Claim, Evidence, Party, PartyAlias, Statement, StatusChange
from claims.normalise import normalise_mention
from claims.services import claim_tags_normalise, party_alias_check, party_parent_check, party_update


class PartyAliasForm(forms.ModelForm):
    """The services' rule for aliases (one party per mention, whatever its spelling) as a form error, not a 500."""

    class Meta:
        model = PartyAlias
        fields = ["party", "text"]

    def clean(self):
        data = super().clean()
        party = data.get("party") or getattr(self.instance, "party", None)
        if party is not None and data.get("text"):
            try:
                party_alias_check(party=party, text=data["text"], alias_id=self.instance.pk)
            except ValidationError as exc:
                self.add_error("text", exc)
        return data


class PartyAliasFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            text = form.cleaned_data.get("text") if hasattr(form, "cleaned_data") else None
            if not text or form.cleaned_data.get("DELETE"):
                continue
            key = normalise_mention(text)
            if key in seen:
                raise ValidationError(f"{seen[key]!r} and {text!r} are the same alias twice; keep one of them")
            seen[key] = text


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    form = PartyAliasForm
    formset = PartyAliasFormSet
    fields = ["text"]
    extra = 1


class PartyAdminForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["slug", "name", "kind", "parent", "country", "origin", "review_state"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            try:
                party_parent_check(party=self.instance, parent=cleaned.get("parent"))  # as party_update checks
            except ValidationError as exc:
                self.add_error("parent", exc)
        return cleaned


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyAdminForm
    list_display = ["name", "kind", "parent", "country", "origin", "review_state"]
    list_filter = ["kind", "origin", "review_state"]
    search_fields = ["name", "slug", "aliases__text"]
    raw_id_fields = ["parent"]
    inlines = [PartyAliasInline]

    def save_model(self, request, obj, form, change):
        # Through the service, as the pages and imports: the normalised name is kept, the parent checked.
        party_update(party=obj, name=obj.name, kind=obj.kind, parent=obj.parent, country=obj.country)


@admin.register(PartyAlias)
class PartyAliasAdmin(admin.ModelAdmin):
    form = PartyAliasForm
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
