"""The insights plugin's hooks. Insights owns no community data: it asks
every plugin for its figures through these hooks and draws what comes back.
A plugin answers them in its own ``insights.py`` (connected from its
``ready()``), aggregating in the database; while it is inactive on a site its
receivers are not called and its section is simply absent.

Every receiver gets ``site`` and ``period``, a dict:

- ``start``, ``end``: aware datetimes, ``end`` exclusive;
- ``first_day``, ``last_day``: the dates they cover, in the site's time zone;
- ``timezone``: that time zone (a ``zoneinfo.ZoneInfo``), for ``TruncDate``.

What receivers return is plain data (dicts, lists, numbers, strings, dates),
never models, so insights needs nothing of theirs. The shapes:

*Section*: ``{"key": str, "title": str, "order": int, "description": str,
"figures": [Figure, ...], "charts": [Chart, ...]}``. Lower ``order`` comes
first (members 10, comments 20, syndication 30, polls 40).

*Figure*: ``{"label": str, "value": int | float | None, "unit": "count" |
"percent" | "seconds", "note": str}``. ``percent`` is a fraction (0.25 is
25 %); ``seconds`` is shown as a duration; ``None`` is shown as "–" (nothing
to measure yet).

*Chart*: ``{"key": str, "title": str, "kind": ..., "description": str,
"columns": [str, ...], "rows": [[...], ...]}`` with ``kind`` one of:

- ``"timeseries"``: one row per day that has something,
  ``[date, value per series]``, ``columns`` naming the series. Insights
  fills in the empty days and sums days into weeks for long periods. With
  ``"cumulative_from": [value per series]`` (the totals before the period)
  the series are drawn as running totals.
- ``"bars"``: ``[label, number]`` rows, drawn as horizontal bars in the
  order given; ``"percent": True`` also shows each row's share of the total.
- ``"table"``: rows of ``columns``; a cell is a str, number, date, None, or
  ``{"text": str, "url": str}`` for a link.

Every chart is drawn as SVG on the server, with its table and a CSV download.
"""
from hearthside.extending.base import Action

insights_sections = Action(
    "insights.sections",
    """A plugin's section of the Insights dashboard, for one site and period.

    Arguments: ``site``, ``period`` (dict, see the module docstring),
    ``summary`` (bool: True for the admin home's panel, which shows only the
    figures, so a receiver may leave the charts out and save their queries).
    Each receiver returns one Section dict (see the module docstring), or
    None to show nothing. A few queries per receiver, whatever the number of
    members, comments or deliveries: aggregate in the database.
    """,
)

page_activity = Action(
    "insights.page_activity",
    """Which pages drew the most activity of one kind in the period, for the
    dashboard's "Pages that drove the community" table, which joins every
    receiver's counts page by page.

    Arguments: ``site``, ``period`` (dict), ``limit`` (int: how many pages
    to return at most).
    Each receiver returns ``{"key": str, "label": str ("Comments",
    "Signups"...), "counts": [(page_id, number), ...]}``, biggest first, at
    most ``limit`` of them, or None. One query.
    """,
)
