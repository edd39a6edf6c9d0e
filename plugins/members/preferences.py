"""What a member changes about themselves (the preference centre and the
API), what editors change (stage), and the contacts comments bring in.

Channel changes go through :func:`signup.grant` / :func:`signup.withdraw`,
so each one is a consent record. Bad input raises MemberRejected before
anything is written.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import consent, hooks, tasks
from .channels import NEEDS_PHONE, channels_for
from .config import settings_for, wording_for
from .models import Member, Source, Stage, Suppression, SuppressionReason, Topic
from .signup import (
    announce,
    check_phone_code_rate,
    clean_choices,
    get_or_create_member,
    grant,
    move_to_stage,
    withdraw,
)
from .validation import MemberRejected, clean_name, normalise_email

CENTRE = "Preference centre"


def update_preferences(
    member: Member,
    *,
    channels=None,
    topics=None,
    name: str | None = None,
    phone: str | None = None,
    webhook_url: str | None = None,
    source: str = CENTRE,
    ip_address: str | None = None,
) -> Member:
    """Set what ``member`` gets. ``channels`` is the whole new set
    (``{key: frequency}``): channels left out are withdrawn. None leaves a
    part as it is. A new or changed mobile number must be confirmed by code
    before texts are granted."""
    if member.confirmed_at is None:
        raise MemberRejected("Please confirm your email address first: follow the link we emailed you.")
    site = member.site
    current = dict(member.subscriptions.values_list("channel", "frequency"))
    current_url = (member.subscriptions.filter(channel="webhook").values_list("config", flat=True).first() or {}).get(
        "url", ""
    )
    new_name = clean_name(name) if name is not None else member.name
    choices = clean_choices(
        site,
        current if channels is None else channels,
        list(member.topics.values_list("slug", flat=True)) if topics is None else topics,
        phone=str(member.phone or "") if phone is None else phone,
        webhook_url=current_url if webhook_url is None else webhook_url,
    )
    ip = consent.stored_ip(ip_address)
    offered = channels_for(site)
    member_settings = settings_for(site)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("site").get(pk=member.pk)
        phone_changed = choices.phone != str(member.phone or "")
        # A code already on its way to this number stays the one to enter (with
        # its wrong tries): saving again must not text a new one, which only the
        # rate-limited "send a new code" does. Codes sent here count against the
        # number's limit too, so switching numbers back and forth cannot flood them.
        code_waiting = bool((member.pending or {}).get("awaiting_code")) and not phone_changed
        texts_wanted = any(offered[key].needs == NEEDS_PHONE for key in choices.channels)
        send_code = texts_wanted and not code_waiting and (phone_changed or not member.phone_confirmed)
        if send_code:
            check_phone_code_rate(choices.phone)  # raises before anything is written
        member.name = new_name
        if phone_changed:
            member.phone = choices.phone
            member.phone_confirmed_at = None
            for key, channel in offered.items():
                if channel.needs == NEEDS_PHONE:
                    withdraw(member, key, source=f"{source}: mobile number changed", ip=ip)
        for key in current:
            if key not in choices.channels:
                withdraw(member, key, source=source, ip=ip)
        awaiting = {}
        for key, frequency in choices.channels.items():
            wording = wording_for(site, key, member_settings)
            if offered[key].needs == NEEDS_PHONE and not member.phone_confirmed:
                awaiting[key] = {"frequency": frequency, "wording": wording, "source": source, "ip": ip}
                continue
            config = {"url": choices.webhook_url} if key == "webhook" else None
            grant(member, key, frequency, source=source, wording=wording, ip=ip, config=config)
        member.topics.set(Topic.objects.filter(site=site, slug__in=choices.topics))
        member.pending = {"awaiting_code": awaiting} if awaiting else {}
        if choices.channels:
            member.unsubscribed_at = None
        elif member.unsubscribed_at is None:
            member.unsubscribed_at = timezone.now()
        member.save()
        if awaiting and send_code:
            transaction.on_commit(lambda: tasks.send_phone_code.enqueue(member.pk))
    return member


def unsubscribe(member: Member, channel: str | None = None, *, source: str = CENTRE, ip_address=None) -> int:
    """Take ``member`` off ``channel``, or off every channel (None).
    Returns how many channels they left. Unknown channels are refused."""
    if channel is not None and channel not in channels_for(member.site):
        raise MemberRejected(f"“{str(channel)[:40]}” is not a channel here.", "channel")
    ip = consent.stored_ip(ip_address)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("site").get(pk=member.pk)
        keys = [channel] if channel else list(member.subscriptions.values_list("channel", flat=True))
        left = sum(withdraw(member, key, source=source, ip=ip) for key in keys)
        if channel is None:
            member.pending = {}
        else:  # a request still waiting (a code, a confirmation) for another channel stands
            pending = dict(member.pending or {})
            for part in ("awaiting_code", "channels"):
                if isinstance(pending.get(part), dict):
                    pending[part] = {key: value for key, value in pending[part].items() if key != channel}
            if not pending.get("awaiting_code"):
                pending.pop("awaiting_code", None)
            member.pending = pending
        if not member.subscriptions.exists() and member.unsubscribed_at is None:
            member.unsubscribed_at = timezone.now()
        member.save()
    return left


def export_data(member: Member) -> dict:
    """Everything kept about ``member``, for "Download my data"."""
    subscriptions = [
        {"channel": s.channel, "frequency": s.frequency, "since": s.created_at.isoformat(), **(
            {"url": s.config.get("url", "")} if s.channel == "webhook" else {}
        )}
        for s in member.subscriptions.all()
    ]
    history = [
        {
            "at": record.at.isoformat(),
            "channel": record.channel,
            "action": record.action,
            "source": record.source,
            "wording": record.wording,
            "ip_address": record.ip_address,
        }
        for record in member.consent_records.all()
    ]
    return {
        "site": member.site.site_name or member.site.hostname,
        "email": member.email,
        "name": member.name,
        "phone": str(member.phone or ""),
        "phone_confirmed": member.phone_confirmed,
        "stage": member.stage,
        "source": member.get_source_display(),
        "source_page": member.source_page.full_url if member.source_page_id and member.source_page else None,
        "created_at": member.created_at.isoformat(),
        "confirmed_at": member.confirmed_at.isoformat() if member.confirmed_at else None,
        "unsubscribed_at": member.unsubscribed_at.isoformat() if member.unsubscribed_at else None,
        "channels": subscriptions,
        "topics": [{"slug": t.slug, "name": t.name} for t in member.topics.all()],
        "tags": sorted(member.tags.names()),
        "consent_history": history,
    }


def erase(member: Member) -> None:
    """Delete ``member`` and everything kept about them, consent history
    included; keep only anonymised suppression entries for the address and
    number, so neither is ever contacted again."""
    site, email, member_id = member.site, member.email, member.pk
    # A number only asked for (awaiting its first code) is theirs too.
    phones = {str(member.phone or ""), (member.pending or {}).get("phone", "")} - {""}
    with transaction.atomic():
        consent.suppress(site, Suppression.EMAIL, email, SuppressionReason.ERASED)
        for phone in phones:
            consent.suppress(site, Suppression.PHONE, phone, SuppressionReason.ERASED)
        member.tags.clear()
        from .syndication import announce_leaving  # it imports this module

        announce_leaving(member)
        Member.objects.filter(pk=member_id).delete()
        transaction.on_commit(lambda: hooks.member_erased.send(site, email=email, member_id=member_id))


def set_stage(member: Member, stage: str, *, source: str = "admin") -> bool:
    """Move ``member`` to ``stage`` (editors marking customers). Returns whether it changed."""
    if stage not in Stage.values:
        raise MemberRejected(f"“{str(stage)[:40]}” is not a stage; choose from {', '.join(Stage.values)}.", "stage")
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not move_to_stage(member, stage, source):
            return False
        member.save(update_fields=["stage", "updated_at"])
    return True


def record_contact(site, *, email: str, name: str = "", page=None, detail: str = "") -> Member | None:
    """Someone with a verified address left it with us (a comment): keep
    them as a contact. Grants nothing and sends nothing. Erased addresses
    are not added back. Returns the member, or None if the address is
    unusable or suppressed."""
    try:
        email = normalise_email(email)
        name = clean_name(name)
    except MemberRejected:
        return None
    if consent.is_suppressed(site, Suppression.EMAIL, email):
        return None
    with transaction.atomic():
        member, created = get_or_create_member(
            site, email, name=name, stage=Stage.CONTACT, source=Source.COMMENT, source_page=page,
            source_detail=detail[:200],
        )
        if created:
            announce(hooks.member_stage_changed, member, old_stage=None, new_stage=Stage.CONTACT, source="comment")
        elif not member.name and name:
            member.name = name
            member.save(update_fields=["name", "updated_at"])
    return member
