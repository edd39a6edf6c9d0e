"""Plugin metadata and the registry of installed plugins.

A plugin is a Django app whose AppConfig subclasses :class:`PluginConfig` and
sets ``meta``::

    class ShopConfig(PluginConfig):
        name = "plugins.shop"
        label = "shop"
        meta = PluginMeta(
            name="Shop",
            version="1.0.0",
            description="Sell products from article pages.",
            requires=("members",),
        )

        def installed(self, site): ...    # called when activated on a site
        def uninstalled(self, site): ...  # called when deactivated on a site

Installed plugins are always in INSTALLED_APPS (their models and migrations
exist); whether one is *active* is decided per Wagtail Site, see
``hearthside.extending.activation``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import AppConfig, apps

VERSION_PATTERN = re.compile(r"^\d+(\.\d+){0,2}([.-]?[A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class PluginMeta:
    """What the Plugins screen and the API show about a plugin.

    ``requires`` lists the app labels of plugins that must be active on a
    site before this one can be; ``default_active`` says whether a site that
    never chose activates it.
    """

    name: str
    version: str
    description: str = ""
    requires: tuple[str, ...] = field(default_factory=tuple)
    default_active: bool = False
    author: str = ""

    def problems(self) -> list[str]:
        """Human-readable reasons this metadata is unusable (empty if fine)."""
        found = []
        if not isinstance(self.name, str) or not self.name.strip():
            found.append("meta.name must be a non-empty string")
        if not isinstance(self.version, str) or not VERSION_PATTERN.match(self.version or ""):
            found.append(f"meta.version {self.version!r} is not a version such as '1.0.0'")
        if not isinstance(self.description, str):
            found.append("meta.description must be a string")
        if isinstance(self.requires, str) or not all(isinstance(r, str) for r in self.requires):
            found.append("meta.requires must be a tuple of plugin labels, e.g. ('members',)")
        return found


class PluginConfig(AppConfig):
    """Base AppConfig for every Hearthside plugin."""

    meta: PluginMeta | None = None
    default_auto_field = "django.db.models.BigAutoField"
    # Django picks the one AppConfig in a plugin's apps.py marked default;
    # this base class, imported there, must not count.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "default" not in cls.__dict__:
            cls.default = True

    def installed(self, site) -> None:
        """Called after the plugin is activated on ``site``; set up its data."""

    def uninstalled(self, site) -> None:
        """Called after the plugin is deactivated on ``site``; data is kept."""

    @property
    def plugin_label(self) -> str:
        return self.label


def plugin_configs() -> list[PluginConfig]:
    """Every installed app that is a plugin, usable or not (for the checks)."""
    return [config for config in apps.get_app_configs() if isinstance(config, PluginConfig)]


def installed_plugins() -> list[PluginConfig]:
    """The usable plugins, in INSTALLED_APPS order. A plugin whose metadata is
    missing or broken is left out everywhere (never active, not listed); the
    checks report it."""
    return [config for config in plugin_configs() if config.meta is not None and not config.meta.problems()]


def get_plugin(label: str) -> PluginConfig | None:
    """The installed plugin with app label ``label``, or None."""
    for config in installed_plugins():
        if config.label == label:
            return config
    return None


def plugin_for_module(module: str) -> PluginConfig | None:
    """The plugin that owns the Python module ``module``, or None for the core."""
    config = apps.get_containing_app_config(module)
    return config if isinstance(config, PluginConfig) else None
