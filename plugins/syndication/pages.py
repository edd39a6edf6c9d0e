"""Which page types go out as updates when first published.

A page type defined outside the core opts in with :class:`SyndicatedPageMixin`;
the core's types are named in the SYNDICATION_PAGE_TYPES setting, because
the core must run without this plugin (as with the comments plugin).
"""
from __future__ import annotations

from django.apps import apps
from django.conf import settings


class SyndicatedPageMixin:
    """Mix into a Page subclass to send it to members when first published."""

    syndicated = True


def configured_page_types() -> list:
    models = []
    for dotted in getattr(settings, "SYNDICATION_PAGE_TYPES", []):
        try:
            models.append(apps.get_model(dotted))
        except (LookupError, ValueError):
            continue
    return models


def is_syndicated(page_class) -> bool:
    if getattr(page_class, "syndicated", False):
        return True
    return any(issubclass(page_class, model) for model in configured_page_types())
