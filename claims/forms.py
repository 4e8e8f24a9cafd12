"""Forms of the analysts' pages: they parse and validate input; the services decide what is allowed."""

from django import forms

from claims.enums import ClaimKind, EvidenceKind, EvidenceRelation, Role, Stance, Verdict
from claims.models import Party
from claims.selectors import CLAIM_SORTS
from sources.models import Article, Outlet

_DATE = {"type": "date"}
_YES_NO = [("", "Any"), ("yes", "Contested"), ("no", "Not contested")]


class ClaimFilterForm(forms.Form):
    """The claims list's search, filters and sort; all of it lives in the URL so a view can be shared."""

    q = forms.CharField(required=False, label="Search claims", max_length=200)
    verdict = forms.ChoiceField(required=False, choices=[("", "Any verdict"), *Verdict.choices])
    contested = forms.ChoiceField(required=False, choices=_YES_NO)
    party = forms.ModelChoiceField(
        required=False, queryset=Party.objects.order_by("name"), to_field_name="slug", empty_label="Any party"
    )
    stance = forms.ChoiceField(required=False, choices=[("", "Any stance"), *Stance.choices])
    outlet = forms.ModelChoiceField(required=False, queryset=Outlet.objects.order_by("name"), empty_label="Any outlet")
    tag = forms.ChoiceField(required=False, choices=[])
    reported_from = forms.DateField(required=False, label="Reported from", widget=forms.DateInput(attrs=_DATE))
    reported_to = forms.DateField(required=False, label="Reported until", widget=forms.DateInput(attrs=_DATE))
    sort = forms.ChoiceField(
        required=False,
        choices=[("", "Default order"), *((key, label) for key, (label, _) in CLAIM_SORTS.items())],
    )

    def __init__(self, *args, tags: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "Any tag"), *((t, t) for t in tags)]
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Words of the claim, e.g. F-16"})

    def search_arguments(self) -> dict:
        """Keyword arguments for selectors.claim_search; invalid filters are dropped, not fatal."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that are valid
        contested = {"yes": True, "no": False}.get(data.get("contested") or "")
        outlet = data.get("outlet")
        return {
            "q": (data.get("q") or "").strip(),
            "verdict": data.get("verdict") or "",
            "contested": contested,
            "party": data.get("party"),
            "stance": data.get("stance") or "",
            "outlet_id": outlet.pk if outlet else None,
            "tag": data.get("tag") or "",
            "reported_from": data.get("reported_from"),
            "reported_to": data.get("reported_to"),
            "sort": data.get("sort") or "",
        }


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text="Why: what the evidence shows. It is kept in the claim's history.",
    )
    publish = forms.BooleanField(required=False, label="Publish this verdict")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, role: Role | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if role not in (Role.EDITOR, Role.ADMIN):
            # Analysts propose by moving a claim to "in review"; the service refuses anything else anyway.
            self.fields["verdict"].choices = [(Verdict.IN_REVIEW.value, Verdict.IN_REVIEW.label)]
            self.fields["verdict"].label = "Propose"
            del self.fields["publish"]


class ClaimEditForm(forms.Form):
    text = forms.CharField(label="Canonical wording", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    kind = forms.ChoiceField(choices=ClaimKind.choices)
    tags = forms.CharField(required=False, max_length=500, help_text="Separated by commas.")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_tags(self) -> list[str]:
        return [t.strip().lower() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class ClaimMergeForm(forms.Form):
    target = forms.IntegerField(
        label="Merge this claim into claim number", min_value=1,
        help_text="The other claim keeps its wording and gains this claim's statements and evidence.",
    )
    confirm = forms.BooleanField(label="I understand this claim will be folded into the other one")


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=[c for c in EvidenceKind.choices if c[0] != EvidenceKind.FILE])
    relation = forms.ChoiceField(choices=EvidenceRelation.choices)
    url = forms.URLField(required=False, label="Link", max_length=2000, assume_scheme="https")
    article = forms.ModelChoiceField(required=False, queryset=Article.objects.order_by("-published_at", "-id"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ReviewForm(forms.Form):
    """One review decision, with optional corrections made before it."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    party = forms.ModelChoiceField(required=False, queryset=Party.objects.all())
    claim = forms.IntegerField(required=False, min_value=1)
    stance = forms.ChoiceField(required=False, choices=[("", "Keep"), *Stance.choices])
    version = forms.IntegerField(required=False)


class BulkReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    statements = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is allowed through; the view looks each one up and reports the ones that are gone.
        self.fields["statements"].valid_value = lambda value: str(value).isdigit()
