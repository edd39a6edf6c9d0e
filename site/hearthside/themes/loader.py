"""Template loaders that look through the active theme's chain.

``ThemeLoader`` yields ``themes/<theme>/templates/<name>`` for the current
theme, its parents and the default theme, in that order, so a child theme only
holds the templates it changes. ``ThemeCachedLoader`` caches compiled
templates per theme, which is what lets each site switch theme at run time
without a restart.
"""
from django.template import Origin
from django.template.loaders.cached import Loader as CachedLoader
from django.template.loaders.filesystem import Loader as FilesystemLoader
from django.utils._os import safe_join
from django.core.exceptions import SuspiciousFileOperation

from .current import catalogue, current_chain, current_theme_name


class ThemeLoader(FilesystemLoader):
    def get_dirs(self):
        return [str(theme.templates_dir) for theme in catalogue().themes.values()]

    def get_template_sources(self, template_name):
        for theme in current_chain():
            try:
                name = safe_join(str(theme.templates_dir), template_name)
            except SuspiciousFileOperation:
                continue
            yield Origin(name=name, template_name=template_name, loader=self)


class ThemeCachedLoader(CachedLoader):
    def cache_key(self, template_name, skip=None):
        return f"{current_theme_name()}:{super().cache_key(template_name, skip)}"
