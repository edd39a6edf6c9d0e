"""The syndication plugin's receivers: publishing a page creates its update;
mail providers' bounce and complaint reports (through django-anymail) are
recorded and suppress the address; publishing and unpublishing drop the
cached feeds, and publishing tells the site's WebSub hub."""
from functools import partial

from anymail.signals import EventType, tracking
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site

from hearthside.extending import hooks
from hearthside.models import PluginActivation

from . import events, leaving, updates, websub
from .feeds import invalidate_feeds
from .hooks import recipient_leaving, unsubscribed_via_update
from .models import EventKind


@hooks.page_published.connect
def create_update_on_first_publish(site, page, revision=None, **kwargs):
    user = getattr(revision, "user", None) if revision is not None else None
    updates.create_for_first_publish(page, user=user)


# Mail providers' reports, as django-anymail parses them (views.py mounts its
# tracking webhooks): bounces and complaints suppress the address; deferrals
# and provider-side unsubscribes are only recorded against the message they
# name. Opens and clicks are not taken from providers.
ANYMAIL_EVENT_KINDS = {
    EventType.BOUNCED: EventKind.BOUNCED,
    # The provider refused to send (a known-bad or suppressed address): as good as a bounce.
    EventType.REJECTED: EventKind.BOUNCED,
    EventType.COMPLAINED: EventKind.COMPLAINED,
    EventType.DEFERRED: EventKind.DEFERRED,
    EventType.UNSUBSCRIBED: EventKind.UNSUBSCRIBED,
}


def _anymail_message_id(event) -> str:
    """The id the outbox stored: the provider's message id, or the Message-ID
    we gave the message, when it comes back in the metadata."""
    candidates = [event.message_id, (event.metadata or {}).get("message_id")]
    for candidate in candidates:
        if isinstance(candidate, str) and events.find_message(candidate) is not None:
            return candidate
    return event.message_id if isinstance(event.message_id, str) else ""


def _is_soft_bounce(event, esp_name) -> bool:
    """Postmark's soft bounces (a full mailbox, a server away) reach anymail as
    bounces; they count as failures, which suppress only when repeated."""
    payload = event.esp_event if isinstance(event.esp_event, dict) else {}
    return esp_name == "Postmark" and payload.get("Type") == "SoftBounce"


@receiver(tracking, dispatch_uid="syndication_record_anymail_tracking")
def record_anymail_tracking(sender, event, esp_name, **kwargs):
    kind = ANYMAIL_EVENT_KINDS.get(event.event_type)
    if kind is None:
        return
    if event.event_type == EventType.REJECTED and event.reject_reason == "spam":
        kind = EventKind.COMPLAINED
    if _is_soft_bounce(event, esp_name):
        kind = EventKind.FAILED
    if not event.recipient:
        events.logger.warning(
            "Ignored a %s report from %s that names no recipient", event.event_type, esp_name
        )
        return
    message_id = _anymail_message_id(event)
    if kind not in events.SUPPRESSING_KINDS and events.find_message(message_id) is None:
        return  # worth keeping only as part of a message's story
    detail = "; ".join(part for part in (event.description, event.mta_response) if part)
    events.record_event(
        events.webhook_site.get(),
        kind=kind,
        channel="email",
        address=event.recipient,
        message_id=message_id,
        provider=esp_name,
        detail=detail or event.reject_reason or "",
    )


# Feeds (feeds.py, websub.py): every cached feed of the site is dropped when
# a page goes live or stops being live, and the hub is told on publish.
@hooks.page_published.connect
def refresh_feeds_on_publish(site, page, **kwargs):
    invalidate_feeds(site)
    websub.notify_hub(site, page)


@hooks.page_unpublished.connect
def refresh_feeds_on_unpublish(site, page, **kwargs):
    invalidate_feeds(site)


@receiver(post_save, sender=PluginActivation, dispatch_uid="syndication_feeds_on_plugin_change")
@receiver(post_save, sender=Site, dispatch_uid="syndication_feeds_on_site_change")
def refresh_feeds_on_site_change(sender, instance, **kwargs):
    # Feeds show the site's name and address, this plugin's settings (full
    # content, the hub) and only the page types of active plugins.
    site_id = instance.pk if sender is Site else instance.site_id
    transaction.on_commit(partial(invalidate_feeds, site_id))


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="syndication_feeds_on_privacy_save")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="syndication_feeds_on_privacy_delete")
def refresh_feeds_on_privacy_change(sender, instance, **kwargs):
    # Feeds list only public pages: a page made private (or public) changes them.
    try:
        site = instance.page.get_site()
    except Page.DoesNotExist:  # deleted with its page, whose own unpublish refreshes the feeds
        return
    if site is not None:
        transaction.on_commit(partial(invalidate_feeds, site.pk))


# The members plugin's events (only when it is installed): an erased member's
# rows go with them, and an unsubscribe through an update's link counts in
# that update's report.
try:
    from plugins.members import hooks as member_hooks
except ImportError:  # the members plugin may be left out of this install
    member_hooks = None

if member_hooks is not None:

    @member_hooks.member_erased.connect
    def forget_erased_member(site, member_id, **kwargs):
        from .models import Delivery, DeliveryEvent, Digest

        # Counts in reports stay right; nothing tells who the member was.
        DeliveryEvent.objects.filter(site=site, member_id=member_id).update(member_id=None, delivery=None)
        Delivery.objects.filter(update__site=site, member_id=member_id).delete()
        Digest.objects.filter(site=site, member_id=member_id).delete()


@recipient_leaving.connect
def stop_messages_to_a_leaving_member(site, member_id, channel=None, **kwargs):
    leaving.announce(site, member_id, channel)


@unsubscribed_via_update.connect
def count_unsubscribe_after_update(site, update_id, member_id, channel, **kwargs):
    from .models import DeliveryEvent, Update

    if Update.objects.filter(pk=update_id, site=site).exists():
        DeliveryEvent.objects.get_or_create(
            site=site, update_id=update_id, member_id=member_id, channel=channel, kind=EventKind.UNSUBSCRIBED,
            defaults={"provider": "link"},
        )


@hooks.demo_content_loaded.connect
def no_updates_for_demo_content(site, pages, **kwargs):
    # The demo's pages stand for what the business published long ago: they
    # are in the feeds, but nobody is sent them as news. Their publish relays
    # run when the demo's transaction commits, so this runs after them.
    page_ids = [page.pk for page in pages.values()]

    def forget_updates():
        from .models import Update, UpdateStatus

        Update.objects.filter(page_id__in=page_ids, status=UpdateStatus.SCHEDULED, fanned_out_at__isnull=True).delete()

    transaction.on_commit(forget_updates)
