"""The members plugin's answers to the syndication plugin, which holds
member ids only and asks through its hooks (connected in receivers.py):

- :func:`update_recipients`: who gets a page's update, or a newsletter;
- :func:`recipient_contacts`: the addresses of one batch, at send time;
- :func:`newsletter_audiences`: the audiences and segments a newsletter
  can go to, with their sizes;
- :func:`address_undeliverable`: an address bounced, complained or kept
  failing: suppress it and take its member off the channel;
- the unsubscribe link in every message (:func:`unsubscribe_link`,
  :func:`read_unsubscribe_link`, :func:`use_unsubscribe_link`), which tells
  syndication who left after which update.

Everything is decided in the database, so the cost does not grow with the
number of members: recipients stream from one query, a batch's contacts
take one query plus one for suppressions, audiences a handful.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from wagtail.models import Page

from . import consent, tokens
from .channels import NEEDS_PHONE, NEEDS_WEBHOOK_URL, channels_for
from .models import (
    Member,
    Stage,
    Subscription,
    Suppression,
    SuppressionReason,
    TaggedMember,
    Topic,
    email_key,
)
from .preferences import unsubscribe
from .validation import LinkGone, MemberRejected

try:  # the syndication plugin may be left out of this install
    from plugins.syndication import hooks as syndication_hooks
except ImportError:
    syndication_hooks = None

# Newsletters go by email only, as soon as they are sent: a newsletter is
# not an update that waits for someone's digest.
NEWSLETTER_CHANNEL = "email"
NEWSLETTER_FREQUENCY = "immediate"
EVERYONE = "everyone"
TOPIC, STAGE, TAG = "topic:", "stage:", "tag:"
# Rows fetched at a time while syndication reads the recipients.
STREAM_CHUNK = 5000

Follows = Member.topics.through


def _absolute(site, path: str) -> str:
    return f"{site.root_url}{path}"


# --- who may be reached --------------------------------------------------------------


def reachable_subscriptions(site, channels=None) -> QuerySet[Subscription]:
    """Subscriptions of ``site``'s confirmed, still subscribed members on the
    channels the site offers (of ``channels``, if given), where the member can
    be reached: channels that text need a confirmed number, webhooks a URL."""
    offered = channels_for(site)
    keys = [key for key in offered if channels is None or key in channels]
    subscriptions = Subscription.objects.filter(
        member__site=site,
        member__confirmed_at__isnull=False,
        member__unsubscribed_at__isnull=True,
        channel__in=keys,
    )
    texts = [key for key in keys if offered[key].needs == NEEDS_PHONE]
    if texts:
        subscriptions = subscriptions.exclude(
            Q(channel__in=texts) & (Q(member__phone_confirmed_at__isnull=True) | Q(member__phone=""))
        )
    hooks_ = [key for key in keys if offered[key].needs == NEEDS_WEBHOOK_URL]
    if hooks_:
        subscriptions = subscriptions.exclude(
            Q(channel__in=hooks_) & (Q(config__url__isnull=True) | Q(config__url=""))
        )
    return subscriptions


def topics_of(site, page: Page) -> QuerySet[Topic]:
    """``site``'s topics ``page`` belongs to, by the rule of the private feeds
    (feeds.topic_pages): a topic's section is above the page, or the page is
    an article with the topic's tag."""
    from hearthside.models import ArticlePageTag

    # The page's ancestors' paths, read off its own path (treebeard's steps).
    above = [page.path[: Page.steplen * depth] for depth in range(1, page.depth)]
    tagged = ArticlePageTag.objects.filter(content_object_id=page.pk).values("tag_id")
    return Topic.objects.filter(site=site).filter(Q(section__path__in=above) | Q(tag_id__in=tagged))


def wants_page(site, page: Page) -> Q:
    """Subscriptions whose member follows a topic of ``page``, or no topic at all."""
    follows_any = Follows.objects.filter(member_id=OuterRef("member_id"))
    follows_page = follows_any.filter(topic__in=topics_of(site, page))
    return ~Exists(follows_any) | Exists(follows_page)


# --- update_recipients -----------------------------------------------------------------


