"""The default pagination of DRF list views under /api/v1/ (plugins' lists).

``?page=`` and ``?page_size=`` (default ``REST_FRAMEWORK["PAGE_SIZE"]``, 20).
A ``page_size`` above ``WAGTAILAPI_LIMIT_MAX`` (the same cap as /api/v2/'s
``?limit``) is lowered to it rather than refused, as DRF does; a page past
the end answers 404 ``{"detail": "Invalid page."}``.
"""
from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class CappedPageNumberPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=``, with page_size capped at WAGTAILAPI_LIMIT_MAX."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.WAGTAILAPI_LIMIT_MAX
