"""The members plugin in the Wagtail admin: its viewsets (members, topics),
the "Members" menu, its permissions on the group screen and its entries in
the audit log.

The core hides the "Members" menu item while the plugin is inactive on the
site (it knows the item by its name), and the gate answers 404 for the
screens; nothing here checks activation.
"""
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from hearthside.admin_views import PermissionMenuItem

from . import admin_views

MENU_NAME = "members"


@hooks.register("register_admin_viewset")
def register_members_viewsets():
    return [admin_views.MemberViewSet(), admin_views.TopicViewSet()]


@hooks.register("register_admin_menu_item")
def register_members_menu():
    menu = Menu(
        items=[
            PermissionMenuItem(
                "People", reverse("members_admin:index"), name="members-people", icon_name="group", order=1,
                allowed=admin_views.can_view_members,
            ),
            PermissionMenuItem(
                "Topics", reverse("members_topics:index"), name="members-topics", icon_name="tag", order=2,
                allowed=admin_views.can_view_topics,
            ),
            PermissionMenuItem(
                "Import", reverse("members_admin:imports"), name="members-import", icon_name="upload",
                order=3, allowed=admin_views.can_import,
            ),
            PermissionMenuItem(
                "Settings", reverse("members_admin:settings"), name="members-settings", icon_name="cog",
                order=4, allowed=admin_views.can_configure,
            ),
        ]
    )
    # Shown only while one of its items is (SubmenuMenuItem.is_shown).
    return SubmenuMenuItem("Members", menu, name=MENU_NAME, icon_name="group", order=260)


@hooks.register("register_permissions")
def register_import_permissions():
    # Members and topics register theirs through their viewsets.
    return Permission.objects.filter(content_type__app_label="members", codename__in=["add_memberimport"])


@hooks.register("register_log_actions")
def register_member_log_actions(actions):
    actions.register_action("members.stage_changed", "Change member stage", "Stage changed")
    actions.register_action("members.unsubscribed", "Unsubscribe member", "Unsubscribed by an editor")
    actions.register_action("members.erased", "Erase member", "Member erased")
    actions.register_action("members.import_started", "Start member import", "Member import started")
    actions.register_action("members.imported", "Import members", "Members imported")
