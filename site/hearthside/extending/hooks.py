"""The core's hooks. Plugins declare their own in ``plugins/<name>/hooks.py``.

Connect a receiver in your plugin's ``receivers.py`` (imported by
``PluginConfig.ready``)::

    from hearthside.extending import hooks

    @hooks.page_published.connect
    def announce(site, page, **kwargs):
        ...

Receivers always accept ``**kwargs`` so that hooks can grow arguments.
"""
from .base import Action, Filter

page_published = Action(
    "page_published",
    """A page went live, on any publish path (admin, scheduled, API, shell).

    Sent after the publishing transaction commits.
    Arguments: ``site`` (the page's Site), ``page`` (the specific Page
    instance), ``revision`` (the published Revision or None).
    Receivers return nothing useful; results are ignored.
    """,
)

page_unpublished = Action(
    "page_unpublished",
    """A page stopped being live (unpublished or deleted while live).

    Sent after the transaction commits.
    Arguments: ``site`` (the page's Site), ``page`` (the specific Page).
    Receivers return nothing useful; results are ignored.
    """,
)

api_page_payload = Filter(
    "api_page_payload",
    """The JSON of one page in the pages API (/api/v2/pages/), list or detail.

    Value: the page's serialised ``dict``.
    Arguments: ``site``, ``page`` (the Page), ``request``.
    Each receiver returns the dict to pass on (modified or replaced).
    """,
)

page_context = Filter(
    "page_context",
    """The template context of a page being rendered by a theme.

    Value: the context ``dict``.
    Arguments: ``site``, ``page``, ``request``.
    Each receiver returns the context to pass on.
    """,
)

listing_pages = Filter(
    "listing_pages",
    """Pages about to be shown as cards in a listing (a section's articles,
    the home page's latest articles), so a plugin can fetch what it
    shows on each card for all of them in one query.

    Value: the ``list`` of specific Page instances (already evaluated).
    Arguments: ``site``, ``request``.
    Each receiver returns the list (usually the same one, with attributes
    set on the pages, e.g. ``page.comment_count``).
    """,
)

demo_content_loaded = Action(
    "demo_content_loaded",
    """``manage.py load_demo`` has built the demo site; plugins add their own
    demo data to it.

    Arguments: ``site`` (the demo Site), ``pages`` (a dict of the demo's
    pages by slug: specific Page instances).
    Receivers return nothing useful; results are ignored.
    """,
)

backlog_report = Action(
    "backlog_report",
    """What is waiting to go out on a site, for ``manage.py queue_status``
    (work a plugin keeps in its own tables, which the core cannot read).

    Arguments: ``site``.
    Each receiver returns a ``list`` of dicts, one per line of the report:
    ``{"label": str, "count": int, "oldest_seconds": int | None, "note": str}``
    (``oldest_seconds``: how long the oldest of them has waited, None if
    unknown or nothing waits), optionally with ``"queued": True`` on lines
    that count towards the queued backlog ``--fail-over`` watches.
    """,
)
