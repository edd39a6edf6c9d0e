"""Joining: signup with double opt-in, the confirmation link, the mobile
number's code, and the magic link to the preference centre.

Every way in (the signup form, the block on a page, the API) goes through
:func:`signup`, so the rules are the same everywhere. Bad input raises
:class:`~plugins.members.validation.MemberRejected` before anything is
written. Answers never say whether an address was already known: a known
address gets an email, an unknown one too, a suppressed one nothing, and
the caller says the same "check your inbox" to all three.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hearthside.ratelimit import consume, parse_rate

from . import consent, hooks, tasks, tokens
from .channels import NEEDS_PHONE, NEEDS_WEBHOOK_URL, channels_for
from .config import settings_for, wording_for
from .models import Member, Source, Stage, Subscription, Suppression, Topic, email_key
from .validation import (
    TOPICS_MAX,
    WORDING_MAX_LENGTH,
    LinkGone,
    MemberRateLimited,
    MemberRejected,
    clean_name,
    clean_text,
    clean_webhook_url,
    normalise_email,
    normalise_phone,
)

PHONE_CODE_ATTEMPTS = 5


# --- choices: the channels and topics someone picked ---------------------------


@dataclass
class Choices:
    """Channels and topics as checked against the site's registry."""

    channels: dict[str, str] = field(default_factory=dict)  # key -> frequency
    topics: list[str] = field(default_factory=list)  # slugs; empty means every topic
    phone: str = ""
    webhook_url: str = ""


def clean_choices(site, channels, topics, *, phone: str = "", webhook_url: str = "") -> Choices:
    """Check ``channels`` (``{key: frequency}`` or a list of keys, which take
    their first frequency) and ``topics`` (slugs) against what ``site``
    offers. MemberRejected names the first problem."""
    offered = channels_for(site)
    # A list of anything but names (a list of objects, say) is as wrong as a number.
    if isinstance(channels, (list, tuple, set)) and all(isinstance(key, str) for key in channels):
        channels = {key: "" for key in channels}
    if not isinstance(channels, dict):
        raise MemberRejected("Channels must be a list of channel names or a {channel: frequency} object.", "channels")
    chosen: dict[str, str] = {}
    for key, frequency in channels.items():
        channel = offered.get(key) if isinstance(key, str) else None
        if channel is None:
            names = ", ".join(offered)
            raise MemberRejected(f"“{str(key)[:40]}” is not a channel here; choose from {names}.", "channels")
        frequency = frequency or channel.frequencies[0]
        if frequency not in channel.frequencies:
            allowed = ", ".join(channel.frequencies)
            raise MemberRejected(
                f"{channel.label} can be “{allowed}”, not “{str(frequency)[:40]}”.", "channels"
            )
        chosen[key] = frequency
    needs = {offered[key].needs for key in chosen}
    phone = normalise_phone(phone)
    if NEEDS_PHONE in needs and not phone:
        raise MemberRejected("Please give your mobile number to get text messages.", "phone")
    webhook_url = clean_webhook_url(webhook_url) if NEEDS_WEBHOOK_URL in needs else ""

    if isinstance(topics, str) or not isinstance(topics, (list, tuple, set)):
        raise MemberRejected("Topics must be a list of topic names.", "topics")
    if len(topics) > TOPICS_MAX:
        raise MemberRejected(f"Choose at most {TOPICS_MAX} topics.", "topics")
    slugs = sorted({str(slug) for slug in topics})
    known = set(Topic.objects.filter(site=site, subscribable=True, slug__in=slugs).values_list("slug", flat=True))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise MemberRejected(f"“{unknown[0][:40]}” is not a topic you can follow here.", "topics")
    return Choices(chosen, slugs, phone, webhook_url)


def _wording(site, channels, given) -> dict[str, str]:
    """The consent wording for each chosen channel: what the form showed,
    or, from the API, what the front end says it showed."""
    member_settings = settings_for(site)
    if isinstance(given, str) and given.strip():
        text = clean_text(given, "consent_text", WORDING_MAX_LENGTH)
        return {key: text for key in channels}
    return {key: wording_for(site, key, member_settings) for key in channels}


