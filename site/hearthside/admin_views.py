"""The Wagtail admin's "Plugins" screen: activate plugins per site, see theme health."""
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from hearthside.extending.activation import (
    PluginActivationError,
    activate,
    active_plugin_labels,
    deactivate,
)
from hearthside.extending.plugins import installed_plugins
from hearthside.themes.current import catalogue

MANAGE_PERMISSION = "hearthside.manage_plugins"


class PermissionMenuItem(MenuItem):
    """A menu item shown to users who pass ``allowed(user)``."""

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def is_shown(self, request):
        return self.allowed(request.user)


class SiteScreenMixin(WagtailAdminTemplateMixin):
    """What a plugin's own admin screens share: the request's site as the
    subtitle and in the context, and breadcrumbs from the dashboard through
    the plugin's index (``breadcrumb_root``: (URL name, label)) and any
    ``extra_breadcrumbs()`` to the page itself."""

    breadcrumb_root: tuple[str, str] = ("wagtailadmin_home", "Home")

    @property
    def site(self) -> Site:
        if not hasattr(self, "_site"):
            from hearthside.shortcuts import request_site

            self._site = request_site(self.request)
        return self._site

    @site.setter
    def site(self, value: Site) -> None:
        self._site = value

    def get_page_subtitle(self):
        from hearthside.shortcuts import site_label

        return site_label(self.site)

    def get_breadcrumbs_items(self):
        url_name, label = self.breadcrumb_root
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse(url_name), "label": label},
            *self.extra_breadcrumbs(),
            {"url": "", "label": self.get_page_title()},
        ]

    def extra_breadcrumbs(self) -> list[dict]:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site"] = self.site
        return context


def can_manage_plugins(user) -> bool:
    return user.is_active and user.has_perm(MANAGE_PERMISSION)


class PluginsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "hearthside/admin/plugins.html"
    page_title = "Plugins"
    header_icon = "plug"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_plugins(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "Home"}, {"url": "", "label": "Plugins"}]

    def chosen_site(self):
        sites = Site.objects.order_by("-is_default_site", "hostname")
        site_id = self.request.POST.get("site") or self.request.GET.get("site")
        if site_id and str(site_id).isdigit():
            site = sites.filter(pk=site_id).first()
            if site:
                return site
        return Site.find_for_request(self.request) or sites.first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = self.chosen_site()
        active = active_plugin_labels(site)
        plugins = installed_plugins()
        names = {p.label: p.meta.name for p in plugins}
        context.update(
            site=site,
            sites=Site.objects.order_by("-is_default_site", "hostname"),
            plugins=[
                {
                    "label": plugin.label,
                    "meta": plugin.meta,
                    "active": plugin.label in active,
                    "requires": [names.get(r, r) for r in plugin.meta.requires],
                    "needed_by": [
                        other.meta.name
                        for other in plugins
                        if plugin.label in other.meta.requires
                    ],
                }
                for plugin in plugins
            ],
            themes=catalogue().themes.values(),
            theme_problems=catalogue().problems,
        )
        return context

    def post(self, request, *args, **kwargs):
        site = self.chosen_site()
        label = request.POST.get("plugin", "")
        action = request.POST.get("action")
        try:
            if action == "activate":
                plugin = activate(site, label, user=request.user)
                messages.success(request, f"“{plugin.meta.name}” is now active on {site.site_name or site.hostname}.")
            elif action == "deactivate":
                plugin = deactivate(site, label, user=request.user)
                messages.success(request, f"“{plugin.meta.name}” is now inactive on {site.site_name or site.hostname}.")
            else:
                messages.error(request, "Choose whether to activate or deactivate the plugin.")
        except PluginActivationError as error:
            messages.error(request, str(error))
        return redirect(f"{reverse('hearthside_plugins')}?site={site.pk}")
