"""The members plugin's hooks. Other plugins connect to these, or call them,
and never import the members models.

Members reach receivers as plain dicts with the keys ``id``, ``email``,
``name``, ``phone`` (E.164 or ""), ``stage``, ``source``, ``source_page_id``,
``confirmed`` (bool), ``channels`` (``{channel: frequency}``), ``topics``
(list of topic slugs) and ``tags`` (list of str).
"""
from hearthside.extending.base import Action, Filter

member_channels = Filter(
    "members.member_channels",
    """The channels members can choose on a site: the registry behind the
    signup form, the preference centre and the API.

    Value: a ``list`` of ``plugins.members.channels.Channel`` (email, sms,
    rss and webhook to start with).
    Arguments: ``site``.
    Each receiver returns the list, usually with its own Channel appended
    (e.g. web push). Keys must be unique, lowercase words.
    """,
)

member_confirmed = Action(
    "members.member_confirmed",
    """A member confirmed their email address through the emailed link (the
    double opt-in is complete). Sent after the transaction commits.

    Arguments: ``site``, ``member`` (dict, see the module docstring).
    Receivers return nothing useful; results are ignored.
    """,
)

member_stage_changed = Action(
    "members.member_stage_changed",
    """A member moved along the lifecycle: contact (left an email in a
    comment), prospect (signed up), customer (marked or imported by editors).
    Sent after the transaction commits, also for a member who is new
    (``old_stage`` is then None).

    Arguments: ``site``, ``member`` (dict), ``old_stage`` (str or None),
    ``new_stage`` (str), ``source`` (what moved them: "signup", "comment",
    "import", "admin").
    Receivers return nothing useful; results are ignored.
    """,
)

consent_changed = Action(
    "members.consent_changed",
    """A member granted or withdrew consent for one channel (the consent
    record is already stored). Sent after the transaction commits.

    Arguments: ``site``, ``member`` (dict), ``channel`` (key), ``granted``
    (bool), ``source`` (str: where it happened).
    Receivers return nothing useful; results are ignored.
    """,
)

member_erased = Action(
    "members.member_erased",
    """A member asked to be deleted and was: their data is gone and only an
    anonymised suppression entry is kept. Plugins delete what they hold about
    the address. Sent after the transaction commits.

    Arguments: ``site``, ``email`` (the erased address, for the receiver to
    find and delete its own data; never store it), ``member_id``.
    Receivers return nothing useful; results are ignored.
    """,
)