# --- rate limits ---------------------------------------------------------------


def _limit(bucket: str, key: str, rate: str, what: str) -> None:
    limit, window = parse_rate(rate)
    retry_after = consume(bucket, hashlib.sha256(key.encode()).hexdigest(), limit, window)
    if retry_after is not None:
        minutes = max(1, round(retry_after / 60))
        raise MemberRateLimited(
            f"{what} Please try again in about {minutes} minute{'s' if minutes != 1 else ''}; nothing was changed.",
            retry_after,
        )


def check_ip_rate(ip_address: str | None) -> None:
    _limit("members-ip", ip_address or "unknown", settings.MEMBERS_RATE_PER_IP, "Too many requests from your network.")


def check_email_rate(email: str) -> None:
    _limit(
        "members-email",
        email_key(email),
        settings.MEMBERS_RATE_PER_EMAIL,
        "We have already sent several emails to this address: please look for them in your inbox (and spam folder).",
    )


# --- helpers shared with preferences.py ---------------------------------------------


def member_data(member: Member) -> dict:
    """A member as the plain dict hooks pass to other plugins. Uses
    prefetched subscriptions, topics and tags when there are (an import
    announces thousands at once)."""
    return {
        "id": member.pk,
        "email": member.email,
        "name": member.name,
        "phone": str(member.phone or ""),
        "stage": member.stage,
        "source": member.source,
        "source_page_id": member.source_page_id,
        "confirmed": member.confirmed_at is not None,
        "channels": {s.channel: s.frequency for s in member.subscriptions.all()},
        "topics": [topic.slug for topic in member.topics.all()],
        "tags": sorted(tag.name for tag in member.tags.all()),
    }


def _after_commit(fn, *args, **kwargs) -> None:
    transaction.on_commit(partial(fn, *args, **kwargs))


def _send_hook(hook, member_id: int, **kwargs) -> None:
    member = Member.objects.select_related("site").filter(pk=member_id).first()
    if member is not None:
        hook.send(member.site, member=member_data(member), **kwargs)


def announce(hook, member: Member, **kwargs) -> None:
    """Send ``hook`` about ``member`` once the transaction commits."""
    _after_commit(_send_hook, hook, member.pk, **kwargs)


def move_to_stage(member: Member, stage: str, source: str) -> bool:
    """Set ``member``'s stage (saved by the caller) and announce it after
    commit. Returns whether it changed."""
    if member.stage == stage and member.pk is not None:
        return False
    old = member.stage if member.pk is not None else None
    member.stage = stage
    if member.pk is not None:
        announce(hooks.member_stage_changed, member, old_stage=old, new_stage=stage, source=source)
    return True


def grant(member: Member, channel: str, frequency: str, *, source: str, wording: str, ip: str, config=None) -> bool:
    """Put ``member`` on ``channel``. A new grant is recorded as consent and
    announced; a changed frequency or URL is not a new consent. Returns
    whether consent was granted now."""
    subscription, created = Subscription.objects.get_or_create(
        member=member, channel=channel, defaults={"frequency": frequency, "config": config or {}}
    )
    if not created:
        changed = subscription.frequency != frequency or (config is not None and subscription.config != config)
        if changed:
            subscription.frequency = frequency
            if config is not None:
                subscription.config = config
            subscription.save()
        return False
    consent.record(member, channel, True, source=source, wording=wording, ip=ip)
    announce(hooks.consent_changed, member, channel=channel, granted=True, source=source)
    return True


def withdraw(member: Member, channel: str, *, source: str, ip: str) -> bool:
    deleted, _ = Subscription.objects.filter(member=member, channel=channel).delete()
    if not deleted:
        return False
    from .syndication import announce_leaving  # it imports this module

    announce_leaving(member, channel)
    consent.record(member, channel, False, source=source, ip=ip)
    announce(hooks.consent_changed, member, channel=channel, granted=False, source=source)
    return True


def _channel_config(site, key: str, choices: Choices) -> dict | None:
    return {"url": choices.webhook_url} if channels_for(site)[key].needs == NEEDS_WEBHOOK_URL else None


