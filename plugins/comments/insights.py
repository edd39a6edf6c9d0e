"""The comments plugin's answers to the insights plugin: whether visitors
talk, whether the business answers them and how fast, and how moderation
went. Imported from ``ready()``; insights may be left out of an install.

Words used below:

- a *visitor comment* is any comment that is not a business reply, top-level
  or a reply to someone else;
- a visitor comment is *answered* when a published business reply sits
  directly below it (its ``parent_id`` is the comment's id). A business reply
  further down the thread answers the comment it replies to, not the ones
  above it. xtd gives a top-level comment its own id as ``parent_id``, so a
  comment is "below" itself too: harmless here, as the outer comment is a
  visitor's and the one below a business reply;
- a visitor comment is *waiting* while it is unanswered and its
  ``answered_at`` is empty: that is also set when a moderator marked it as
  needing no reply, and on every comment above a business reply (see
  ``posting.reply_as_business``), so "waiting" matches the admin's "needs a
  response" list.

Everything is counted by the comment's ``submit_date`` in the period, in the
database: the full section takes three queries (the counts, the median when
something was answered, the days), the summary two, the page activity one.
"""
from __future__ import annotations

from django.db.models import BooleanField, Count, DurationField, ExpressionWrapper, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate

from .models import CommentState, PageComment
from .posting import MODERATION_STATES

try:  # the insights plugin may be left out of this install
    from plugins.insights import hooks as insights_hooks
except ImportError:
    insights_hooks = None

SECTION_KEY = "comments"
SECTION_ORDER = 20


def _submitted_in(site, period):
    return PageComment.objects.on_site(site).filter(
        submit_date__gte=period["start"], submit_date__lt=period["end"]
    ).order_by()


def _answered_ids(site):
    """Ids of the comments a published business reply sits directly below.

    Asked as ``pk IN (...)`` rather than a correlated EXISTS on ``parent_id``:
    xtd does not index ``parent_id``, and a correlated subquery would scan
    every comment once per comment (12 s for 20,000 comments on PostgreSQL)."""
    return (
        PageComment.objects.on_site(site)
        .filter(is_business_reply=True, state=CommentState.APPROVED)
        .order_by()
        .values("parent_id")
    )


def _published_visitor_comments(site, period):
    return _submitted_in(site, period).filter(is_business_reply=False, state=CommentState.APPROVED)


def _median_reply_seconds(site, period, answered: int) -> float | None:
    """The median time from a comment to its first business reply, over the
    ``answered`` comments. For an even count it is the upper of the two
    middle values (offset ``answered // 2``): a time someone really waited,
    found with one row fetched rather than two averaged."""
    if not answered:
        return None
    asked_at = Subquery(PageComment.objects.filter(pk=OuterRef("parent_id")).values("submit_date")[:1])
    waited = (
        PageComment.objects.on_site(site)
        .filter(
            is_business_reply=True,
            state=CommentState.APPROVED,
            parent_id__in=_published_visitor_comments(site, period).values("pk"),
        )
        .order_by()
        .values("parent_id")
        # The first reply to each comment times its answer.
        .annotate(waited=ExpressionWrapper(Min("submit_date") - asked_at, output_field=DurationField()))
        .order_by("waited", "parent_id")
        .values_list("waited", flat=True)
    )
    # Empty when the replies were removed between the count and this query.
    found = list(waited[answered // 2 : answered // 2 + 1])
    return found[0].total_seconds() if found else None


def _counts(site, period) -> dict:
    """The figures' counts and the moderation states, in one query, over
    the visitor comments submitted in the period (business replies are
    published at once: they are not moderated)."""
    published = Q(state=CommentState.APPROVED)
    answered = Q(has_business_reply=True)
    return (
        _submitted_in(site, period)
        .filter(is_business_reply=False)
        .annotate(
            has_business_reply=ExpressionWrapper(Q(pk__in=_answered_ids(site)), output_field=BooleanField())
        )
        .aggregate(
            comments=Count("pk", filter=published),
            answered=Count("pk", filter=published & answered),
            waiting=Count("pk", filter=published & ~answered & Q(answered_at__isnull=True)),
            **{f"state_{state.value}": Count("pk", filter=Q(state=state)) for state in MODERATION_STATES},
        )
    )


def _per_day(site, period) -> list[list]:
    rows = (
        _submitted_in(site, period)
        .filter(state=CommentState.APPROVED)
        .annotate(day=TruncDate("submit_date", tzinfo=period["timezone"]))
        .values("day")
        .annotate(
            visitors=Count("pk", filter=Q(is_business_reply=False)),
            business=Count("pk", filter=Q(is_business_reply=True)),
        )
        .order_by("day")
    )
    return [[row["day"], row["visitors"], row["business"]] for row in rows]


def section(site, period, summary: bool = False) -> dict:
    counts = _counts(site, period)
    comments, answered = counts["comments"], counts["answered"]
    figures = [
        {
            "label": "Comments",
            "value": comments,
            "unit": "count",
            "note": "Visitors' comments published in the period (business replies not counted).",
        },
        {
            "label": "Answered by the business",
            "value": answered / comments if comments else None,
            "unit": "percent",
            "note": "Of those comments, the share with a published business reply directly below it.",
        },
        {
            "label": "Median time to a reply",
            "value": _median_reply_seconds(site, period, answered),
            "unit": "seconds",
            "note": "From a comment to the business's first reply to it, over the answered comments.",
        },
        {
            "label": "Waiting for a reply",
            "value": counts["waiting"],
            "unit": "count",
            "note": "Published comments from the period with no business reply, not marked as needing none.",
        },
    ]
    data = {
        "key": SECTION_KEY,
        "title": "Comments",
        "order": SECTION_ORDER,
        "description": "What visitors said on the site's pages, and whether the business answered.",
        "figures": figures,
        "charts": [],
    }
    if summary:
        return data
    data["charts"] = [
        {
            "key": "per-day",
            "title": "Comments per day",
            "kind": "timeseries",
            "description": "Published comments by the day they were submitted.",
            "columns": ["From visitors", "Business replies"],
            "rows": _per_day(site, period),
        },
        {
            "key": "moderation",
            "title": "How new comments were moderated",
            "kind": "bars",
            "description": "Where visitors' comments submitted in the period stand now "
            "(those still awaiting email confirmation are left out).",
            "columns": ["State", "Comments"],
            "rows": [[state.label, counts[f"state_{state.value}"]] for state in MODERATION_STATES],
            "percent": True,
        },
    ]
    return data


def page_activity(site, period, limit: int) -> dict:
    rows = (
        _published_visitor_comments(site, period)
        .values("page_id")
        .annotate(total=Count("pk"))
        .order_by("-total", "page_id")[:limit]
    )
    counts = [(row["page_id"], row["total"]) for row in rows]
    return {"key": SECTION_KEY, "label": "Comments", "counts": counts}


if insights_hooks is not None:

    @insights_hooks.insights_sections.connect
    def comments_section(site, period, summary=False, **kwargs):
        return section(site, period, summary)

    @insights_hooks.page_activity.connect
    def pages_with_comments(site, period, limit, **kwargs):
        return page_activity(site, period, limit)
