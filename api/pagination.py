from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class CappedPageNumberPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=``, with page_size capped at API_LIMIT_MAX."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.WAGTAILAPI_LIMIT_MAX