# --- signup ----------------------------------------------------------------------


def signup(
    site,
    *,
    email: str,
    name: str = "",
    phone: str = "",
    channels=None,
    topics=(),
    webhook_url: str = "",
    source: str = Source.FORM,
    source_page=None,
    source_detail: str = "",
    consent_text: str | None = None,
    ip_address: str | None = None,
) -> Member | None:
    """Ask to join ``site``'s members. Stores the request and emails a
    confirmation link; channels are granted only once it is followed.
    Signing up again re-sends the link (rate-limited per address).

    ``channels``: ``{key: frequency}`` or a list of keys (default: email,
    as it comes out). ``topics``: slugs (empty: everything).
    Returns the member, or None for a suppressed address (nothing is sent).
    Raises MemberRejected for bad input, MemberRateLimited when over the limits.
    """
    email = normalise_email(email)
    name = clean_name(name)
    choices = clean_choices(
        site, {"email": ""} if channels is None else channels, topics, phone=phone, webhook_url=webhook_url
    )
    if not choices.channels:
        raise MemberRejected("Please choose at least one way to hear from us.", "channels")
    wording = _wording(site, choices.channels, consent_text)
    source_detail = clean_text(source_detail, "source_detail", 200)
    check_ip_rate(ip_address)
    check_email_rate(email)
    if consent.is_suppressed(site, Suppression.EMAIL, email):
        return None

    pending = {
        "channels": choices.channels,
        "topics": choices.topics,
        "name": name,
        "phone": choices.phone,
        "webhook_url": choices.webhook_url,
        "wording": wording,
        "source": _source_label(source, source_page),
        "ip": consent.stored_ip(ip_address),
        "requested_at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        member, created = get_or_create_member(
            site, email, name=name, source=source, source_page=source_page, source_detail=source_detail
        )
        if member.stage == Stage.CONTACT:
            move_to_stage(member, Stage.PROSPECT, "signup")
        member.pending = pending
        # A repeated signup keeps the link already sent working.
        member.confirmation_nonce = member.confirmation_nonce or secrets.token_urlsafe(16)
        # Set by the task once this email is out; until then members_resend may send it.
        member.confirmation_sent_at = None
        member.save()
        if created:
            announce(hooks.member_stage_changed, member, old_stage=None, new_stage=member.stage, source="signup")
        _after_commit(tasks.send_confirmation.enqueue, member.pk)
    return member


def _source_label(source: str, source_page) -> str:
    label = Source(source).label if source in Source.values else str(source)
    if source_page is not None:
        return f"{label} on “{source_page.title}” ({source_page.get_url() or source_page.url_path})"
    return label