def update_recipients(site, page=None, audience=None, channels=None):
    """``(member_id, channel, frequency)`` for everyone who gets an update
    of ``page``, or, with ``page`` None, the newsletter to ``audience``;
    streamed from one query."""
    if page is None:
        members = audience_members(site, audience)
        if members is None or (channels is not None and NEWSLETTER_CHANNEL not in channels):
            return iter(())
        subscriptions = reachable_subscriptions(site, [NEWSLETTER_CHANNEL]).filter(member__in=members)
        rows = subscriptions.annotate(
            newsletter_frequency=Value(NEWSLETTER_FREQUENCY, output_field=CharField())
        ).values_list("member_id", "channel", "newsletter_frequency")
    else:
        subscriptions = reachable_subscriptions(site, channels).filter(wants_page(site, page))
        rows = subscriptions.values_list("member_id", "channel", "frequency")
    # (member, channel) is unique and indexed: the order costs no sort.
    return rows.order_by("member_id", "channel").iterator(chunk_size=STREAM_CHUNK)


# --- newsletters: audiences and segments ------------------------------------------------


def newsletter_members(site) -> QuerySet[Member]:
    """Members a newsletter can reach on ``site``: confirmed, subscribed, on email."""
    on_email = Subscription.objects.filter(member_id=OuterRef("pk"), channel=NEWSLETTER_CHANNEL)
    return Member.objects.filter(
        site=site, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).filter(Exists(on_email))


def audience_members(site, audience) -> QuerySet[Member] | None:
    """The members of ``audience`` (``{"audience": id, "segment": id or None}``,
    ids from :func:`newsletter_audiences`); None if an id is not one of ours
    (another plugin's audience) or the audience is missing."""
    if not isinstance(audience, dict) or not isinstance(audience.get("audience"), str):
        return None
    audience_id, segment = audience["audience"], audience.get("segment")
    members = newsletter_members(site)
    if audience_id.startswith(TOPIC):
        slug = audience_id.removeprefix(TOPIC)
        members = members.filter(
            Exists(Follows.objects.filter(member_id=OuterRef("pk"), topic__site=site, topic__slug=slug))
        )
    elif audience_id != EVERYONE:
        return None
    if not segment:
        return members
    if not isinstance(segment, str):
        return None
    if segment.startswith(STAGE) and segment.removeprefix(STAGE) in Stage.values:
        return members.filter(stage=segment.removeprefix(STAGE))
    if segment.startswith(TAG):
        tag = segment.removeprefix(TAG)
        tagged = TaggedMember.objects.filter(content_object_id=OuterRef("pk"), tag__slug=tag)
        return members.filter(Exists(tagged))
    return None


def _segments(by_stage: dict[str, int], by_tag: dict[tuple[str, str], int]) -> list[dict]:
    stages = [
        {
            "id": f"{STAGE}{stage.value}",
            "name": f"{stage.label}s",
            "member_count": by_stage.get(stage.value, 0),
        }
        for stage in Stage
    ]
    tags = [
        {"id": f"{TAG}{slug}", "name": f"Tagged “{name}”", "member_count": count}
        for (slug, name), count in sorted(by_tag.items(), key=lambda item: item[0][1].casefold())
    ]
    return stages + tags


def newsletter_audiences(site) -> list[dict]:
    """Everyone on email, then the followers of each topic, each with its
    segments (stages, then member tags), counted in five queries."""
    members = newsletter_members(site)
    everyone_by_stage = dict(members.order_by().values_list("stage").annotate(n=Count("pk")))
    everyone_by_tag = {
        (slug, name): count
        for slug, name, count in TaggedMember.objects.filter(content_object__in=members)
        .order_by()
        .values_list("tag__slug", "tag__name")
        .annotate(n=Count("content_object_id", distinct=True))
    }
    topic_by_stage: dict[int, dict[str, int]] = {}
    for topic_id, stage, count in (
        Follows.objects.filter(topic__site=site, member__in=members)
        .order_by()
        .values_list("topic_id", "member__stage")
        .annotate(n=Count("member_id"))
    ):
        topic_by_stage.setdefault(topic_id, {})[stage] = count
    topic_by_tag: dict[int, dict[tuple[str, str], int]] = {}
    for topic_id, slug, name, count in (
        TaggedMember.objects.filter(content_object__in=members, content_object__topics__site=site)
        .order_by()
        .values_list("content_object__topics", "tag__slug", "tag__name")
        .annotate(n=Count("content_object_id", distinct=True))
    ):
        topic_by_tag.setdefault(topic_id, {})[(slug, name)] = count

    audiences = [
        {
            "id": EVERYONE,
            "name": "Everyone on the email list",
            "member_count": sum(everyone_by_stage.values()),
            "segments": _segments(everyone_by_stage, everyone_by_tag),
        }
    ]
    for topic in Topic.objects.filter(site=site).only("pk", "name", "slug"):
        by_stage = topic_by_stage.get(topic.pk, {})
        audiences.append(
            {
                "id": f"{TOPIC}{topic.slug}",
                "name": f"Following “{topic.name}”",
                "member_count": sum(by_stage.values()),
                "segments": _segments(by_stage, topic_by_tag.get(topic.pk, {})),
            }
        )
    return audiences


