"""The members plugin's receivers: contacts from comments, demo members, and
purging cached pages when topics change (signup forms on pages list them)."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hearthside import pagecache
from hearthside.extending import hooks

from .models import Topic

try:  # the comments plugin may be left out of this install
    from plugins.comments import hooks as comment_hooks
except ImportError:
    comment_hooks = None


if comment_hooks is not None:

    @comment_hooks.comment_posted.connect
    def keep_commenter_as_contact(site, page, comment, email, name, **kwargs):
        from .preferences import record_contact

        record_contact(site, email=email, name=name, page=page, detail=f"comment {comment['id']}")


@hooks.demo_content_loaded.connect
def add_demo_members(site, pages, **kwargs):
    from .demo import add_demo_members

    add_demo_members(site, pages)


@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
def purge_pages_showing_topics(sender, **kwargs):
    transaction.on_commit(pagecache.purge)
