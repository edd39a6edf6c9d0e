"""The polls plugin's section of the Insights dashboard (it answers the
insights plugin's ``insights_sections``; connected from ``apps.ready``).

Figures:

- **Votes in the period**: votes cast on the site's polls in the period, one
  per voter and poll (a vote with several answers counts once);
- **Open polls**: the site's polls taking votes now.

Charts:

- **Polls** (table): the polls that could take votes during the period
  (created before its end, not closed before its start), most voted on in
  the period first: status now, votes in the period and in all, and the
  leading answer over all votes;
- one **bars** chart per poll (``poll-<id>``) for the five most voted on in
  the period: how often each answer was chosen in the period.

Everything is counted in the database: one query for the figures, one for
the polls and one for their answers, whatever the number of polls and votes.
"""
from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .admin_views import results_url, status_of
from .models import Choice, Poll

try:  # the insights plugin may be left out of this install
    from plugins.insights import hooks as insights_hooks
except ImportError:
    insights_hooks = None

SECTION_KEY = "polls"
ORDER = 40
POLLS_LISTED = 25
POLLS_CHARTED = 5


def _open_now(now) -> Q:
    opened = Q(opens_at__isnull=True) | Q(opens_at__lte=now)
    return opened & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))


def _figures(site, period, now) -> list[dict]:
    in_period = Q(votes__created_at__gte=period["start"], votes__created_at__lt=period["end"])
    counts = Poll.objects.filter(site=site).aggregate(
        votes=Count("votes", filter=in_period),
        open_polls=Count("pk", filter=_open_now(now), distinct=True),
    )
    return [
        {"label": "Votes in the period", "value": counts["votes"], "unit": "count",
         "note": "One per voter and poll, however many answers they chose."},
        {"label": "Open polls", "value": counts["open_polls"], "unit": "count", "note": "Taking votes now."},
    ]


def _leading(answers: list[dict]) -> str | None:
    best = max((answer["votes"] for answer in answers), default=0)
    if not best:
        return None
    leaders = [answer["label"] for answer in answers if answer["votes"] == best]
    return leaders[0] if len(leaders) == 1 else f"{', '.join(leaders)} (tied)"


def _charts(site, period, now) -> list[dict]:
    in_period = Q(votes__created_at__gte=period["start"], votes__created_at__lt=period["end"])
    polls = list(
        Poll.objects.filter(site=site, created_at__lt=period["end"])
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gte=period["start"]))
        .annotate(period_votes=Count("votes", filter=in_period), all_votes=Count("votes"))
        .order_by("-period_votes", "-all_votes", "-created_at", "-pk")
        .values("pk", "question", "opens_at", "closes_at", "period_votes", "all_votes")[:POLLS_LISTED]
    )
    answers: dict[int, list[dict]] = {poll["pk"]: [] for poll in polls}
    rows = (
        Choice.objects.filter(poll_id__in=list(answers))
        .annotate(period_votes=Count("votes", filter=in_period), all_votes=Count("votes"))
        .order_by("poll_id", "sort_order", "pk")
        .values_list("poll_id", "label", "period_votes", "all_votes")
    ) if polls else ()
    for poll_id, label, period_votes, all_votes in rows:
        answers[poll_id].append({"label": label, "period": period_votes, "votes": all_votes})

    table = {
        "key": "polls",
        "title": "Each poll",
        "kind": "table",
        "description": "The polls that could take votes in the period, the most voted on first. "
                       "The leading answer counts every vote so far.",
        "columns": ["Poll", "Status", "Votes in the period", "Votes in all", "Leading answer"],
        "rows": [
            [
                {"text": poll["question"], "url": results_url(poll["pk"])},
                status_of(poll["opens_at"], poll["closes_at"], now),
                poll["period_votes"],
                poll["all_votes"],
                _leading(answers[poll["pk"]]),
            ]
            for poll in polls
        ],
    }
    bars = [
        {
            "key": f"poll-{poll['pk']}",
            "title": poll["question"],
            "kind": "bars",
            "description": "How often each answer was chosen in the period.",
            "columns": ["Answer", "Votes"],
            "rows": [[answer["label"], answer["period"]] for answer in answers[poll["pk"]]],
            "percent": True,
        }
        for poll in polls[:POLLS_CHARTED]
        if poll["period_votes"]
    ]
    return [table, *bars]


def polls_section(site, period, summary=False, **kwargs) -> dict:
    now = timezone.now()
    return {
        "key": SECTION_KEY,
        "title": "Polls",
        "order": ORDER,
        "description": "Votes on this site's polls.",
        "figures": _figures(site, period, now),
        "charts": [] if summary else _charts(site, period, now),
    }


if insights_hooks is not None:
    insights_hooks.insights_sections.connect(polls_section)
