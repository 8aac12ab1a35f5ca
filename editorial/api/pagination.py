"""Cursor pagination: stable pages however many issues are added while a client walks them, and
no count of the whole table before taking a page."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"
