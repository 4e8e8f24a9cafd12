"""Query-string filters of the API lists (django-filter), with PostgreSQL full-text search for ?q=."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q

from claims.enums import Origin, PartyKind, ReviewState, Stance, Verdict
from claims.models import Claim, Evidence, Party, Statement, StatusChange
from claims.selectors import claim_filter_statements, claim_filter_text, party_and_below_ids
from claims.services import claim_tags_normalise
from core.api.filters import DateTimeFilter, IdFilter


def party_or_below(prefix: str, party_id: int) -> Q:
    """The party or one up to two levels below it: filtering by a state finds its ministry's statements.

    An IN over the few party ids, not an OR across joins, so that PostgreSQL uses the statements' party index.
    """
    return Q(**{f"{prefix}_id__in": party_and_below_ids(party_id)})


class PartyRefField(forms.CharField):
    """A party by its id or its slug (what a link to its page carries); an unknown slug is an error, not no filter."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        if value.isdigit():
            number = int(value)
            if not 1 <= number <= 2**63 - 1:
                raise forms.ValidationError("A party id is a whole number from 1.")
            return number
        found = Party.objects.filter(slug=value).values_list("pk", "merged_into_id").first()
        if found is None:
            raise forms.ValidationError(f"There is no party with the slug {value[:100]!r}; give its id or its slug.")
        pk, merged_into = found
        seen = {pk}
        # A merged-away party's slug (an old link) means the party it was merged into, as its page does.
        while merged_into is not None and merged_into not in seen:
            seen.add(merged_into)
            pk, merged_into = merged_into, Party.objects.filter(pk=merged_into).values_list(
                "merged_into_id", flat=True).first()
        return pk


class PartyRefFilter(filters.CharFilter):
    field_class = PartyRefField


class ClaimFilter(filters.FilterSet):
    verdict = filters.MultipleChoiceFilter(choices=Verdict.choices, help_text="One or more verdicts (repeat it).")
    contested = filters.BooleanFilter(
        help_text="true: some party asserts or confirms the claim and some party denies it; false: not so."
    )
    published = filters.BooleanFilter(
        method="filter_published", help_text="true: only claims whose verdict is published."
    )
    review_state = filters.ChoiceFilter(choices=ReviewState.choices, help_text="Proposed claims are pending.")
    tag = filters.CharFilter(method="filter_tag", help_text="Claims carrying this tag.")
    reported_after = DateTimeFilter(
        field_name="first_reported_at", lookup_expr="gte", help_text="First reported at or after (ISO 8601)."
    )
    reported_before = DateTimeFilter(
        field_name="first_reported_at", lookup_expr="lte", help_text="First reported at or before (ISO 8601)."
    )
    q = filters.CharFilter(
        method="filter_q",
        help_text='Full-text search of the wording, web-search syntax: words, "a phrase", -not; also the text '
        "as a substring (F-16) and a tag, as on the claims page.",
    )
    # party, stance and outlet describe one statement together; see filter_queryset.
    party = PartyRefFilter(
        method="filter_noop",
        help_text="Claims with a statement by this party or a party under it (its id or its slug).",
    )
    stance = filters.ChoiceFilter(
        choices=Stance.choices, method="filter_noop",
        help_text="Claims with a statement of this stance; with party, that party's stance.",
    )
    outlet = IdFilter(
        method="filter_noop", help_text="Claims reported in an article of this outlet (by id)."
    )

    class Meta:
        model = Claim
        fields = ["verdict", "contested", "review_state"]

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_published(self, queryset, name, value):
        return queryset.filter(verdict_published_at__isnull=not value)

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=claim_tags_normalise(tags=[value]))

    def filter_q(self, queryset, name, value):
        """Claims whose wording matches: the pages' search too (selectors.claim_filter_text)."""
        return claim_filter_text(queryset, q=value)[0]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return claim_filter_statements(
            queryset,
            party_id=int(data["party"]) if data.get("party") is not None else None,
            stance=data.get("stance") or "",
            outlet_id=int(data["outlet"]) if data.get("outlet") is not None else None,
        )


class StatementFilter(filters.FilterSet):
    party = PartyRefFilter(
        method="filter_party", help_text="Statements by this party or a party under it (its id or its slug)."
    )
    stance = filters.MultipleChoiceFilter(choices=Stance.choices, help_text="One or more stances (repeat it).")
    review_state = filters.ChoiceFilter(choices=ReviewState.choices, help_text="pending, accepted or rejected.")
    origin = filters.ChoiceFilter(choices=Origin.choices, help_text="extracted (machine) or analyst.")
    article = IdFilter(field_name="article_id", help_text="Statements in this article (by id).")
    claim = IdFilter(field_name="claim_id", help_text="Statements about this claim (by id).")
    outlet = IdFilter(field_name="article__outlet_id", help_text="Statements in this outlet's articles.")
    unresolved = filters.BooleanFilter(
        field_name="party", lookup_expr="isnull", help_text="true: statements whose speaker is not resolved."
    )
    withdrawn = filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", exclude=True,
        help_text="true: statements a later revision of their article no longer has; false: those it still has.",
    )

    class Meta:
        model = Statement
        fields = ["stance", "review_state", "origin"]

    def filter_party(self, queryset, name, value):
        return queryset.filter(party_or_below("party", int(value)))


class PartyFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PartyKind.choices, help_text="The kind of party.")
    parent = IdFilter(field_name="parent_id", help_text="Parties directly under this one (by id).")
    top_level = filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", help_text="true: parties with no parent."
    )
    q = filters.CharFilter(method="filter_q", help_text="Name or alias contains this text.")

    class Meta:
        model = Party
        fields = ["kind"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(aliases__text__icontains=value)).distinct()


class EvidenceFilter(filters.FilterSet):
    claim = IdFilter(field_name="claim_id", help_text="Evidence for this claim (by id).")

    class Meta:
        model = Evidence
        fields = ["kind", "relation"]


class StatusChangeFilter(filters.FilterSet):
    claim = IdFilter(field_name="claim_id", help_text="Verdict changes of this claim (by id).")
    published = filters.BooleanFilter(help_text="true: changes that published a verdict.")
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="At or after (ISO 8601).")

    class Meta:
        model = StatusChange
        fields = ["to_verdict"]
