"""The syndication plugin in the Wagtail admin: its screens, the "Updates"
menu, "Send update again" in a page's header menu, its permissions on the
group screen, its entries in the audit log, and the page the Newsletter tab's
actions are for (newsletter.py).

The core hides the "Updates" menu item while the plugin is inactive on the
site (it knows the item by its name), and the gate answers 404 for the
screens.
"""
from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem

from hearthside.admin_views import PermissionMenuItem
from hearthside.extending.activation import is_active

from . import admin_views, newsletter
from .pages import is_syndicated

MENU_NAME = "syndication"
LABEL = "syndication"

admin_urlpatterns = [
    path("", admin_views.UpdateListView.as_view(), name="updates"),
    path("<int:pk>/", admin_views.UpdateDetailView.as_view(), name="update"),
    path("<int:pk>/progress.json", admin_views.UpdateProgressView.as_view(), name="progress"),
    path("<int:pk>/preview/", admin_views.UpdatePreviewView.as_view(), name="preview"),
    # hold, release, retry, send-now, cancel
    *(
        path(f"<int:pk>/{name.replace('_', '-')}/", admin_views.UpdateActionView.as_view(action_name=name),
             name=name)
        for name in admin_views.ACTIONS
    ),
    path("pages/<int:page_id>/send-again/", admin_views.SendAgainView.as_view(), name="send_again"),
    path("settings/", admin_views.SettingsView.as_view(), name="settings"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("syndication/", include((admin_urlpatterns, "syndication_admin"), namespace="syndication_admin"))
    ]


@hooks.register("register_admin_menu_item")
def register_updates_menu():
    menu = Menu(
        items=[
            PermissionMenuItem(
                "All updates", reverse("syndication_admin:updates"), name="syndication-updates",
                icon_name="mail", order=1, allowed=admin_views.can_view_updates,
            ),
            PermissionMenuItem(
                "Settings", reverse("syndication_admin:settings"), name="syndication-settings",
                icon_name="cog", order=2, allowed=admin_views.can_configure,
            ),
        ]
    )
    # Shown only while one of its items is (SubmenuMenuItem.is_shown).
    return SubmenuMenuItem("Updates", menu, name=MENU_NAME, icon_name="mail", order=270)


class SendAgainButton(PageMenuItem):
    label = "Send update again"
    icon_name = "mail"
    url_name = "syndication_admin:send_again"

    def is_shown(self, user):
        page = self.page
        if not page.live or not is_syndicated(page.specific_class):
            return False
        # The core's gate covers menus and URLs, not the page header's buttons.
        site = page.get_site()
        return site is not None and is_active(site, LABEL) and admin_views.can_publish(user, page)


@hooks.register("register_page_header_buttons")
def register_send_again_button(page, user, view_name=None, next_url=None):
    yield SendAgainButton(page=page, priority=40)


@hooks.register("register_permissions")
def register_update_permissions():
    return Permission.objects.filter(
        content_type__app_label="syndication", codename__in=["view_update", "change_update"]
    )


@hooks.register("register_log_actions")
def register_update_log_actions(actions):
    actions.register_action("syndication.held", "Hold update", "Update held")
    actions.register_action("syndication.released", "Release update", "Update released")
    actions.register_action("syndication.retried", "Try update again", "Update tried again")
    actions.register_action("syndication.sent_now", "Send update now", "Update sent without waiting")
    actions.register_action("syndication.cancelled", "Cancel update", "Update cancelled")
    actions.register_action("syndication.sent_again", "Send update again", "Update sent again")


# The Newsletter tab (newsletter.py): wagtail-newsletter's own hook runs the
# tab's actions at order 0 without telling the backend the page; these note
# it just before and forget it just after.
hooks.register("after_create_page", newsletter.note_page, order=-1)
hooks.register("after_edit_page", newsletter.note_page, order=-1)
hooks.register("after_create_page", newsletter.forget_page, order=1)
hooks.register("after_edit_page", newsletter.forget_page, order=1)
