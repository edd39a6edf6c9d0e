"""Hearthside's own endpoints under /api/v1/."""
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.models import Site

from hearthside.extending.activation import active_plugin_labels
from hearthside.extending.plugins import installed_plugins
from hearthside.extending.urls import plugin_api_urlpatterns
from hearthside.models import SiteBranding


class SocialLinkSerializer(serializers.Serializer):
    network = serializers.CharField()
    url = serializers.URLField()


class SiteInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    tagline = serializers.CharField()
    hostname = serializers.CharField()
    root_page_id = serializers.IntegerField()
    theme = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    opening_hours = serializers.CharField()
    logo = serializers.DictField(allow_null=True)
    social_links = SocialLinkSerializer(many=True)


class PluginSerializer(serializers.Serializer):
    label = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()
    description = serializers.CharField()
    requires = serializers.ListField(child=serializers.CharField())
    api_root = serializers.CharField(allow_null=True)


class SiteInfoView(APIView):
    """The site the request is for: brand, contact details, social links, theme."""

    permission_classes = [AllowAny]

    @extend_schema(responses=SiteInfoSerializer)
    def get(self, request):
        site = Site.find_for_request(request)
        branding = SiteBranding.for_request(request)
        logo = None
        if branding.logo_id:
            rendition = branding.logo.get_rendition("height-120")
            logo = {
                "url": request.build_absolute_uri(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "alt": branding.logo.default_alt_text,
            }
        data = {
            "name": branding.brand_name or site.site_name,
            "tagline": branding.tagline,
            "hostname": site.hostname,
            "root_page_id": site.root_page_id,
            "theme": branding.theme,
            "email": branding.email,
            "phone": branding.phone,
            "address": branding.address,
            "opening_hours": branding.opening_hours,
            "logo": logo,
            "social_links": [{"network": n, "url": u} for n, u in branding.social_links],
        }
        return Response(SiteInfoSerializer(data).data)


class ActivePluginsView(APIView):
    """Plugins active on the request's site, so a front end knows what to show."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PluginSerializer(many=True))
    def get(self, request):
        active = active_plugin_labels(Site.find_for_request(request))
        api_labels = {pattern.pattern._route.rstrip("/") for pattern in plugin_api_urlpatterns()}
        plugins = [
            {
                "label": plugin.label,
                "name": plugin.meta.name,
                "version": plugin.meta.version,
                "description": plugin.meta.description,
                "requires": list(plugin.meta.requires),
                "api_root": f"/api/v1/{plugin.label}/" if plugin.label in api_labels else None,
            }
            for plugin in installed_plugins()
            if plugin.label in active
        ]
        return Response(PluginSerializer(plugins, many=True).data)


urlpatterns = [
    path("site/", SiteInfoView.as_view(), name="site-info"),
    path("plugins/", ActivePluginsView.as_view(), name="active-plugins"),
    *plugin_api_urlpatterns(),
]
