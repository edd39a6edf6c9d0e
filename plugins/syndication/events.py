"""What providers report after a message left: bounces, complaints and
permanent failures, recorded as DeliveryEvents and turned into suppressions.

Two doors lead here: the plugin's own JSON endpoint (views.py, for any
provider or relay that can POST) and django-anymail's tracking signal
(receivers.py, for the providers anymail parses). Both call
:func:`record_event`.

The rules:

- The message the report is about is found by its id: a Delivery's
  ``message_id`` (what the outbox stored at hand-off), else a Digest's. The
  message decides the site, member and channel; without one, the report
  stands for the site it was sent to and the address it names.
- A bounce marks its delivery (or digest) bounced.
- A bounce or a complaint suppresses the address at once, through
  ``hooks.address_undeliverable``; a permanent failure does once the
  member's address has failed SYNDICATION_FAILURES_BEFORE_SUPPRESSING
  times on that channel (as the outbox counts its own failures).
- The same report about the same message twice (providers retry their
  webhooks) records nothing more.
"""
from __future__ import annotations

import contextvars
import logging

from django.conf import settings
from django.db import transaction

from . import hooks
from .models import Delivery, DeliveryEvent, DeliveryStatus, Digest, EventKind

logger = logging.getLogger("hearthside.syndication")

# Report kinds that can make an address undeliverable, and what each marks
# the message as; the rest (deferred, unsubscribed...) are recorded only.
SUPPRESSING_KINDS = (EventKind.BOUNCED, EventKind.COMPLAINED, EventKind.FAILED)
STATUS_AFTER = {EventKind.BOUNCED: DeliveryStatus.BOUNCED, EventKind.FAILED: DeliveryStatus.FAILED}

# The site a provider webhook was posted to, while its request is handled:
# anymail's tracking signal carries no request (views.py sets it).
webhook_site: contextvars.ContextVar = contextvars.ContextVar("syndication_webhook_site", default=None)


def message_id_forms(message_id: str) -> list[str]:
    """The stored forms a provider's id may take: Message-ID headers are
    stored with their angle brackets, and some providers drop them."""
    bare = (message_id or "").strip().strip("<>").strip()
    return [bare, f"<{bare}>"] if bare else []


def find_message(message_id: str, *, lock: bool = False) -> Delivery | Digest | None:
    """The Delivery (or else Digest) that was sent as ``message_id``."""
    forms = message_id_forms(message_id)
    if not forms:
        return None
    for queryset in (Delivery.objects.select_related("update__site"), Digest.objects.select_related("site")):
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        found = queryset.filter(message_id__in=forms).order_by("pk").first()
        if found is not None:
            return found
    return None


def _site_of(message):
    return message.update.site if isinstance(message, Delivery) else message.site


def _already_reported(message, kind: str) -> bool:
    if isinstance(message, Delivery):
        return DeliveryEvent.objects.filter(delivery=message, kind=kind).exists()
    # Digests have no event link of their own; their status tells a repeated bounce or failure.
    return STATUS_AFTER.get(kind) is not None and message.status == STATUS_AFTER[kind]


def record_event(
    site,
    *,
    kind: str,
    channel: str,
    address: str,
    message_id: str = "",
    provider: str,
    detail: str = "",
    member_id: int | None = None,
    delivery: Delivery | Digest | None = None,
) -> DeliveryEvent | None:
    """Record that the message ``message_id`` (or ``delivery``, a Delivery or
    Digest the caller holds) to ``address``
    on ``channel`` was ``kind`` (an EventKind: "bounced", "complained",
    "failed", "deferred"...), as ``provider`` reported, and suppress the
    address when the rules above say so.

    ``site`` is where the report came in: the message's own site wins, and
    with neither nothing is recorded (None is returned, and it is logged).
    Returns the new DeliveryEvent, or None when nothing was recorded (no
    site, or a repeated report)."""
    kind = EventKind(kind)
    with transaction.atomic():
        message = delivery or find_message(message_id, lock=True)
        if message is not None:
            site = _site_of(message)
            member_id, channel = message.member_id, message.channel
            if _already_reported(message, kind):
                logger.info("Ignored a repeated %s report from %s for message %s", kind, provider, message_id)
                return None
        elif site is None:
            logger.warning(
                "Ignored a %s report from %s: no message %r was sent here, and no site was named",
                kind, provider, message_id,
            )
            return None
        elif message_id:
            logger.info(
                "A %s report from %s names message %r, which was not sent here", kind, provider, message_id
            )

        if message is not None and kind in STATUS_AFTER:
            message.status = STATUS_AFTER[kind]
            message.error = (detail or f"The provider reported it {kind.label.lower()}.")[:500]
            message.save(update_fields=["status", "error"])

        event = DeliveryEvent.objects.create(
            site=site,
            update_id=message.update_id if isinstance(message, Delivery) else None,
            delivery=message if isinstance(message, Delivery) else None,
            member_id=member_id,
            channel=channel,
            kind=kind,
            provider=provider[:40],
            detail=(detail or "")[:500],
        )
        if kind in SUPPRESSING_KINDS and _must_suppress(site, kind, channel, member_id):
            hooks.address_undeliverable.send(
                site, channel=channel, address=address, member_id=member_id, reason=kind.value
            )
    return event


def _must_suppress(site, kind: str, channel: str, member_id: int | None) -> bool:
    if kind != EventKind.FAILED:
        return True
    if member_id is None:
        # Failures are counted per member: an address no message of ours names cannot be.
        return False
    failures = DeliveryEvent.objects.filter(
        site=site, member_id=member_id, channel=channel, kind=EventKind.FAILED
    ).count()
    return failures >= settings.SYNDICATION_FAILURES_BEFORE_SUPPRESSING
