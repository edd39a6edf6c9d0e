"""The signed tokens in members' links and API calls.

- confirmation: in the double opt-in email; single-use, expires after
  MEMBERS_CONFIRMATION_DAYS;
- access: the magic link to the preference centre; single-use, expires after
  MEMBERS_ACCESS_LINK_HOURS;
- preferences: what the API and one-click links carry to act for a member;
  expires after MEMBERS_PREFERENCES_TOKEN_DAYS, and all of a member's are void
  once they are erased or their token version is raised.

Single use comes from a random nonce stored on the member and cleared (or
replaced) when the link is used.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .validation import LinkGone, MemberRejected

SALT = "hearthside.members"
CONFIRM, ACCESS, PREFERENCES = "confirm", "access", "preferences"


def _max_age(purpose: str) -> timedelta:
    return {
        CONFIRM: timedelta(days=settings.MEMBERS_CONFIRMATION_DAYS),
        ACCESS: timedelta(hours=settings.MEMBERS_ACCESS_LINK_HOURS),
        PREFERENCES: timedelta(days=settings.MEMBERS_PREFERENCES_TOKEN_DAYS),
    }[purpose]


def make(purpose: str, member, nonce: str = "") -> str:
    payload = {"m": member.pk, "v": member.token_version}
    if nonce:
        payload["n"] = nonce
    return signing.dumps(payload, salt=f"{SALT}:{purpose}", compress=True)


EXPIRED_MESSAGES = {
    CONFIRM: "This confirmation link has expired. Please sign up again and we'll send a new one.",
    ACCESS: "This link has expired. Ask for a new one and we'll email it to you.",
    PREFERENCES: "This link has expired. Ask for a new one and we'll email it to you.",
}


def read(purpose: str, token: str) -> dict:
    """The payload of a token made for ``purpose``; MemberRejected if it was
    changed, made for something else, or has expired."""
    try:
        payload = signing.loads(token or "", salt=f"{SALT}:{purpose}", max_age=_max_age(purpose))
    except signing.SignatureExpired:
        raise LinkGone(EXPIRED_MESSAGES[purpose], "token") from None
    except signing.BadSignature:
        raise MemberRejected(
            "This link is not valid: it may have been cut short or changed. Please use the whole link "
            "from the email, or ask for a new one.",
            "token",
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("m"), int):
        raise MemberRejected("This link is not valid.", "token")
    return payload
