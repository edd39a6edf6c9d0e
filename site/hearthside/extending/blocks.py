"""StreamField blocks that plugins add to page bodies.

A plugin's ``blocks.py`` may define ``body_blocks``, a list of
``(name, block)`` pairs::

    from hearthside.extending.blocks import PluginBlock

    class SignupBlock(PluginBlock):
        heading = blocks.CharBlock()

        class Meta:
            template = "members/blocks/signup.html"

    body_blocks = [("member_signup", SignupBlock())]

The core appends them to the body of every Hearthside page type, so editors
can place them anywhere. Each block must subclass :class:`PluginBlock`,
which renders nothing, on the page and in the pages API, while its plugin is
inactive on the page's site: the gate, for blocks.

Plugin blocks are read when the page models load, which is before plugins'
models are ready: a ``blocks.py`` must not import models at module level.
"""
from __future__ import annotations

import importlib
import importlib.util

from django.core.exceptions import ImproperlyConfigured
from wagtail import blocks

from .activation import is_active
from .plugins import installed_plugins, plugin_for_module


def _site_of(context) -> object | None:
    from wagtail.models import Site

    context = context or {}
    request = context.get("request")
    if request is not None:
        return Site.find_for_request(request)
    page = context.get("page")
    return page.get_site() if page is not None else None


class PluginBlock(blocks.StructBlock):
    """Base for a plugin's body blocks: shown only where its plugin is active."""

    def owning_plugin(self):
        return plugin_for_module(type(self).__module__)

    def shown_in(self, context) -> bool:
        plugin = self.owning_plugin()
        return plugin is None or is_active(_site_of(context), plugin.label)

    def render(self, value, context=None):
        if not self.shown_in(context):
            return ""
        return super().render(value, context)

    def get_api_representation(self, value, context=None):
        if not self.shown_in(context):
            return None
        return super().get_api_representation(value, context)


def plugin_body_blocks(taken_names) -> list[tuple[str, blocks.Block]]:
    """Every installed plugin's ``body_blocks``, checked: each a PluginBlock,
    each name new (not one of ``taken_names`` nor another plugin's)."""
    found: list[tuple[str, blocks.Block]] = []
    names = set(taken_names)
    for plugin in installed_plugins():
        dotted = f"{plugin.name}.blocks"
        if importlib.util.find_spec(dotted) is None:
            continue
        for name, block in getattr(importlib.import_module(dotted), "body_blocks", []):
            if not isinstance(block, PluginBlock):
                raise ImproperlyConfigured(
                    f"{dotted}.body_blocks: the block {name!r} must subclass "
                    "hearthside.extending.blocks.PluginBlock, so it hides while the plugin is inactive."
                )
            if name in names:
                raise ImproperlyConfigured(
                    f"{dotted}.body_blocks: the block name {name!r} is already taken; prefix it with "
                    f"the plugin's label, e.g. '{plugin.label}_{name}'."
                )
            names.add(name)
            found.append((name, block))
    return found
