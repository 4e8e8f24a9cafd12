"""Forms of the sources pages: feeds, submitted URLs and pasted text."""

from django import forms

from sources.models import Outlet


class FeedForm(forms.Form):
    outlet = forms.ModelChoiceField(queryset=Outlet.objects.order_by("name"), empty_label="Choose the outlet")
    url = forms.URLField(label="Feed address (RSS or Atom)", max_length=2000, assume_scheme="https")
    title = forms.CharField(required=False, max_length=300)
    poll_interval_minutes = forms.IntegerField(label="Poll every (minutes)", min_value=1, max_value=24 * 60, initial=15)


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
        return urls


class SubmitTextForm(forms.Form):
    title = forms.CharField(max_length=1000)
    text = forms.CharField(
        label="Article text", widget=forms.Textarea(attrs={"rows": 8}), max_length=500_000,
        help_text="Paste the text only; paragraphs separated by blank lines. It is never shown as HTML.",
    )
    url = forms.URLField(
        required=False, label="Address of the original (if any)", max_length=2000, assume_scheme="https"
    )
    outlet = forms.ModelChoiceField(required=False, queryset=Outlet.objects.order_by("name"), empty_label="Unknown")
    byline = forms.CharField(required=False, max_length=500)
    published_at = forms.DateTimeField(
        required=False, label="Published", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
