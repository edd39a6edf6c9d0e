from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import events


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("sample-plugin/", events, name="sample_plugin_admin")]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MenuItem("Sample plugin", reverse("sample_plugin_admin"), name="sample-plugin", icon_name="plug")
