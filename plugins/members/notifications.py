"""The messages members get from this plugin: the confirmation link, the
magic link to their preferences, and the code for their mobile number.

Links are absolute, on the member's site, and carry signed tokens. Mail goes
to the address's IDNA form, which every mail server accepts.
"""
from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from hearthside.mail import header_text
from hearthside.sms import send_sms

from . import tokens
from .channels import channels_for
from .config import business_name
from .models import Member
from .validation import mailable_address


def absolute(site, path: str) -> str:
    return f"{site.root_url}{path}"


def preferences_url(member: Member) -> str:
    """A link that opens the preference centre for ``member`` (magic link)."""
    return absolute(member.site, reverse("members:access_link", args=[tokens.make(tokens.ACCESS, member, member.access_nonce)]))


def _send(member: Member, subject: str, template: str, context: dict) -> int:
    context = {"member": member, "site": member.site, "business": business_name(member.site), **context}
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=render_to_string(f"members/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mailable_address(member.email)],
    )
    message.attach_alternative(render_to_string(f"members/email/{template}.html", context), "text/html")
    return message.send()


def send_confirmation(member: Member) -> int:
    offered = channels_for(member.site)
    pending = member.pending or {}
    asked = [
        {"label": offered[key].label, "frequency": frequency}
        for key, frequency in (pending.get("channels") or {}).items()
        if key in offered
    ]
    link = absolute(
        member.site, reverse("members:confirm", args=[tokens.make(tokens.CONFIRM, member, member.confirmation_nonce)])
    )
    return _send(
        member,
        f"Please confirm your subscription to {business_name(member.site)}",
        "confirm",
        {
            "confirm_url": link,
            "asked": asked,
            "already_confirmed": member.confirmed_at is not None,
            "days": settings.MEMBERS_CONFIRMATION_DAYS,
        },
    )


def send_access_link(member: Member) -> int:
    return _send(
        member,
        f"Your link to your {business_name(member.site)} preferences",
        "access",
        {"access_url": preferences_url(member), "hours": settings.MEMBERS_ACCESS_LINK_HOURS},
    )


def send_phone_code(member: Member, code: str) -> str:
    return send_sms(
        str(member.phone),
        f"{code} is your {business_name(member.site)} code to confirm this number for text updates. "
        f"It expires in {settings.MEMBERS_PHONE_CODE_MINUTES} minutes.",
    )
