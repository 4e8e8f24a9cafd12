"""Forms of the analysts' pages: they parse and validate input; the services decide what is allowed."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.safestring import mark_safe

from claims.enums import ClaimKind, EvidenceKind, EvidenceRelation, Origin, PartyKind, Stance, Verdict
from claims.models import Party
from claims.selectors import CLAIM_SORTS, QueueFilters, party_resolve
from claims.services import RATIONALE_MAX_LENGTH, claim_tags_normalise
from core.enums import Role
from sources.models import Article, Outlet

_DATE = {"type": "date"}
_YES_NO = [("", "Any"), ("yes", "Contested"), ("no", "Not contested")]


class FastSelect(forms.Select):
    """A <select> rendered by joining strings: Django's template per option takes a second for 20,000 parties.

    `rows`, when set, are (value, label) pairs read at render time instead of `choices` (which Django copies
    and normalises whenever they are assigned).
    """

    rows = None

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.rows if self.rows is not None else self.choices:
            option_value = "" if option_value is None else str(option_value)
            mark = " selected" if option_value in selected else ""
            options.append(f'<option value="{escape(option_value)}"{mark}>{escape(str(label))}</option>')
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{"".join(options)}</select>')  # noqa: S308 -- every piece is escaped above


class _RowChoices:
    """(value, label) rows read when the <select> renders, as plain tuples: no model instance per party."""

    def __init__(self, empty_label: str, queryset, value: str, label: str):
        self.empty_label, self.queryset, self.value, self.label = empty_label, queryset, value, label

    def __iter__(self):
        yield "", self.empty_label
        yield from self.queryset.values_list(self.value, self.label)


class ClaimFilterForm(forms.Form):
    """The claims list's search, filters and sort; all of it lives in the URL so a view can be shared."""

    q = forms.CharField(required=False, label="Search claims", max_length=200)
    verdict = forms.ChoiceField(required=False, choices=[("", "Any verdict"), *Verdict.choices])
    contested = forms.ChoiceField(required=False, choices=_YES_NO)
    # A name, an alias ("Ankara") or the slug a link carries, not a <select> of 20,000 parties (1 MB a page).
    party = forms.CharField(required=False, max_length=300)
    stance = forms.ChoiceField(required=False, choices=[("", "Any stance"), *Stance.choices])
    outlet = forms.ModelChoiceField(
        required=False, queryset=Outlet.objects.order_by("name"), empty_label="Any outlet", widget=FastSelect
    )
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
        # Same options as the fields' own, without building 20,000 Party objects (str(party) is its name).
        self.fields["party"].widget.attrs.update({
            "type": "search", "placeholder": "Any party: a name or alias", "list": "party-suggestions",
            "autocomplete": "off", "hx-get": reverse("claims:party_suggest"), "hx-target": "#party-suggestions",
            "hx-trigger": "input changed delay:250ms", "hx-swap": "innerHTML", "hx-push-url": "false",
        })
        self.fields["outlet"].widget.rows = _RowChoices("Any outlet", Outlet.objects.order_by("name"), "pk", "name")
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Words of the claim, e.g. F-16"})

    def clean_party(self) -> Party | None:
        return _party_typed(self.cleaned_data["party"])

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


class _ClaimPageForm(forms.Form):
    """A form of the claim page, which holds several: each names its fields' ids after itself (no two id_version)."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class VerdictForm(_ClaimPageForm):
    id_prefix = "verdict"
    verdict = forms.ChoiceField(choices=Verdict.choices)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=RATIONALE_MAX_LENGTH,
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


class ClaimEditForm(_ClaimPageForm):
    id_prefix = "edit"
    text = forms.CharField(label="Canonical wording", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    kind = forms.ChoiceField(choices=ClaimKind.choices)
    tags = forms.CharField(required=False, max_length=500, help_text="Separated by commas.")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_tags(self) -> list[str]:
        return claim_tags_normalise(tags=self.cleaned_data["tags"].split(","))


class ClaimMergeForm(_ClaimPageForm):
    id_prefix = "merge"
    target = forms.IntegerField(
        label="Merge this claim into claim number", min_value=1,
        help_text="The other claim keeps its wording and gains this claim's statements and evidence.",
    )
    confirm = forms.BooleanField(label="I understand this claim will be folded into the other one")


class EvidenceForm(_ClaimPageForm):
    id_prefix = "evidence"
    kind = forms.ChoiceField(choices=[c for c in EvidenceKind.choices if c[0] != EvidenceKind.FILE])
    relation = forms.ChoiceField(choices=EvidenceRelation.choices)
    url = forms.URLField(required=False, label="Link", max_length=2000, assume_scheme="https")
    article = forms.ModelChoiceField(required=False, queryset=Article.objects.order_by("-published_at", "-id"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    # A million articles cannot be one <select>: it offers the newest, and any article's id is still accepted.
    ARTICLE_CHOICES = 200

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["article"]
        newest = field.queryset[: self.ARTICLE_CHOICES]
        field.widget = FastSelect()
        field.widget.rows = [("", field.empty_label), *((a.pk, str(a)) for a in newest)]


class ReviewForm(forms.Form):
    """One review decision, with optional corrections made before it."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    # A party's number, slug, name or alias as typed (resolved like a mention): no list of 20,000 parties.
    party = forms.CharField(required=False, max_length=300)
    claim = forms.IntegerField(required=False, min_value=1)
    stance = forms.ChoiceField(required=False, choices=[("", "Keep"), *Stance.choices])
    version = forms.IntegerField(required=False)


    def clean_party(self) -> Party | None:
        return _party_typed(self.cleaned_data["party"])