def get_or_create_member(
    site, email: str, *, name: str = "", stage: str = Stage.PROSPECT, source: str = Source.FORM,
    source_page=None, source_detail: str = "",
) -> tuple[Member, bool]:
    """The member with this address, created if new. Two signups at once
    make one member: the second insert fails the unique constraint and reads
    the first one's row instead."""
    key = email_key(email)
    existing = Member.objects.select_for_update().filter(site=site, email_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            member = Member.objects.create(
                site=site,
                email=email,
                name=name,
                stage=stage,
                source=source if source in Source.values else Source.FORM,
                source_page=source_page,
                source_detail=source_detail,
            )
            return member, True
    except IntegrityError:
        return Member.objects.select_for_update().get(site=site, email_key=key), False


# --- confirming -------------------------------------------------------------------


class LinkAlreadyUsed(LinkGone):
    """A single-use link followed a second time."""


USED_MESSAGES = {
    tokens.CONFIRM: (
        "This link has already been used: your address is confirmed. To change what you get, "
        "ask for a link to your preferences."
    ),
    tokens.ACCESS: "This link has already been used. Ask for a new one and we'll email it.",
}


def member_of_link(purpose: str, token: str, *, site=None, lock: bool = False) -> Member:
    """The member a confirmation or magic link (``purpose``) is for, if it
    can still be used; ``lock`` it to use it. MemberRejected for a changed
    link or another site's, LinkGone if expired, used or its member deleted."""
    payload = tokens.read(purpose, token)
    members = Member.objects.select_for_update() if lock else Member.objects
    member = members.select_related("site").filter(pk=payload["m"]).first()
    if member is None or member.token_version != payload.get("v"):
        raise LinkGone("This link is for a subscription that no longer exists.", "token")
    if site is not None and member.site_id != site.pk:
        raise MemberRejected("This link is for another website's subscription.", "token")
    nonce = member.confirmation_nonce if purpose == tokens.CONFIRM else member.access_nonce
    if not nonce or payload.get("n") != nonce:
        raise LinkAlreadyUsed(USED_MESSAGES[purpose], "token")
    return member


def confirm(token: str, *, site=None, ip_address: str | None = None) -> Member:
    """Follow the confirmation link: the address is confirmed and what the
    signup asked for is granted (texts once the number's code is entered).
    Single-use; LinkAlreadyUsed the second time, MemberRejected if bad,
    expired, or (with ``site``) for another site."""
    with transaction.atomic():
        member = member_of_link(tokens.CONFIRM, token, site=site, lock=True)
        first_time = member.confirmed_at is None
        member.confirmed_at = member.confirmed_at or timezone.now()
        member.confirmation_nonce = ""
        apply_pending(member)
        if first_time:
            announce(hooks.member_confirmed, member)
    return member


def apply_pending(member: Member) -> None:
    """Grant what the member's last signup asked for (and save the member)."""
    pending = member.pending or {}
    site = member.site
    offered = channels_for(site)
    source = f"{pending.get('source', 'Signup')}, confirmed by email"
    ip = pending.get("ip", "")
    wording = pending.get("wording", {})
    if pending.get("name"):
        member.name = pending["name"]
    phone = pending.get("phone", "")
    if phone and phone != str(member.phone or ""):
        member.phone = phone
        member.phone_confirmed_at = None
        withdraw(member, "sms", source=source, ip=ip)
    if "topics" in pending:
        member.topics.set(Topic.objects.filter(site=site, slug__in=pending["topics"]))
    choices = Choices(phone=phone, webhook_url=pending.get("webhook_url", ""))
    awaiting_code = {}
    for key, frequency in (pending.get("channels") or {}).items():
        if key not in offered:
            continue
        if offered[key].needs == NEEDS_PHONE and not member.phone_confirmed:
            awaiting_code[key] = {"frequency": frequency, "wording": wording.get(key, ""), "source": source, "ip": ip}
            continue
        grant(
            member, key, frequency,
            source=source, wording=wording.get(key, ""), ip=ip, config=_channel_config(site, key, choices),
        )
    member.unsubscribed_at = None if pending.get("channels") else member.unsubscribed_at
    member.pending = {"awaiting_code": awaiting_code} if awaiting_code else {}
    member.save()
    if awaiting_code:
        _after_commit(tasks.send_phone_code.enqueue, member.pk)


def resend_pending_confirmations(older_than_minutes: int = 10) -> int:
    """Queue the confirmation again for signups whose email never went out
    (the mail server was down), new members' and confirmed members' asking
    for new choices alike: nothing anyone asked for is lost."""
    cutoff = timezone.now() - timezone.timedelta(minutes=older_than_minutes)
    ids = list(
        Member.objects.filter(confirmation_sent_at__isnull=True, updated_at__lt=cutoff)
        .exclude(confirmation_nonce="")
        .values_list("pk", flat=True)
    )
    for member_id in ids:
        tasks.send_confirmation.enqueue(member_id)
    return len(ids)


# --- the mobile number's code ------------------------------------------------------


def _code_hash(member: Member, code: str) -> str:
    return consent.keyed_hash(f"phone-code:{member.pk}:{member.phone}:{code}")


def issue_phone_code(member: Member) -> str:
    """A new six-digit code for ``member``'s number (stored hashed); returns it to send."""
    code = f"{secrets.randbelow(10**6):06d}"
    member.phone_code_hash = _code_hash(member, code)
    member.phone_code_expires_at = timezone.now() + timezone.timedelta(minutes=settings.MEMBERS_PHONE_CODE_MINUTES)
    member.phone_code_attempts = 0
    member.save(update_fields=["phone_code_hash", "phone_code_expires_at", "phone_code_attempts", "updated_at"])
    return code


def check_phone_code_rate(phone: str) -> None:
    """Count one code texted to ``phone``; MemberRateLimited past MEMBERS_PHONE_CODES_PER_NUMBER."""
    _limit(
        "members-phone", str(phone), settings.MEMBERS_PHONE_CODES_PER_NUMBER,
        "We have sent several codes to this number already.",
    )


def request_new_phone_code(member: Member) -> None:
    """Send another code (rate-limited per number)."""
    if not member.phone or not (member.pending or {}).get("awaiting_code"):
        raise MemberRejected("There is no number waiting for a code.", "code")
    check_phone_code_rate(member.phone)
    transaction.on_commit(partial(tasks.send_phone_code.enqueue, member.pk))


def verify_phone_code(member: Member, code: str) -> Member:
    """Check the code texted to ``member``; if right, the number is confirmed
    and the text channels it waited for are granted. A wrong code counts
    against PHONE_CODE_ATTEMPTS."""
    code = "".join((code or "").split())
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("site").get(pk=member.pk)
        awaiting = (member.pending or {}).get("awaiting_code") or {}
        if not awaiting or not member.phone_code_hash:
            raise MemberRejected("There is no code waiting to be entered for this number.", "code")
        if member.phone_code_expires_at is None or member.phone_code_expires_at < timezone.now():
            raise MemberRejected("This code has expired. Ask for a new one.", "code")
        if member.phone_code_attempts >= PHONE_CODE_ATTEMPTS:
            raise MemberRejected("Too many wrong codes. Ask for a new one.", "code")
        right = code.isdigit() and len(code) == 6 and _code_hash(member, code) == member.phone_code_hash
        if right:
            member.phone_confirmed_at = timezone.now()
            member.phone_code_hash = ""
            member.phone_code_expires_at = None
            member.pending = {key: value for key, value in member.pending.items() if key != "awaiting_code"}
            for key, request in awaiting.items():
                grant(
                    member, key, request["frequency"],
                    source=f"{request['source']}, number confirmed by code",
                    wording=request["wording"], ip=request["ip"],
                )
            member.unsubscribed_at = None
            member.save()
            return member
        member.phone_code_attempts += 1
        member.save(update_fields=["phone_code_attempts", "updated_at"])
    left = PHONE_CODE_ATTEMPTS - member.phone_code_attempts
    raise MemberRejected(f"That code is not right. {left} tr{'y' if left == 1 else 'ies'} left.", "code")


# --- the magic link ------------------------------------------------------------------


def request_access(site, email: str, *, ip_address: str | None = None) -> None:
    """Email ``email`` a link to their preferences if they are a member.
    Unconfirmed members get their confirmation again. Nobody is told which
    happened."""
    email = normalise_email(email)
    check_ip_rate(ip_address)
    check_email_rate(email)
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(site=site, email_key=email_key(email)).first()
        if member is None or consent.is_suppressed(site, Suppression.EMAIL, email):
            return
        if member.confirmed_at is None:
            if member.confirmation_nonce:
                _after_commit(tasks.send_confirmation.enqueue, member.pk)
            return
        member.access_nonce = secrets.token_urlsafe(16)
        member.save(update_fields=["access_nonce", "updated_at"])
        _after_commit(tasks.send_access_link.enqueue, member.pk)


def open_access_link(token: str, *, site=None) -> Member:
    """Use a magic link (once): the member it was sent to."""
    with transaction.atomic():
        member = member_of_link(tokens.ACCESS, token, site=site, lock=True)
        member.access_nonce = ""
        member.save(update_fields=["access_nonce", "updated_at"])
    return member


def member_for_token(token: str) -> Member:
    """The member a preferences token acts for; MemberRejected if it is bad,
    expired or void."""
    payload = tokens.read(tokens.PREFERENCES, token)
    member = Member.objects.select_related("site").filter(pk=payload["m"]).first()
    if member is None or member.token_version != payload.get("v"):
        raise MemberRejected("This link is for a subscription that no longer exists.", "token")
    return member
