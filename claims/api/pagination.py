"""Pagination: cursors for the lists that grow without bound, pages for the short reference lists."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class CursorPage(CursorPagination):
    """Stable under inserts: a newsroom tool walking all claims does not skip or repeat rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Views set their own ordering; a non-null, nearly unique field first (see DRF's cursor notes).
    ordering = "-id"


class NumberedPage(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
