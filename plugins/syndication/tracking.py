"""Counting opens and clicks of newsletters, only for updates with
``track`` on (a site turns it on in the syndication settings; it is off by
default, and page updates are never tracked).

- Each member's copy gets an invisible pixel (``o/<token>.gif``) and its
  web links go through ``c/<token>/``, which redirects. Tokens are signed
  (django.core.signing, salt SALT) and carry the update, the member and,
  for a click, the address: only addresses we signed redirect, so the link
  cannot be turned into an open redirect. Unsubscribe and preference links
  are never wrapped, nor is the plain-text part.
- The HTML is prepared once per update (:func:`prepare`: each link becomes a
  numbered placeholder) and filled per member with that member's tokens.
- An open is recorded once per (update, member), a click once per (update,
  member, address), as a DeliveryEvent of the member's delivery.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.urls import reverse

from .models import Delivery, DeliveryEvent, EventKind

SALT = "hearthside.syndication.track"
OPEN, CLICK = "o", "c"
# The longest address kept on a click event (DeliveryEvent.url); longer links stay untracked.
MAX_URL = 1000
CHANNEL = "email"

_LINK = re.compile(r'(<a\b[^>]*?\bhref=")(https?://[^"]+)(")', re.IGNORECASE)
_PLACEHOLDER = re.compile(r"@@hs-track-(?:link-(\d+)|pixel)@@")
PIXEL = "@@hs-track-pixel@@"
PIXEL_TAG = (
    '<img src="{src}" width="1" height="1" alt="" '
    'style="display:block;width:1px;height:1px;border:0;margin:0;padding:0">'
)


class BadToken(ValueError):
    """The token was not signed by us, or is not for this kind of request."""


def make_token(kind: str, update_id: int, member_id: int, url: str = "") -> str:
    payload = {"k": kind, "u": update_id, "m": member_id}
    if url:
        payload["l"] = url
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(token: str, kind: str) -> dict:
    """The payload of ``token`` if we signed it for ``kind`` (OPEN or CLICK)."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise BadToken("This link was not made by this site.") from None
    if (
        not isinstance(payload, dict)
        or payload.get("k") != kind
        or not isinstance(payload.get("u"), int)
        or not isinstance(payload.get("m"), int)
    ):
        raise BadToken("This link is not a tracking link of this kind.")
    if kind == CLICK:
        url = payload.get("l")
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]", url):
            raise BadToken("This link leads nowhere we can send you.")
    return payload


@dataclass(frozen=True)
class Prepared:
    """A newsletter's HTML with its links numbered, ready for each member."""

    html: str
    links: tuple[str, ...]

    def for_member(self, root_url: str, update_id: int, member_id: int) -> str:
        open_url = root_url + reverse("syndication:track-open", args=[make_token(OPEN, update_id, member_id)])
        tracked: dict[int, str] = {}

        def fill(found: re.Match) -> str:
            if found.group(1) is None:
                return PIXEL_TAG.format(src=html_lib.escape(open_url))
            index = int(found.group(1))
            if index not in tracked:
                token = make_token(CLICK, update_id, member_id, self.links[index])
                tracked[index] = html_lib.escape(root_url + reverse("syndication:track-click", args=[token]))
            return tracked[index]

        return _PLACEHOLDER.sub(fill, self.html)


def prepare(html: str) -> Prepared:
    """Number the web links of ``html`` and put the pixel placeholder at the
    end of its body. Placeholder links (unsubscribe, preferences) and links
    too long to record are left as they are."""
    links: list[str] = []
    numbered: dict[str, int] = {}

    def number(found: re.Match) -> str:
        url = html_lib.unescape(found.group(2))
        if len(url) > MAX_URL:
            return found.group(0)
        if url not in numbered:
            numbered[url] = len(links)
            links.append(url)
        return f"{found.group(1)}@@hs-track-link-{numbered[url]}@@{found.group(3)}"

    html = _LINK.sub(number, html)
    closing = html.lower().rfind("</body>")
    html = html[:closing] + PIXEL + html[closing:] if closing >= 0 else html + PIXEL
    return Prepared(html=html, links=tuple(links))


def record(payload: dict, kind: str) -> DeliveryEvent | None:
    """Record the open or click ``payload`` tells of, unless it was recorded
    before or its update does not count them. Returns the new event or None."""
    event_kind = EventKind.OPENED if kind == OPEN else EventKind.CLICKED
    url = payload.get("l", "") if kind == CLICK else ""
    with transaction.atomic():
        # The delivery's lock makes two requests for one member wait for each other (PostgreSQL).
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("update")
            .filter(update_id=payload["u"], member_id=payload["m"], channel=CHANNEL)
            .first()
        )
        if delivery is None or not delivery.update.track:
            return None
        seen = DeliveryEvent.objects.filter(update_id=delivery.update_id, member_id=delivery.member_id,
                                            kind=event_kind, url=url)
        if seen.exists():
            return None
        return DeliveryEvent.objects.create(
            site_id=delivery.update.site_id,
            update_id=delivery.update_id,
            delivery=delivery,
            member_id=delivery.member_id,
            channel=CHANNEL,
            kind=event_kind,
            provider="tracking",
            url=url,
        )
