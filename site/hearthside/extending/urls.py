"""Mounting plugins' URLs.

A plugin's ``urls.py`` is mounted at ``/<url_prefix>/`` (``url_prefix`` on its
PluginConfig, default its label) and its ``api.py`` ``urlpatterns`` at
``/api/v1/<label>/``. The gate middleware answers 404 for either while the
plugin is inactive on the request's site.
"""
import importlib
import importlib.util

from django.urls import include, path

from .plugins import installed_plugins


def _submodule(plugin, name):
    dotted = f"{plugin.name}.{name}"
    if importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def plugin_urlpatterns():
    patterns = []
    for plugin in installed_plugins():
        module = _submodule(plugin, "urls")
        if module is not None:
            prefix = getattr(plugin, "url_prefix", plugin.label).strip("/")
            patterns.append(path(f"{prefix}/", include((module.urlpatterns, plugin.label))))
    return patterns


def plugin_api_urlpatterns():
    patterns = []
    for plugin in installed_plugins():
        module = _submodule(plugin, "api")
        if module is not None and hasattr(module, "urlpatterns"):
            patterns.append(
                path(f"{plugin.label}/", include((module.urlpatterns, f"api-{plugin.label}")))
            )
    return patterns
