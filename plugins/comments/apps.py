from django.apps import apps
from django.db.models.signals import pre_save

from hearthside.extending.plugins import PluginConfig, PluginMeta


class CommentsConfig(PluginConfig):
    name = "plugins.comments"
    label = "comments"
    verbose_name = "Comments"
    url_prefix = "comments"
    meta = PluginMeta(
        name="Comments",
        version="1.0.0",
        description=(
            "Threaded, moderated conversations on pages: visitors comment and confirm by email, "
            "the business answers, moderators keep it civil."
        ),
        default_active=True,
    )

    def ready(self):
        from django_comments_xtd.models import publish_or_unpublish_on_pre_save

        from . import checks, insights, receivers, slots  # noqa: F401
        from .models import PageComment
        from .pages import add_panels_to_configured_page_types

        # django-comments-xtd hides every reply when a comment above it is
        # hidden by rewriting their is_public; our state field decides what
        # shows (is_public mirrors it), and a reply shows only under visible
        # comments (threads.py). xtd connects that receiver in its own ready(),
        # which runs after this one (the plugins come first in INSTALLED_APPS),
        # so the receiver goes once xtd's ready() is done.
        xtd = apps.get_app_config("django_comments_xtd")
        xtd_ready = xtd.ready

        def xtd_ready_without_the_receiver():
            xtd_ready()
            pre_save.disconnect(publish_or_unpublish_on_pre_save, sender=PageComment)

        xtd.ready = xtd_ready_without_the_receiver
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender=PageComment)  # if it ran already
        add_panels_to_configured_page_types()
