"""Query-string filter pieces both apps' API lists use: UTC dates, row ids and web-search syntax."""

from __future__ import annotations

from datetime import UTC

import django_filters as filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field


class _UtcDateTimeField(IsoDateTimeField):
    """ISO 8601 in, UTC out: PostgreSQL refuses offsets past ±15:59 that Python accepts."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("the date is out of range", code="invalid") from None


class DateTimeFilter(filters.IsoDateTimeFilter):
    field_class = _UtcDateTimeField


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


@extend_schema_field(ID_SCHEMA)
class IdFilter(filters.NumberFilter):
    """A row id: a whole number PostgreSQL's bigint can hold (a float or a huge number is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def websearch(value: str) -> SearchQuery:
    """Web-search syntax: words, "quoted phrases", or, -exclusions; English stemming."""
    return SearchQuery(value, config="english", search_type="websearch")