# --- recipient_contacts ------------------------------------------------------------------


def suppression_kind(site, channel: str) -> str | None:
    """Which suppression list keeps ``channel``'s addresses, if any."""
    if channel == "email":
        return Suppression.EMAIL
    offered = channels_for(site).get(channel)
    if offered is not None and offered.needs == NEEDS_PHONE:
        return Suppression.PHONE
    return None


def unsubscribe_link(site, member_id: int, channel: str, update_id: int | None = None) -> str:
    return unsubscribe_links(site, channel, update_id)(member_id)


def unsubscribe_links(site, channel: str, update_id: int | None = None):
    """``member_id -> unsubscribe link``, for a whole batch: the URL is
    reversed once and each member's token put in its place (signed tokens
    are URL-safe, so reverse() would not have quoted them)."""
    marker = "@hs-token@"
    url = _absolute(site, reverse("members:one_click_unsubscribe", args=[marker]))
    before, _, after = url.rpartition(marker)

    def link(member_id: int) -> str:
        return before + tokens.make_unsubscribe(member_id, channel, update_id) + after

    return link


def preferences_link(site) -> str:
    """Where a message sends people to change what they get: the page that
    emails a magic link. The magic links themselves work once and for a day,
    so they cannot sit in every message; a lasting link that signs people in
    would let anyone a message is forwarded to read and delete their data."""
    return _absolute(site, reverse("members:access"))


def recipient_contacts(site, channel: str, member_ids, update_id: int | None = None) -> dict[int, dict]:
    """``{member_id: contact}`` for the members of ``member_ids`` who may be
    reached on ``channel`` now; one query for them, one for suppressions."""
    ids = {int(member_id) for member_id in member_ids}
    if not ids:
        return {}
    rows = list(
        reachable_subscriptions(site, [channel])
        .filter(member_id__in=ids)
        .order_by()
        .values_list("member_id", "member__email", "member__name", "member__phone", "config")
    )
    kind = suppression_kind(site, channel)
    suppressed: set[int] = set()
    if kind is not None and rows:
        hashes = {
            member_id: consent.address_hash(kind, address)
            for member_id, email, _name, phone, _config in rows
            if (address := str(email if kind == Suppression.EMAIL else phone or ""))
        }
        on_list = Suppression.objects.filter(site=site, kind=kind, address_hash__in=set(hashes.values()))
        # Without an address for the list's channel (None) nobody can be reached either.
        unreachable = {None, *on_list.values_list("address_hash", flat=True)}
        suppressed = {member_id for member_id, *_ in rows if hashes.get(member_id) in unreachable}
    preferences_url = preferences_link(site)
    unsubscribe_url = unsubscribe_links(site, channel, update_id)
    return {
        member_id: {
            "email": email,
            "name": name,
            "phone": str(phone or ""),
            "webhook_url": (config or {}).get("url", "") if channel == "webhook" else "",
            "unsubscribe_url": unsubscribe_url(member_id),
            "preferences_url": preferences_url,
        }
        for member_id, email, name, phone, config in rows
        if member_id not in suppressed
    }


# --- leaving ------------------------------------------------------------------------------


def announce_leaving(member, channel: str | None = None) -> None:
    """Tell syndication, inside the transaction that takes ``member`` off
    ``channel`` (None: every channel, or erased), so that no message to them
    is handed over once it commits."""
    if syndication_hooks is not None:
        syndication_hooks.recipient_leaving.send(member.site, member_id=member.pk, channel=channel)


# --- address_undeliverable -----------------------------------------------------------------

