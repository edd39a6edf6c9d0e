"""The gate: a plugin inactive on the request's site answers 404.

Every view (public URL, API endpoint, admin screen) is traced to the app that
defines it; if that app is a plugin not active on the site, the request stops
here. Plugins never check their own state.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.models import Page, Site

from .activation import active_plugin_labels, is_active
from .plugins import installed_plugins, plugin_for_module


def view_module(view_func) -> str:
    """The module that defines a view: class-based views report their class."""
    owner = (
        getattr(view_func, "view_class", None)  # Django class-based views
        or getattr(view_func, "cls", None)  # DRF APIView / ViewSet
        or view_func
    )
    return getattr(owner, "__module__", "") or ""


def plugin_of_view(view_func):
    return plugin_for_module(view_module(view_func))


class PluginGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        plugin = plugin_of_view(view_func)
        if plugin is None:
            return None
        site = Site.find_for_request(request)
        if not is_active(site, plugin.label):
            raise Http404(f"The plugin “{plugin.meta.name}” is not active on this site.")
        return None


def page_types_of_inactive_plugins(site) -> list:
    """ContentTypes of the page models that plugins inactive on ``site`` define,
    for listings (the API) that must leave such pages out."""
    active = active_plugin_labels(site)
    models = [
        model
        for plugin in installed_plugins()
        if plugin.label not in active
        for model in plugin.get_models()
        if issubclass(model, Page)
    ]
    return list(ContentType.objects.get_for_models(*models).values()) if models else []
