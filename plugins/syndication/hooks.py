"""The syndication plugin's hooks.

Syndication never reads another plugin's tables. It asks for recipients
and their addresses through these hooks, which the members plugin answers,
and tells the owner of an address when it cannot be reached.

A *recipient* is a ``(member_id, channel, frequency)`` tuple: one member on
one channel, ``frequency`` being "immediate", "daily" or "weekly".
"""
from hearthside.extending.base import Action, Filter

update_recipients = Action(
    "syndication.update_recipients",
    """Who should get an update: every member who may be reached now and wants it.

    Arguments: ``site``; ``page`` (the specific Page the update is about, or
    None for a newsletter sent to an audience); ``audience`` (None, or for a
    newsletter ``{"audience": id, "segment": id or None}`` with ids from
    ``newsletter_audiences``); ``channels`` (a tuple of channel keys to
    include, or None for every channel).
    Each receiver returns an iterable of recipient tuples
    ``(member_id, channel, frequency)``, at most one per (member, channel):
    confirmed members who granted the channel and whose topics match the
    page (a member who follows no topic gets every page). The iterable may
    stream from the database; syndication reads it in chunks and never
    holds it whole, so return ``queryset.values_list(...).iterator()``.
    """,
)

recipient_contacts = Action(
    "syndication.recipient_contacts",
    """The addresses to deliver to, asked at send time for one batch.

    Arguments: ``site``, ``channel`` (key), ``member_ids`` (a list of ints,
    at most one batch), ``update_id`` (the Update being sent, or None for a
    digest; unsubscribe links carry it so the report can count who left
    after which update).
    Each receiver returns ``{member_id: contact}`` for the members who may
    still be reached on ``channel`` right now: confirmed, still on the
    channel, not unsubscribed, erased or suppressed. Members left out are
    skipped, not retried. ``contact`` is a dict with the keys ``email``,
    ``name``, ``phone`` (E.164 or ""), ``webhook_url`` (or ""),
    ``unsubscribe_url`` (a signed link; a POST to it unsubscribes from
    ``channel`` without cookies, a GET shows a confirmation page) and
    ``preferences_url`` (where the member asks for a sign-in link to the
    preference centre: a lasting link that signs in would let anyone a
    message is forwarded to change the member's choices).
    One query per batch, whatever its size.
    """,
)

recipient_leaving = Action(
    "syndication.recipient_leaving",
    """A member is being taken off a channel, or off every channel (they
    unsubscribed, were erased, or their address stopped working). Sent by
    the owner of the addresses *inside* the transaction that does it, before
    it commits: syndication then hands no message to them over once it has
    committed, even one of a batch already being sent.

    Arguments: ``site``, ``member_id`` (int), ``channel`` (key, or None for
    every channel).
    Receivers return nothing useful; results are ignored.
    """,
)

address_undeliverable = Action(
    "syndication.address_undeliverable",
    """An address must not be used again: it bounced permanently, its owner
    marked a message as spam, or it failed permanently more than
    SYNDICATION_FAILURES_BEFORE_SUPPRESSING times.

    Arguments: ``site``, ``channel`` (key), ``address`` (the email address,
    phone number or webhook URL), ``member_id`` (int or None when a provider
    reports an address only), ``reason`` ("bounced", "complained" or
    "failed").
    Receivers suppress the address; results are ignored.
    """,
)

newsletter_audiences = Action(
    "syndication.newsletter_audiences",
    """The audiences a newsletter can go to, for the page editor's Newsletter tab.

    Arguments: ``site``.
    Each receiver returns a list of ``{"id": str, "name": str,
    "member_count": int, "segments": [{"id": str, "name": str,
    "member_count": int}, ...]}``. Ids are unique across receivers, e.g.
    "topic:recipes" or "everyone"; they come back in ``update_recipients``.
    """,
)

delivery_channels = Filter(
    "syndication.delivery_channels",
    """How each channel's deliveries are sent.

    Value: a ``dict`` of channel key -> ``plugins.syndication.channels.Sender``
    (email, sms, webhook and rss to start with).
    Arguments: ``site``.
    Each receiver returns the dict, usually with its own Sender added for a
    channel it declared through the members plugin's ``member_channels``.
    """,
)

update_sent = Action(
    "syndication.update_sent",
    """Every delivery of an update has been tried: none is queued any more.

    Arguments: ``site``, ``update`` (dict: ``id``, ``page_id``, ``kind``
    ("page" or "newsletter"), ``title``, ``counts`` (a dict of status ->
    number of deliveries)).
    Receivers return nothing useful; results are ignored.
    """,
)

unsubscribed_via_update = Action(
    "syndication.unsubscribed_via_update",
    """Someone used the unsubscribe link (or the List-Unsubscribe one-click
    POST) of a message of an update. The members plugin sends it after the
    unsubscribe commits; syndication counts it in the update's report.

    Arguments: ``site``, ``update_id`` (int), ``member_id`` (int),
    ``channel`` (key).
    Receivers return nothing useful; results are ignored.
    """,
)
