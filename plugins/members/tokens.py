"""The signed tokens in members' links and API calls.

- confirmation: in the double opt-in email; single-use, expires after
  MEMBERS_CONFIRMATION_DAYS;
- access: the magic link to the preference centre; single-use, expires after
  MEMBERS_ACCESS_LINK_HOURS;
- preferences: what the API and one-click links carry to act for a member;
  expires after MEMBERS_PREFERENCES_TOKEN_DAYS, and all of a member's are void
  once they are erased or their token version is raised;
- unsubscribe: in every message syndication sends (the footer link and the
  List-Unsubscribe header); takes the member off one channel and carries
  the update it came with. Works for UNSUBSCRIBE_DAYS, any number of times.

Single use comes from a random nonce stored on the member and cleared (or
replaced) when the link is used.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .validation import LinkGone, MemberRejected

SALT = "hearthside.members"
CONFIRM, ACCESS, PREFERENCES, UNSUBSCRIBE = "confirm", "access", "preferences", "unsubscribe"
# An unsubscribe link must keep working as long as anyone might open an old
# message (RFC 8058 senders are expected to honour it long after sending).
# It can only take someone off a channel, so a long life risks nothing.
UNSUBSCRIBE_DAYS = 400


def _max_age(purpose: str) -> timedelta:
    return {
        CONFIRM: timedelta(days=settings.MEMBERS_CONFIRMATION_DAYS),
        ACCESS: timedelta(hours=settings.MEMBERS_ACCESS_LINK_HOURS),
        PREFERENCES: timedelta(days=settings.MEMBERS_PREFERENCES_TOKEN_DAYS),
        UNSUBSCRIBE: timedelta(days=UNSUBSCRIBE_DAYS),
    }[purpose]


def make(purpose: str, member, nonce: str = "") -> str:
    payload = {"m": member.pk, "v": member.token_version}
    if nonce:
        payload["n"] = nonce
    return signing.dumps(payload, salt=f"{SALT}:{purpose}", compress=True)


def make_unsubscribe(member_id: int, channel: str, update_id: int | None = None) -> str:
    """An unsubscribe link's token: ``member_id`` off ``channel``, from the
    message of ``update_id`` (None: a digest or another message). Takes ids,
    not a Member, as it is made for a batch of rows at send time. Not bound
    to the token version: raising it must not break the links in old mail."""
    payload = {"m": member_id, "c": channel}
    if update_id is not None:
        payload["u"] = update_id
    return signing.dumps(payload, salt=f"{SALT}:{UNSUBSCRIBE}", compress=True)


EXPIRED_MESSAGES = {
    CONFIRM: "This confirmation link has expired. Please sign up again and we'll send a new one.",
    ACCESS: "This link has expired. Ask for a new one and we'll email it to you.",
    PREFERENCES: "This link has expired. Ask for a new one and we'll email it to you.",
    UNSUBSCRIBE: (
        "This unsubscribe link has expired. Ask for a link to your preferences and unsubscribe there."
    ),
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
