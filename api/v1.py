"""Hearthside's own endpoints under /api/v1/, and every plugin's.

- ``GET /api/v1/site/``: the site the request is for (by Host header): brand,
  contact details, social links, theme and logo.
- ``GET /api/v1/plugins/``: the plugins active on that site, with their
  metadata and API root.
- ``/api/v1/<plugin label>/...``: each installed plugin's ``api.py``
  ``urlpatterns``; the gate middleware answers 404 while the plugin is
  inactive on the site.

Endpoints are read-only and public. Errors are DRF's JSON
``{"detail": "..."}``. Authentication (for plugins' endpoints that need it):
``Authorization: Bearer <key>`` (or ``Token <key>``, see :mod:`api.auth`) for
apps, the session cookie plus the CSRF token for browsers (DRF enforces CSRF
on unsafe methods for session users).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.api.utils import get_full_url
from wagtail.models import Site

from hearthside.extending.activation import active_plugin_labels
from hearthside.extending.plugins import installed_plugins
from hearthside.extending.urls import plugin_api_urlpatterns
from hearthside.models import SiteBranding
from hearthside.themes.current import usable_theme_name

LOGO_SPEC = "max-400x160"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


NO_SITE = OpenApiResponse(ErrorSerializer, description="No site is configured for this host.")


def _site_or_404(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is configured for this host.")
    return site


class SocialLinkSerializer(serializers.Serializer):
    network = serializers.CharField(help_text="Facebook, Instagram, LinkedIn, YouTube, Mastodon or X.")
    url = serializers.URLField()


class LogoSerializer(serializers.Serializer):
    url = serializers.URLField(help_text=f"The logo scaled to fit {LOGO_SPEC.removeprefix('max-')}.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField()
    original_url = serializers.URLField(help_text="The uploaded file, full size.")


class SiteInfoSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The brand name, or the site's name if none is set.")
    tagline = serializers.CharField(allow_blank=True)
    hostname = serializers.CharField()
    root_url = serializers.URLField()
    root_page_id = serializers.IntegerField(help_text="The home page, at /api/v2/pages/<id>/.")
    theme = serializers.CharField(help_text="The theme the website is drawn with.")
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    opening_hours = serializers.CharField(allow_blank=True)
    logo = LogoSerializer(allow_null=True)
    social_links = SocialLinkSerializer(many=True, help_text="Only the networks that are filled in.")


class PluginSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The plugin's app label: its endpoints are at /api/v1/<label>/.")
    name = serializers.CharField()
    version = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    author = serializers.CharField(allow_blank=True)
    requires = serializers.ListField(child=serializers.CharField(), help_text="Labels of plugins it needs.")
    api_root = serializers.URLField(allow_null=True, help_text="Where its API lives, or null if it has none.")


class SiteInfoView(APIView):
    """The site the request is for: brand, contact details, social links, theme and logo."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="site_retrieve",
        summary="This site",
        responses={200: SiteInfoSerializer, 404: NO_SITE},
        tags=["site"],
    )
    def get(self, request):
        site = _site_or_404(request)
        branding = SiteBranding.for_request(request)  # cached by the theme middleware
        data = {
            "name": branding.brand_name or site.site_name or site.hostname,
            "tagline": branding.tagline,
            "hostname": site.hostname,
            "root_url": site.root_url,
            "root_page_id": site.root_page_id,
            "theme": usable_theme_name(branding.theme),
            "email": branding.email,
            "phone": branding.phone,
            "address": branding.address,
            "opening_hours": branding.opening_hours,
            "logo": self._logo(request, branding),
            "social_links": [{"network": network, "url": url} for network, url in branding.social_links],
        }
        return Response(SiteInfoSerializer(data).data)

    def _logo(self, request, branding):
        if not branding.logo_id:
            return None
        image = branding.logo
        rendition = image.get_rendition(LOGO_SPEC)
        return {
            "url": get_full_url(request, rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": image.default_alt_text,
            "original_url": get_full_url(request, image.file.url),
        }


@dataclass(frozen=True)
class _PluginEntry:
    label: str
    data: dict  # everything but api_root, which depends on the request's host
    api_path: str | None


# Installed plugins and their api.py modules are fixed when the process starts:
# find the plugin endpoints once, for the URLconf and for ActivePluginsView.
PLUGIN_API_URLPATTERNS = plugin_api_urlpatterns()


@cache
def _plugin_entries() -> tuple[_PluginEntry, ...]:
    api_labels = {str(pattern.pattern).strip("/") for pattern in PLUGIN_API_URLPATTERNS}
    return tuple(
        _PluginEntry(
            label=plugin.label,
            data={
                "label": plugin.label,
                "name": plugin.meta.name,
                "version": plugin.meta.version,
                "description": plugin.meta.description,
                "author": plugin.meta.author,
                "requires": list(plugin.meta.requires),
            },
            api_path=f"/api/v1/{plugin.label}/" if plugin.label in api_labels else None,
        )
        for plugin in installed_plugins()
    )


class ActivePluginsView(APIView):
    """The plugins active on the request's site, so a front end knows what to show."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="plugins_list",
        summary="Plugins active on this site",
        responses={200: PluginSerializer(many=True), 404: NO_SITE},
        tags=["plugins"],
    )
    def get(self, request):
        active = active_plugin_labels(_site_or_404(request))
        plugins = [
            {**entry.data, "api_root": get_full_url(request, entry.api_path) if entry.api_path else None}
            for entry in _plugin_entries()
            if entry.label in active
        ]
        return Response(PluginSerializer(plugins, many=True).data)


urlpatterns = [
    path("site/", SiteInfoView.as_view(), name="site-info"),
    path("plugins/", ActivePluginsView.as_view(), name="active-plugins"),
    *PLUGIN_API_URLPATTERNS,
]
