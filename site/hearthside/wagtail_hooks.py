from functools import lru_cache

from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Site

from hearthside.admin_views import PluginsView, can_manage_plugins
from hearthside.extending.activation import active_plugin_labels, is_active
from hearthside.extending.plugins import plugin_for_module


@hooks.register("register_admin_urls")
def register_plugins_url():
    return [path("plugins/", PluginsView.as_view(), name="hearthside_plugins")]


class PluginsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_plugins(request.user)


@hooks.register("register_settings_menu_item")
def register_plugins_menu_item():
    return PluginsMenuItem("Plugins", reverse("hearthside_plugins"), name="plugins", icon_name="plug", order=50)


@hooks.register("register_log_actions")
def register_plugin_log_actions(actions):
    actions.register_action("hearthside.plugin_activated", "Activate plugin", "Plugin activated")
    actions.register_action("hearthside.plugin_deactivated", "Deactivate plugin", "Plugin deactivated")
    actions.register_action("hearthside.plugin_configured", "Configure plugin", "Plugin settings changed")


def _hook_owner(fn):
    """The plugin that registered a Wagtail hook function (or bound method)."""
    owner = getattr(fn, "__self__", None)
    module = type(owner).__module__ if owner is not None else getattr(fn, "__module__", "")
    return plugin_for_module(module)


@lru_cache(maxsize=1)
def _plugin_menu_item_names() -> dict[str, str]:
    """Menu item name -> owning plugin label, for items that plugins register."""
    owned = {}
    for hook_name in ("register_admin_menu_item", "register_settings_menu_item"):
        for fn in hooks.get_hooks(hook_name):
            plugin = _hook_owner(fn)
            if plugin is not None:
                owned[fn().name] = plugin.label
    return owned


def _without_inactive(request, menu_items):
    owned = _plugin_menu_item_names()
    if not owned:
        return
    active = active_plugin_labels(Site.find_for_request(request))
    menu_items[:] = [
        item for item in menu_items if owned.get(item.name) is None or owned[item.name] in active
    ]


@hooks.register("construct_main_menu")
def hide_inactive_plugin_menu_items(request, menu_items):
    _without_inactive(request, menu_items)


@hooks.register("construct_settings_menu")
def hide_inactive_plugin_settings_items(request, menu_items):
    _without_inactive(request, menu_items)


@hooks.register("before_serve_page")
def hide_pages_of_inactive_plugins(page, request, serve_args, serve_kwargs):
    """Pages whose type a plugin defines are served only while it is active:
    they go through Wagtail's own serve view, which the gate middleware
    attributes to the core."""
    plugin = plugin_for_module(type(page).__module__)
    if plugin is not None and not is_active(Site.find_for_request(request), plugin.label):
        raise Http404(f"The plugin “{plugin.meta.name}” is not active on this site.")
