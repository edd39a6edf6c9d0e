"""Which page types take comments, and the Comments panel editors see.

A page type defined outside the core opts in with :class:`CommentsPageMixin`
and puts ``get_comments_panels()`` where it wants the panel::

    class RecipePage(CommentsPageMixin, Page):
        settings_panels = Page.settings_panels + CommentsPageMixin.get_comments_panels()

The core's page types cannot inherit a plugin's mixin (the core must run
without this plugin), so the plugin opts them in itself: the page types named
in the COMMENTS_PAGE_TYPES setting get the same panel added to their settings
tab when the plugin loads, as Wagtail adds its own comments panel to pages.
"""
from __future__ import annotations

from django.apps import apps
from django.conf import settings
from wagtail.admin.panels import InlinePanel
from wagtail.models import Page

PANEL_RELATION = "comment_settings"


class CommentsPanel(InlinePanel):
    """The page's comment settings: open or closed, and when to close."""

    def __init__(self, **kwargs):
        kwargs.setdefault("relation_name", PANEL_RELATION)
        kwargs.setdefault("heading", "Comments")
        kwargs.setdefault("label", "Comment settings")
        kwargs.setdefault("max_num", 1)
        kwargs.setdefault(
            "help_text",
            "Without settings here the page follows the site's comment rules.",
        )
        super().__init__(**kwargs)

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs.pop("relation_name", None)
        return kwargs


class CommentsPageMixin:
    """Mix into a Page subclass to let visitors comment on it."""

    accepts_comments = True

    @classmethod
    def get_comments_panels(cls) -> list:
        return [CommentsPanel()]


def configured_page_types() -> list[type[Page]]:
    models = []
    for dotted in getattr(settings, "COMMENTS_PAGE_TYPES", []):
        try:
            models.append(apps.get_model(dotted))
        except (LookupError, ValueError):
            continue  # reported by the plugin's system check
    return models


def accepts_comments(model) -> bool:
    return bool(getattr(model, "accepts_comments", False)) or model in configured_page_types()


def _has_comments_panel(panels) -> bool:
    return any(isinstance(panel, CommentsPanel) for panel in panels)


def add_panels_to_configured_page_types() -> None:
    """Give each page type in COMMENTS_PAGE_TYPES the Comments panel, unless
    it builds its own edit_handler (then it adds the panel itself)."""
    for model in configured_page_types():
        if "edit_handler" in model.__dict__ or _has_comments_panel(model.settings_panels):
            continue
        # A new list: the inherited one is shared with every other page type.
        model.settings_panels = [*model.settings_panels, CommentsPanel()]
