"""The comments plugin in the Wagtail admin: its screens, its menu, its
permission on the group screen and its entries in the audit log.

The core hides the "Comments" menu item while the plugin is inactive on the
site (it knows the item by its name), and the gate answers 404 for the
screens; nothing here checks activation.
"""
from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.models import Site

from . import admin_views

MENU_NAME = "comments"

admin_urlpatterns = [
    path("", admin_views.QueueView.as_view(), name="queue"),
    path("bulk/", admin_views.BulkModerationView.as_view(), name="bulk"),
    path("needs-response/", admin_views.NeedsResponseView.as_view(), name="needs_response"),
    path("<int:comment_id>/reply/", admin_views.ReplyView.as_view(), name="reply"),
    path("rules/", admin_views.RulesView.as_view(), name="rules"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("comments/", include((admin_urlpatterns, "comments_admin"), namespace="comments_admin"))]


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_moderate(request.user)


class NeedsResponseMenuItem(ModeratorMenuItem):
    """Shows how many comments wait for an answer, so nobody has to go looking."""

    def render_component(self, request):
        site = Site.find_for_request(request)
        count = admin_views.needs_response_count(site) if site is not None else 0
        label = f"{self.label} ({count})" if count else self.label
        # A new component per request: the menu item itself is shared by every request.
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=self.attrs
        )


@hooks.register("register_admin_menu_item")
def register_comments_menu():
    menu = Menu(
        items=[
            ModeratorMenuItem(
                "Moderation queue",
                reverse("comments_admin:queue"),
                name="comments-queue",
                icon_name="tasks",
                order=1,
            ),
            NeedsResponseMenuItem(
                "Needs a response",
                reverse("comments_admin:needs_response"),
                name="comments-needs-response",
                icon_name="comment",
                order=2,
            ),
            ModeratorMenuItem(
                "Rules", reverse("comments_admin:rules"), name="comments-rules", icon_name="cog", order=3
            ),
        ]
    )
    # Shown only while one of its items is (SubmenuMenuItem.is_shown), i.e. to moderators.
    return SubmenuMenuItem("Comments", menu, name=MENU_NAME, icon_name="comment", order=250)


@hooks.register("register_permissions")
def register_moderation_permission():
    return Permission.objects.filter(content_type__app_label="comments", codename="moderate_comments")


@hooks.register("register_log_actions")
def register_comment_log_actions(actions):
    actions.register_action("comments.approved", "Approve comment", "Comment approved")
    actions.register_action("comments.rejected", "Reject comment", "Comment rejected")
    actions.register_action("comments.marked_spam", "Mark comment as spam", "Comment marked as spam")
    actions.register_action(
        "comments.returned_to_pending", "Return comment to the queue", "Comment moved to pending"
    )
    actions.register_action("comments.business_reply", "Reply as the business", "Replied as the business")
    actions.register_action("comments.marked_answered", "Mark comment as needing no reply", "No reply needed")
