"""Which plugins are active on which Wagtail Site: the one place that decides.

Hooks, slots, plugin URLs, API endpoints and admin menu items all ask
:func:`active_plugin_labels`; no plugin checks its own state.
"""
from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from wagtail.log_actions import log

from .plugins import PluginConfig, get_plugin, installed_plugins

CACHE_SECONDS = 60


class PluginActivationError(Exception):
    """Raised with a message fit to show an editor when a change is refused."""


def _cache_key(site_id: int) -> str:
    return f"hearthside:plugins:v2:{site_id}"


def _effective(chosen: dict[str, bool]) -> frozenset[str]:
    """Chosen states minus plugins whose requirements are not all active."""
    plugins = {p.label: p for p in installed_plugins()}
    active = {
        label
        for label, plugin in plugins.items()
        if chosen.get(label, plugin.meta.default_active)
    }
    changed = True
    while changed:
        changed = False
        for label in list(active):
            if any(req not in active for req in plugins[label].meta.requires):
                active.discard(label)
                changed = True
    return frozenset(active)


def _plugin_state(site) -> tuple[frozenset[str], dict[str, dict]]:
    """(the labels of the plugins active on ``site``, each plugin's stored
    configuration): one query, kept in the cache across requests and on the
    Site instance for its lifetime (a request). Every save of an activation
    forgets it; a saved change that a caller's transaction then rolls back
    is forgotten at most CACHE_SECONDS later."""
    memo = getattr(site, "_hearthside_plugin_state", None)
    if memo is not None:
        return memo
    state = cache.get(_cache_key(site.pk))
    if state is None:
        from hearthside.models import PluginActivation

        rows = PluginActivation.objects.filter(site=site).values_list("plugin", "active", "config")
        chosen, configs = {}, {}
        for label, active, config in rows:
            chosen[label] = active
            configs[label] = config or {}
        state = (_effective(chosen), configs)
        cache.set(_cache_key(site.pk), state, CACHE_SECONDS)
    site._hearthside_plugin_state = state
    return state


def active_plugin_labels(site) -> frozenset[str]:
    """App labels of the plugins active on ``site`` (a Wagtail Site or None).
    Hooks and slots ask at most once per request (see ``_plugin_state``)."""
    if site is None:
        return frozenset()
    return _plugin_state(site)[0]


def is_active(site, label: str) -> bool:
    return label in active_plugin_labels(site)


def forget_cached_state(site) -> None:
    cache.delete(_cache_key(site.pk))
    if hasattr(site, "_hearthside_plugin_state"):
        del site._hearthside_plugin_state


def _require_plugin(label: str) -> PluginConfig:
    plugin = get_plugin(label)
    if plugin is None:
        raise PluginActivationError(f"There is no installed plugin called “{label}”.")
    return plugin


def _set_state(site, plugin: PluginConfig, active: bool, user) -> None:
    from hearthside.models import PluginActivation

    with transaction.atomic():
        row, _ = PluginActivation.objects.select_for_update().get_or_create(
            site=site, plugin=plugin.label, defaults={"active": active}
        )
        row.active = active
        row.save(update_fields=["active"])
        log(
            row,
            "hearthside.plugin_activated" if active else "hearthside.plugin_deactivated",
            user=user,
            data={"plugin": plugin.label, "site": site.hostname},
        )
        # installed()/uninstalled() must see the new state; if they fail, the
        # whole change rolls back and the editor is told why.
        forget_cached_state(site)
        try:
            plugin.installed(site) if active else plugin.uninstalled(site)
        except Exception as error:
            forget_cached_state(site)
            verb = "set up" if active else "wound down"
            raise PluginActivationError(
                f"“{plugin.meta.name}” could not be {verb} on this site ({error}); nothing was changed."
            ) from error
    # Again after commit: another request may have cached the old state meanwhile.
    forget_cached_state(site)


def activate(site, label: str, user=None) -> PluginConfig:
    """Activate plugin ``label`` on ``site``.

    Raises PluginActivationError if a plugin it requires is not active there.
    """
    plugin = _require_plugin(label)
    active = active_plugin_labels(site)
    missing = [req for req in plugin.meta.requires if req not in active]
    if missing:
        names = ", ".join(_display_name(req) for req in missing)
        raise PluginActivationError(
            f"“{plugin.meta.name}” needs {names} to be active on this site first."
        )
    _set_state(site, plugin, True, user)
    return plugin


def deactivate(site, label: str, user=None) -> PluginConfig:
    """Deactivate plugin ``label`` on ``site``.

    Raises PluginActivationError if another active plugin requires it.
    """
    plugin = _require_plugin(label)
    active = active_plugin_labels(site)
    dependants = [
        other for other in installed_plugins()
        if other.label in active and label in other.meta.requires
    ]
    if dependants:
        names = ", ".join(f"“{other.meta.name}”" for other in dependants)
        raise PluginActivationError(
            f"“{plugin.meta.name}” is needed by {names}; deactivate "
            f"{'it' if len(dependants) == 1 else 'them'} first."
        )
    _set_state(site, plugin, False, user)
    return plugin


def plugin_config(site, label: str) -> dict:
    """The JSON configuration plugin ``label`` keeps for ``site`` ({} if none),
    a copy the caller may change."""
    return dict(_plugin_state(site)[1].get(label) or {})


def save_plugin_config(site, label: str, config: dict, user=None) -> None:
    """Store ``config`` as plugin ``label``'s configuration on ``site`` (audit-logged).

    Saving does not change whether the plugin is active."""
    from hearthside.models import PluginActivation

    plugin = _require_plugin(label)
    try:
        with transaction.atomic():
            row, _ = PluginActivation.objects.select_for_update().get_or_create(
                site=site, plugin=label, defaults={"active": label in active_plugin_labels(site)}
            )
            row.config = config
            row.save(update_fields=["config"])
            log(
                row,
                "hearthside.plugin_configured",
                user=user,
                data={"plugin": plugin.label, "site": site.hostname},
            )
    finally:
        # The PluginActivation receiver forgets the state on save and on commit;
        # this also forgets what was read inside a transaction that rolled back.
        forget_cached_state(site)


def _display_name(label: str) -> str:
    plugin = get_plugin(label)
    return f"“{plugin.meta.name}”" if plugin else f"“{label}” (not installed)"
