"""Template slots: places in a theme where active plugins add content.

A theme renders ``{% slot "page.after_body" page=page %}``; a plugin
contributes a :class:`SlotComponent`::

    from hearthside.extending import slots

    @slots.page_after_body.contribute(priority=50)
    class OpeningHours(slots.SlotComponent):
        template_name = "shop/opening_hours.html"

        def data(self, request, page=None, **kwargs):
            return {"hours": "Mon–Fri 8–18"}

``data()`` is the single source of the content: the theme renders it through
``template_name`` and the pages API returns it as JSON, so a headless front
end gets exactly what a theme gets. Returning None contributes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from .activation import active_plugin_labels
from .plugins import plugin_for_module


class SlotComponent:
    """One plugin's contribution to a slot. Subclass and override ``data``."""

    template_name: str | None = None

    def data(self, request, **kwargs) -> dict | None:
        """JSON-serialisable content for this request, or None for nothing."""
        return None

    def render(self, request, data: dict, **kwargs) -> str:
        """HTML for the theme; by default ``template_name`` rendered with
        ``data`` plus the slot's arguments. Templates autoescape, so user text
        in ``data`` is safe."""
        if not self.template_name:
            return ""
        context = {**kwargs, **data, "request": request}
        return render_to_string(self.template_name, context, request=request)


@dataclass(frozen=True)
class Contribution:
    component: SlotComponent
    priority: int
    plugin: str | None

    @property
    def name(self) -> str:
        return type(self.component).__name__


class Slot:
    def __init__(self, name: str, doc: str, wrapped: bool = True):
        self.name = name
        self.__doc__ = doc
        # Inside <head> a wrapping <div> would push contributions into <body>.
        self.wrapped = wrapped
        self._contributions: list[Contribution] = []

    def __repr__(self):
        return f"<Slot {self.name}>"

    def contribute(self, component_class=None, *, priority: int = 100, plugin: str | None = None):
        """Register a SlotComponent subclass (decorator or call)."""
        if component_class is None:
            return lambda cls: self.contribute(cls, priority=priority, plugin=plugin)
        if plugin is None:
            owner = plugin_for_module(component_class.__module__)
            plugin = owner.label if owner else None
        self.withdraw(component_class)
        self._contributions.append(Contribution(component_class(), priority, plugin))
        self._contributions.sort(key=lambda c: c.priority)
        return component_class

    def withdraw(self, component_class) -> None:
        self._contributions = [
            c for c in self._contributions if type(c.component) is not component_class
        ]

    @property
    def contributions(self) -> list[Contribution]:
        return list(self._contributions)

    def active_contributions(self, site) -> list[Contribution]:
        if not self._contributions:
            return []
        active = active_plugin_labels(site)
        return [c for c in self._contributions if c.plugin is None or c.plugin in active]

    def _collect(self, request, site, kwargs):
        for contribution in self.active_contributions(site):
            data = contribution.component.data(request, **kwargs)
            if data is not None:
                yield contribution, data

    def data(self, request, site, **kwargs) -> list[dict]:
        """What the slot holds, as JSON-ready dicts for the API."""
        return [
            {"plugin": c.plugin, "component": c.name, "data": data}
            for c, data in self._collect(request, site, kwargs)
        ]

    def render(self, request, site, **kwargs) -> SafeString:
        """The slot's HTML for a theme, each contribution in its own wrapper."""
        parts = [
            (self.name, c.plugin or "core", mark_safe(c.component.render(request, data, **kwargs)))
            for c, data in self._collect(request, site, kwargs)
        ]
        if not self.wrapped:
            return mark_safe("".join(html for _, _, html in parts))
        return format_html_join(
            "", '<div class="slot-item" data-slot="{}" data-plugin="{}">{}</div>', parts
        )


_registry: dict[str, Slot] = {}


def declare(name: str, doc: str, wrapped: bool = True) -> Slot:
    """Declare a slot once; a second declaration of the same name is an error.

    ``wrapped=False`` renders contributions bare, without the ``<div>`` that
    marks which plugin each came from (for slots inside ``<head>``)."""
    if name in _registry:
        raise ValueError(f"The slot {name!r} is already declared.")
    _registry[name] = slot = Slot(name, doc, wrapped)
    return slot


def get_slot(name: str) -> Slot:
    """The slot called ``name``; KeyError with the known names otherwise."""
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry))
        raise KeyError(f"Unknown slot {name!r}; known slots are: {known}") from None


def all_slots() -> list[Slot]:
    return list(_registry.values())


site_head = declare(
    "site.head",
    "Inside <head> on every page: meta tags, styles. Arguments: ``page`` (may be None).",
    wrapped=False,
)
site_header = declare(
    "site.header",
    "Top of every page, below the navigation: banners, notices. Arguments: ``page`` (may be None).",
)
page_sidebar = declare(
    "page.sidebar",
    "Beside a page's body: related links, signup boxes. Arguments: ``page``.",
)
page_after_body = declare(
    "page.after_body",
    "After a page's body: comments, polls, calls to action. Arguments: ``page``.",
)
card_meta = declare(
    "card.meta",
    "Under a page's card in listings: comment counts, badges. Arguments: ``page``. "
    "Keep it to one query per listing: fetch for every card in a ``listing_pages`` receiver.",
)
site_footer = declare(
    "site.footer",
    "In the footer of every page: newsletter forms, badges. Arguments: ``page`` (may be None).",
)
