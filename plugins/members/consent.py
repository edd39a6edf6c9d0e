"""Consent records and the suppression list.

Every grant and withdrawal is a new :class:`ConsentRecord`; nothing here
changes one. The visitor's IP address is kept, hashed or dropped as
MEMBERS_CONSENT_IP says. Suppressed addresses are stored only as keyed
hashes, so an erased person's address is not kept, yet is recognised.
"""
from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from .models import ConsentAction, ConsentRecord, Suppression
from .validation import SOURCE_MAX_LENGTH


def keyed_hash(value: str) -> str:
    return hmac.new(settings.MEMBERS_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def stored_ip(ip_address: str | None) -> str:
    """What a consent record keeps of ``ip_address``, per MEMBERS_CONSENT_IP."""
    mode = settings.MEMBERS_CONSENT_IP
    if not ip_address or mode == "none":
        return ""
    if mode == "keep":
        return ip_address
    return "sha256:" + keyed_hash(ip_address)[:32]


def record(member, channel: str, granted: bool, *, source: str, wording: str = "", ip: str = "") -> ConsentRecord:
    """Append one grant or withdrawal. ``ip`` is already in its stored form
    (see :func:`stored_ip`)."""
    return ConsentRecord.objects.create(
        member=member,
        channel=channel,
        action=ConsentAction.GRANTED if granted else ConsentAction.WITHDRAWN,
        source=source[:SOURCE_MAX_LENGTH],
        wording=wording,
        ip_address=ip,
    )


def address_hash(kind: str, address: str) -> str:
    return keyed_hash(f"{kind}:{address.strip().casefold()}")


def suppress(site, kind: str, address: str, reason: str) -> None:
    if address:
        Suppression.objects.get_or_create(
            site=site, kind=kind, address_hash=address_hash(kind, address), defaults={"reason": reason}
        )


def is_suppressed(site, kind: str, address: str) -> bool:
    if not address:
        return False
    return Suppression.objects.filter(site=site, kind=kind, address_hash=address_hash(kind, address)).exists()
