"""Pagination: cursors for the lists that grow without bound, pages for the short reference lists."""

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


class CursorPage(CursorPagination):
    """Stable under inserts: a newsroom tool walking all claims does not skip or repeat rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
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


class NumberedPage(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema):
        return _described(super().get_paginated_response_schema(schema))
