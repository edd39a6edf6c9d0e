"""The polls plugin's hooks. Polls never reads another plugin's tables: it
asks who is voting through ``poll_voter``, and which channels an answer can
stand for through ``poll_channels``; the members plugin answers both.

Polls reach receivers as plain dicts with the keys ``id``, ``question``,
``multiple`` (bool), ``choices`` (a list of ``{"id", "label", "channel"}``,
``channel`` being a member channel key or "").
"""
from hearthside.extending.base import Action, Filter

poll_voter = Filter(
    "polls.poll_voter",
    """Which member is voting, so that a member votes once whatever browser
    they use.

    Value: None, or what an earlier receiver found.
    Arguments: ``site``, ``request`` (the voting request).
    Each receiver returns the value unchanged, or ``{"member_id": int}`` for
    the member the request is signed in as (the members plugin: a member
    signed in to the preference centre). Without a member, signed-in admin
    users vote as themselves and visitors once per browser.
    """,
)

poll_channels = Action(
    "polls.poll_channels",
    """The channels people can be reached on, for answers that stand for one
    (the ready-made "How would you like us to keep in touch?" poll, and the
    channel select of each answer in the poll editor).

    Arguments: ``site``.
    Each receiver returns a list of ``(key, name)`` pairs, e.g.
    ``[("email", "Email"), ("sms", "Text message")]`` (the members plugin:
    the member channels offered on the site). With no receiver active,
    answers stand for no channel.
    """,
)
