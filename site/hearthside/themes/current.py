"""The theme in force for the code running now (one request, one render)."""
from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager

from django.conf import settings

from .manifest import Theme, ThemeCatalogue, load_catalogue

logger = logging.getLogger("hearthside.themes")


class _ThemeOf:
    """A theme named by a lookup that runs the first time something asks
    (a request that renders nothing, such as a redirect, never looks)."""

    def __init__(self, look_up):
        self._look_up = look_up
        self._name: str | None = None

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = usable_theme_name(self._look_up())
        return self._name


_current_theme: contextvars.ContextVar[str | _ThemeOf | None] = contextvars.ContextVar(
    "hearthside_theme", default=None
)


def catalogue() -> ThemeCatalogue:
    return load_catalogue(str(settings.HEARTHSIDE_THEMES_DIR))


def default_theme_name() -> str:
    return settings.HEARTHSIDE_DEFAULT_THEME


def current_theme_name() -> str:
    theme = _current_theme.get()
    if isinstance(theme, _ThemeOf):
        return theme.name
    return theme or default_theme_name()


def current_chain() -> list[Theme]:
    return catalogue().chain(current_theme_name(), default_theme_name())


def usable_theme_name(name: str | None) -> str:
    """``name`` if it is an installed, working theme; otherwise the default."""
    if name and name in catalogue().themes:
        return name
    if name:
        logger.warning("Theme %r is missing or broken; using %r", name, default_theme_name())
    return default_theme_name()


@contextmanager
def using_theme(name: str | None):
    """Render with theme ``name`` (falling back to the default) inside the block."""
    token = _current_theme.set(usable_theme_name(name))
    try:
        yield
    finally:
        _current_theme.reset(token)


@contextmanager
def using_theme_of(look_up):
    """Render inside the block with the theme ``look_up()`` names (falling
    back to the default), looked up only if something renders."""
    token = _current_theme.set(_ThemeOf(look_up))
    try:
        yield
    finally:
        _current_theme.reset(token)


def theme_choices() -> list[tuple[str, str]]:
    return [(t.name, t.display_name) for t in catalogue().themes.values()]
