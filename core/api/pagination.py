"""Pagination: cursors for the lists that grow without bound, pages for the short reference lists."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

_DESCRIPTIONS = {
    "count": "How many items match, over all pages.",
    "next": "Address of the next page; null on the last one.",
    "previous": "Address of the previous page; null on the first one.",
    "results": "This page's items.",
}


def _described(schema: dict) -> dict:
    for name, prop in schema.get("properties", {}).items():
        prop.setdefault("description", _DESCRIPTIONS.get(name, ""))
    return schema


class _StrictPageSize:
    """page_size must be a whole number from 1 to max_page_size, as the schema says; DRF's own pagination
    silently falls back to the default for anything else, which hides a client's mistake."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [f"a whole number from 1 to {self.max_page_size}"]})
        return int(raw)

    def _bounded(self, parameters: list[dict]) -> list[dict]:
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

    def get_schema_operation_parameters(self, view):
        return self._bounded(super().get_schema_operation_parameters(view))


class CursorPage(_StrictPageSize, CursorPagination):
    """Stable under inserts: a newsroom tool walking all claims does not skip or repeat rows."""

    page_size = 50
    # Views set their own ordering; a non-null, nearly unique field first (see DRF's cursor notes).
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        """The view's (or ?ordering=) sort, then id: ties must sort the same way on every page or rows get lost."""
        ordering = tuple(super().get_ordering(request, queryset, view))
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering += ("-id" if ordering[0].startswith("-") else "id",)
        return ordering

    def get_paginated_response_schema(self, schema):
        return _described(super().get_paginated_response_schema(schema))


class NumberedPage(_StrictPageSize, PageNumberPagination):
    page_size = 100

    def get_paginated_response_schema(self, schema):
        return _described(super().get_paginated_response_schema(schema))