UNDELIVERABLE = {
    # reason -> (what the suppression list says, the consent record's source)
    "bounced": (SuppressionReason.BOUNCED, "Bounced"),
    "complained": (SuppressionReason.COMPLAINED, "Marked as spam"),
    "failed": (SuppressionReason.BOUNCED, "Failed permanently"),
}


def members_at(site, channel: str, address: str) -> QuerySet[Member]:
    """``site``'s members on ``channel`` whose current address there is ``address``."""
    offered = channels_for(site).get(channel)
    address = address.strip()
    if channel == "email":
        at_address = Q(email_key=email_key(address))
    elif offered is not None and offered.needs == NEEDS_PHONE:
        at_address = Q(phone=address)
    elif offered is not None and offered.needs == NEEDS_WEBHOOK_URL:
        hooked = Subscription.objects.filter(channel=channel, config__url=address)
        at_address = Q(pk__in=hooked.values("member_id"))
    else:
        return Member.objects.none()
    on_channel = Subscription.objects.filter(member_id=OuterRef("pk"), channel=channel)
    return Member.objects.filter(at_address, Exists(on_channel), site=site)


def address_undeliverable(
    site, channel: str, address: str, member_id: int | None = None, reason: str = "bounced"
) -> int:
    """Never use ``address`` on ``channel`` again: suppress it (email and
    phone numbers) and take the members it still belongs to off the channel,
    recorded as a withdrawal. A member who has changed their address since
    keeps the new one. Returns how many members were taken off."""
    if reason not in UNDELIVERABLE:
        raise ValueError(f"Unknown reason {reason!r}: expected one of {', '.join(UNDELIVERABLE)}.")
    if not address or not address.strip():
        return 0
    suppression_reason, source = UNDELIVERABLE[reason]
    kind = suppression_kind(site, channel)
    left = 0
    with transaction.atomic():
        if kind is not None:
            consent.suppress(site, kind, address, suppression_reason)
        if channel not in channels_for(site):
            return 0
        members = members_at(site, channel, address)
        if member_id is not None:
            members = members.filter(pk=member_id)
        for member in members.select_related("site"):
            left += unsubscribe(member, channel, source=source)
    return left


# --- the unsubscribe link ---------------------------------------------------------------------

ONE_CLICK_SOURCE = "One-click unsubscribe link"


@dataclass(frozen=True)
class UnsubscribeLink:
    member: Member
    channel: str
    channel_label: str
    update_id: int | None
    subscribed: bool


def read_unsubscribe_link(site, token: str) -> UnsubscribeLink:
    """What an unsubscribe link is for; MemberRejected if it was changed or
    is another site's, LinkGone if it expired or its member was deleted."""
    payload = tokens.read(tokens.UNSUBSCRIBE, token)
    channel, update_id = payload.get("c"), payload.get("u")
    if not isinstance(channel, str) or not (update_id is None or isinstance(update_id, int)):
        raise MemberRejected("This link is not valid.", "token")
    member = Member.objects.select_related("site").filter(pk=payload["m"]).first()
    if member is None:
        raise LinkGone(
            "This link is for a subscription that no longer exists: we send nothing to it.", "token"
        )
    if member.site_id != site.pk:
        raise MemberRejected("This link is for another website's subscription.", "token")
    offered = channels_for(site).get(channel)
    return UnsubscribeLink(
        member=member,
        channel=channel,
        channel_label=offered.label if offered is not None else channel,
        update_id=update_id,
        subscribed=member.subscriptions.filter(channel=channel).exists(),
    )


def _announce_unsubscribe(site, update_id: int, member_id: int, channel: str) -> None:
    syndication_hooks.unsubscribed_via_update.send(
        site, update_id=update_id, member_id=member_id, channel=channel
    )


def use_unsubscribe_link(site, token: str, *, ip_address: str | None = None) -> UnsubscribeLink:
    """Take the link's member off its channel. Using it again changes
    nothing. Syndication hears of it (once the unsubscribe has committed)
    when the link came with an update and the member did leave."""
    link = read_unsubscribe_link(site, token)
    source = ONE_CLICK_SOURCE if link.update_id is None else f"{ONE_CLICK_SOURCE} (update {link.update_id})"
    left = unsubscribe(link.member, link.channel, source=source, ip_address=ip_address)
    if left and link.update_id is not None and syndication_hooks is not None:
        announce = partial(_announce_unsubscribe, site, link.update_id, link.member.pk, link.channel)
        transaction.on_commit(announce)
    return link
