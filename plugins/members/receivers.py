"""The members plugin's receivers: contacts from comments, demo members,
purging cached pages when topics change (signup forms on pages list them),
and syndication's questions about recipients (answered in syndication.py)."""
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

try:  # so may the syndication plugin
    from plugins.syndication import hooks as syndication_hooks
except ImportError:
    syndication_hooks = None


if comment_hooks is not None:

    @comment_hooks.comment_posted.connect
    def keep_commenter_as_contact(site, page, comment, email, name, **kwargs):
        from .preferences import record_contact

        record_contact(site, email=email, name=name, page=page, detail=f"comment {comment['id']}")


if syndication_hooks is not None:

    @syndication_hooks.update_recipients.connect
    def recipients_of_update(site, page=None, audience=None, channels=None, **kwargs):
        from .syndication import update_recipients

        return update_recipients(site, page, audience, channels)

    @syndication_hooks.recipient_contacts.connect
    def contacts_of_recipients(site, channel, member_ids, update_id=None, **kwargs):
        from .syndication import recipient_contacts

        return recipient_contacts(site, channel, member_ids, update_id)

    @syndication_hooks.address_undeliverable.connect
    def stop_using_address(site, channel, address, member_id=None, reason="bounced", **kwargs):
        from .syndication import address_undeliverable

        address_undeliverable(site, channel, address, member_id, reason)

    @syndication_hooks.newsletter_audiences.connect
    def audiences_for_newsletters(site, **kwargs):
        from .syndication import newsletter_audiences

        return newsletter_audiences(site)


@hooks.demo_content_loaded.connect
def add_demo_members(site, pages, **kwargs):
    from .demo import add_demo_members

    add_demo_members(site, pages)


@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
def purge_pages_showing_topics(sender, **kwargs):
    transaction.on_commit(pagecache.purge)
