"""The comments plugin's hooks. Other plugins connect to these; they never
import the comments models. Comments reach receivers as plain dicts with the
keys ``id``, ``page_id``, ``name``, ``email``, ``user_id``, ``text`` (the
Markdown as written), ``state``, ``is_business_reply``, ``parent_id``,
``submitted_at`` and ``ip_address``.
"""
from hearthside.extending.base import Action, Filter

comment_posted = Action(
    "comment_posted",
    """Someone with a verified email posted a comment: a signed-in person at
    once, a visitor once they confirmed by email. Sent after the transaction
    commits, whether the comment was published or held. The members plugin
    records the commenter as a contact.

    Arguments: ``site``, ``page`` (the specific Page), ``comment`` (dict, see
    the module docstring), ``email``, ``name``, ``wants_replies`` (bool: they
    asked to be emailed about replies).
    Receivers return nothing useful; results are ignored.
    """,
)

comment_published = Action(
    "comment_published",
    """A comment became visible on its page (on posting, or when a moderator
    approved it). Sent after the transaction commits.

    Arguments: ``site``, ``page`` (the specific Page), ``comment`` (dict).
    Receivers return nothing useful; results are ignored.
    """,
)

comment_verdict = Filter(
    "comment_verdict",
    """Whether a new comment is published or held, as the site's rules decided.

    Value: a ``plugins.comments.rules.Verdict`` (``state``: "approved",
    "pending" or "spam"; ``reason``: why it was held).
    Arguments: ``site``, ``comment`` (dict).
    Each receiver returns a Verdict (the same or a new one).
    """,
)
