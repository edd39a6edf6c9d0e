"""The insights plugin in the Wagtail admin: the "Insights" menu item and
screen, its panel on the admin home, and its permission on the group screen.

The core hides the menu item while the plugin is inactive on the site (it
knows the item by its name) and the gate answers 404 for the screen; the
home panel is not a menu, so it checks for itself.
"""
from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks

from hearthside.admin_views import PermissionMenuItem
from hearthside.extending.activation import is_active
from hearthside.shortcuts import request_site

from . import admin_views

admin_urlpatterns = [path("", admin_views.DashboardView.as_view(), name="dashboard")]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("insights/", include((admin_urlpatterns, "insights_admin"), namespace="insights_admin"))]


@hooks.register("register_admin_menu_item")
def register_insights_menu():
    return PermissionMenuItem(
        "Insights", reverse("insights_admin:dashboard"), name="insights", icon_name="view", order=280,
        allowed=admin_views.can_view_insights,
    )


@hooks.register("construct_homepage_panels")
def add_summary_panel(request, panels):
    site = request_site(request)
    if is_active(site, admin_views.LABEL) and admin_views.can_view_insights(request.user):
        panels.append(admin_views.SummaryPanel(site))


@hooks.register("register_permissions")
def register_insights_permission():
    return Permission.objects.filter(content_type__app_label="insights", codename="view_insights")
