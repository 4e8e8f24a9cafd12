"""Forms of the sources pages: feeds, submitted URLs and pasted text."""

from django import forms

from core.urlguard import url_refusal
from sources.models import Feed, Outlet


def url_guard(value: str) -> None:
    """A form validator: the SSRF guard's own message for an address the tracker never fetches."""
    refusal = url_refusal(value)
    if refusal is not None:
        raise forms.ValidationError(refusal, code="refused")


class GuardedURLField(forms.URLField):
    """A URL field that runs the SSRF guard first, so that `http://0177.0.0.1/` gets the guard's reason
    (a private address) instead of Django's "Enter a valid URL", and `ftp:` is refused as the fetch would."""

    def run_validators(self, value) -> None:
        if value not in self.empty_values:
            url_guard(value)
        super().run_validators(value)


class FeedForm(forms.Form):
    """A feed of a known outlet, or of a new one made with it (its name, and its domain unless the feed's host is)."""

    url = GuardedURLField(label="Feed address (RSS or Atom)", max_length=2000, assume_scheme="https")
    outlet = forms.ModelChoiceField(
        required=False, queryset=Outlet.objects.order_by("name"), empty_label="A new outlet (name it below)",
    )
    new_outlet_name = forms.CharField(required=False, max_length=200, label="New outlet's name")
    new_outlet_domain = forms.CharField(
        required=False, max_length=253, label="New outlet's domain",
        help_text="Left empty: the feed's host, without www.",
    )
    title = forms.CharField(required=False, max_length=300)
    poll_interval_minutes = forms.IntegerField(label="Poll every (minutes)", min_value=1, max_value=24 * 60, initial=15)

    def __init__(self, *args, **kwargs):
        # The sources page also holds the pasted-text form, with its own url, title and outlet: ids of their own.
        kwargs.setdefault("auto_id", "feed_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("outlet") is None and not (data.get("new_outlet_name") or "").strip():
            self.add_error("new_outlet_name", "Choose the outlet in the list, or name the new outlet here.")
        elif data.get("outlet") is not None and (data.get("new_outlet_name") or "").strip():
            self.add_error("new_outlet_name", "Either choose an outlet or name a new one, not both.")
        return data


class SubmitUrlsForm(forms.Form):
    urls = forms.CharField(
        label="Article addresses", widget=forms.Textarea(attrs={"rows": 3}), max_length=20000,
        help_text="One per line. A known address is fetched again, and a changed text becomes a new revision.",
    )

    def clean_urls(self) -> list[str]:
        urls = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if not urls:
            raise forms.ValidationError("Give at least one address.")
        if len(urls) > 100:
            raise forms.ValidationError("At most 100 addresses at a time.")
        refusals = [refusal for refusal in map(url_refusal, urls) if refusal is not None]
        if refusals:
            raise forms.ValidationError(refusals)
        return urls


class SubmitTextForm(forms.Form):
    title = forms.CharField(max_length=1000)
    text = forms.CharField(
        label="Article text", widget=forms.Textarea(attrs={"rows": 8}), max_length=500_000,
        help_text="Paste the text only; paragraphs separated by blank lines. It is never shown as HTML.",
    )
    url = GuardedURLField(
        required=False, label="Address of the original (if any)", max_length=2000, assume_scheme="https"
    )
    outlet = forms.ModelChoiceField(required=False, queryset=Outlet.objects.order_by("name"), empty_label="Unknown")
    byline = forms.CharField(required=False, max_length=500)
    published_at = forms.DateTimeField(
        required=False, label="Published", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class FeedAdminForm(forms.ModelForm):
    """The admin's feed form: only what the fetch would take (http and https, never a private address)."""

    url = GuardedURLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = Feed
        fields = ["outlet", "url", "title", "poll_interval_minutes", "is_active"]
