"""The two kinds of hook: actions (WordPress ``do_action``) and filters
(``apply_filters``).

Each hook is a module-level object, so a misspelt hook name is an ImportError
rather than a hook that silently never fires. Receivers are delivered only if
the plugin that owns them is active on the site in question; receivers that
belong to no plugin (the core, a test) always are.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

from django.conf import settings

from .activation import active_plugin_labels
from .plugins import plugin_for_module

logger = logging.getLogger("hearthside.hooks")

DEFAULT_PRIORITY = 100


@dataclass(frozen=True)
class Receiver:
    function: Callable
    priority: int
    plugin: str | None  # owning plugin's app label; None means always delivered

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


class _Hook:
    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Receiver] = []

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    def connect(self, function=None, *, priority: int = DEFAULT_PRIORITY, plugin: str | None = None):
        """Register ``function``; lower priority runs first. Works as a decorator.

        The owning plugin is found from the function's module; pass ``plugin``
        to name it explicitly.
        """
        if function is None:
            return lambda fn: self.connect(fn, priority=priority, plugin=plugin)
        if plugin is None:
            owner = plugin_for_module(function.__module__)
            plugin = owner.label if owner else None
        receiver = Receiver(function, priority, plugin)
        if all(r.function is not function for r in self._receivers):
            self._receivers.append(receiver)
            # Stable sort keeps registration order among equal priorities.
            self._receivers.sort(key=lambda r: r.priority)
        return function

    def disconnect(self, function) -> None:
        self._receivers = [r for r in self._receivers if r.function is not function]

    @contextmanager
    def connected(self, function, **options):
        """Connect ``function`` for the duration of a ``with`` block (for tests)."""
        self.connect(function, **options)
        try:
            yield function
        finally:
            self.disconnect(function)

    def receivers_for(self, site) -> list[Receiver]:
        """Receivers to deliver to on ``site``, in priority order."""
        if not self._receivers:
            return []
        active = active_plugin_labels(site)
        return [r for r in self._receivers if r.plugin is None or r.plugin in active]

    def _call(self, receiver: Receiver, *args, **kwargs):
        try:
            return True, receiver.function(*args, **kwargs)
        except Exception:
            if getattr(settings, "HEARTHSIDE_HOOKS_RAISE", False):
                raise
            logger.exception("Receiver %s of hook %s failed", receiver.name, self.name)
            return False, None


class Action(_Hook):
    """A hook whose receivers do something; ``send`` collects what they return."""

    def send(self, site, **kwargs) -> list[tuple[Receiver, Any]]:
        """Call each active receiver as ``fn(site=site, **kwargs)``.

        Returns ``[(receiver, result), ...]``; a receiver that raises is logged
        and left out (or re-raised when HEARTHSIDE_HOOKS_RAISE is set).
        """
        results = []
        for receiver in self.receivers_for(site):
            ok, result = self._call(receiver, site=site, **kwargs)
            if ok:
                results.append((receiver, result))
        return results


class Filter(_Hook):
    """A hook whose receivers each transform a value in turn."""

    def apply(self, site, value, **kwargs):
        """Pass ``value`` through ``fn(value, site=site, **kwargs)`` of each
        active receiver and return the final value. A receiver that raises is
        skipped, leaving the value as it was."""
        for receiver in self.receivers_for(site):
            ok, result = self._call(receiver, value, site=site, **kwargs)
            if ok:
                value = result
        return value