def _party_typed(value: str) -> Party | None:
    """The party a filter or a correction names: its number, its slug, or a name or alias resolved like a mention."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        party = Party.objects.filter(pk=int(value)).first()
    else:
        party = Party.objects.filter(slug=value).first() or party_resolve(mention=value)
    if party is None:
        raise forms.ValidationError("No party by that name or alias.")
    while party.merged_into_id is not None:  # a merged-away party's slug or number means the party it became
        party = Party.objects.get(pk=party.merged_into_id)
    return party


class QueueFilterForm(forms.Form):
    """The review queue's filters, read from the query string; a bad value is an error under its field."""

    article = forms.IntegerField(required=False, min_value=1, label="Article number")
    claim = forms.IntegerField(required=False, min_value=1, label="Claim number")
    party = forms.CharField(required=False, max_length=300, help_text="A name, alias or slug.")
    origin = forms.ChoiceField(required=False, choices=[("", "Any"), *Origin.choices])
    confidence_min = forms.FloatField(required=False, min_value=0, max_value=1, label="Confidence from")
    confidence_max = forms.FloatField(required=False, min_value=0, max_value=1, label="to")

    def clean_party(self) -> Party | None:
        return _party_typed(self.cleaned_data["party"])

    def clean(self):
        data = super().clean()
        low, high = data.get("confidence_min"), data.get("confidence_max")
        if low is not None and high is not None and low > high:
            self.add_error("confidence_max", "The upper bound is below the lower one.")
        return data

    def filters(self) -> QueueFilters:
        """The filters that parsed; a field with an error is left out (the page says which)."""
        self.is_valid()
        data = self.cleaned_data
        party = data.get("party")
        return QueueFilters(
            article_id=data.get("article"), claim_id=data.get("claim"), party_id=party.pk if party else None,
            origin=data.get("origin") or "", confidence_min=data.get("confidence_min"),
            confidence_max=data.get("confidence_max"),
        )


class BulkReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    statements = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=False)
    # "All of this article's statements waiting (under the queue's filters)": the ids are found on the server.
    article = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if not data.get("statements") and not data.get("article"):
            raise forms.ValidationError("Choose at least one statement and an action.")
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is allowed through; statement_review_bulk passes over the ones that are gone.
        self.fields["statements"].valid_value = lambda value: str(value).isdigit()


class PartyProposalForm(forms.Form):
    """A decision on a machine-proposed party: accept (as named here, of this kind), merge into a party, reject."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("merge", "Merge"), ("reject", "Reject")])
    name = forms.CharField(required=False, max_length=300)
    kind = forms.ChoiceField(required=False, choices=[("", "Keep"), *PartyKind.choices])
    target = forms.CharField(required=False, max_length=300, label="Merge into")

    def clean(self):
        data = super().clean()
        if data.get("action") == "merge":
            try:
                data["target"] = _party_typed(data.get("target") or "")
            except forms.ValidationError as exc:
                self.add_error("target", exc)
                return data
            if data["target"] is None:
                self.add_error("target", "Name the party to merge into (a name, alias or slug).")
        return data


class ClaimProposalForm(forms.Form):
    """A decision on a machine-proposed claim: accept (in the wording given here), merge into a claim, reject."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("merge", "Merge"), ("reject", "Reject")])
    text = forms.CharField(required=False, max_length=5000)
    target = forms.IntegerField(required=False, min_value=1, label="Merge into claim number")

    def clean(self):
        data = super().clean()
        if data.get("action") == "merge" and not data.get("target") and "target" not in self.errors:
            self.add_error("target", "Give the number of the claim to merge into.")
        return data


class ChartRangeForm(forms.Form):
    """The charts' date range from the query string (?from=&to=); empty means the data's own range."""

    start = forms.DateField(required=False)
    end = forms.DateField(required=False)

    def __init__(self, query, *args, **kwargs):
        super().__init__({"start": query.get("from", ""), "end": query.get("to", "")}, *args, **kwargs)

    def dates(self) -> tuple:
        self.is_valid()
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")

    def problem(self) -> str:
        return "A date could not be read (use YYYY-MM-DD); the data's own range is shown." if self.errors else ""
