"""The members plugin's section of the Insights dashboard (the insights
plugin's hooks, connected here): who joined and who left, how many
confirmed, how members want to be reached and what they follow; and, for
the table of pages that drove the community, the pages people signed up on.

"Members" are the site's members who have not left every channel
(``unsubscribed_at`` is set when they do, and cleared if they come back);
erased members are deleted rows, so they never count anywhere.

Everything is counted in the database, in four queries for the whole
section whatever the number of members (one for the admin home's summary):
the figures with the totals before the period, joins and departures per
day, subscriptions per channel and frequency, followers per topic.
"""
from __future__ import annotations

from django.db.models import Count, Q, Value
from django.db.models.functions import TruncDate

from .channels import DAILY, IMMEDIATE, WEEKLY, channels_for
from .models import Member, Stage, Subscription, Topic

try:  # the insights plugin may be left out of this install
    from plugins.insights import hooks as insights_hooks
except ImportError:
    insights_hooks = None

SECTION_KEY = "members"
SIGNUPS = "signups"
# Said the way the chart reads, shorter than the signup form's wording.
FREQUENCY_LABELS = {IMMEDIATE: "Immediately", DAILY: "Daily digest", WEEKLY: "Weekly digest"}

CONFIRMED = Q(confirmed_at__isnull=False)
NOT_CONFIRMED = Q(confirmed_at__isnull=True)
STILL_SUBSCRIBED = Q(unsubscribed_at__isnull=True)


def _in_period(field: str, period: dict) -> Q:
    return Q(**{f"{field}__gte": period["start"], f"{field}__lt": period["end"]})


def _members_at_start(period: dict) -> Q:
    """Members on the period's first morning: joined before it and had not left by then."""
    start = period["start"]
    return Q(created_at__lt=start) & (Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__gte=start))


def _plural(stage: Stage) -> str:
    return f"{stage.label}s"


# --- figures ----------------------------------------------------------------------------------


def _totals(site, period: dict, *, summary: bool) -> dict:
    """The figures' counts, and (for the charts) the members of each stage and
    confirmation status on the period's first day: one query."""
    counts = {
        "members": Count("pk", filter=STILL_SUBSCRIBED),
        "confirmed": Count("pk", filter=STILL_SUBSCRIBED & CONFIRMED),
        "joined": Count("pk", filter=_in_period("created_at", period)),
        "left": Count("pk", filter=_in_period("unsubscribed_at", period)),
    }
    if not summary:
        at_start = _members_at_start(period)
        for stage in Stage:
            counts[f"start_{stage.value}"] = Count("pk", filter=at_start & Q(stage=stage.value))
        counts["start_confirmed"] = Count("pk", filter=at_start & CONFIRMED)
        counts["start_not_confirmed"] = Count("pk", filter=at_start & NOT_CONFIRMED)
    return Member.objects.filter(site=site).aggregate(**counts)


def _figures(totals: dict) -> list[dict]:
    members = totals["members"]
    return [
        {
            "label": "Members",
            "value": members,
            "unit": "count",
            "note": "Today, not counting those who left every channel",
        },
        {
            "label": "New in the period",
            "value": totals["joined"],
            "unit": "count",
            "note": "Signed up or were added, confirmed or not",
        },
        {
            "label": "Confirmed",
            "value": totals["confirmed"] / members if members else None,
            "unit": "percent",
            "note": "Of today's members, those who confirmed their email address",
        },
        {
            "label": "Left in the period",
            "value": totals["left"],
            "unit": "count",
            "note": "Left every channel (and have not come back)",
        },
    ]


# --- charts -----------------------------------------------------------------------------------


def _per_day(site, period: dict, field: str, sign: int):
    """``(day, stage, members, confirmed members, sign)`` for the members whose
    ``field`` falls in the period, by day in the site's time zone."""
    return (
        Member.objects.filter(_in_period(field, period), site=site)
        .annotate(day=TruncDate(field, tzinfo=period["timezone"]), sign=Value(sign))
        .order_by()
        .values("day", "stage", "sign")
        .annotate(n=Count("pk"), confirmed=Count("pk", filter=CONFIRMED))
        .values_list("day", "stage", "n", "confirmed", "sign")
    )


def _joins_and_departures(site, period: dict):
    """Joins (sign 1) and departures (sign -1) per day and stage, in one query."""
    joins = _per_day(site, period, "created_at", 1)
    return joins.union(_per_day(site, period, "unsubscribed_at", -1), all=True)


def _timeseries(site, period: dict, totals: dict) -> tuple[dict, dict]:
    """The growth and confirmation charts: each day's joins less its
    departures, so the running totals end on today's members. Stages and
    confirmation are the members' current ones (no history is kept of them)."""
    stages = list(Stage)
    growth: dict = {}
    confirmation: dict = {}
    for day, stage, members, confirmed, sign in _joins_and_departures(site, period):
        by_stage = growth.setdefault(day, [0] * len(stages))
        by_stage[stages.index(Stage(stage))] += sign * members
        by_status = confirmation.setdefault(day, [0, 0])
        by_status[0] += sign * confirmed
        by_status[1] += sign * (members - confirmed)
    growth_chart = {
        "key": "growth",
        "title": "Members over time, by stage",
        "kind": "timeseries",
        "description": (
            "How many members there were each day: those who joined, less those who left every channel, "
            "by the stage each member is at now."
        ),
        "columns": [_plural(stage) for stage in stages],
        "rows": [[day, *values] for day, values in sorted(growth.items())],
        "cumulative_from": [totals[f"start_{stage.value}"] for stage in stages],
    }
    confirmation_chart = {
        "key": "confirmation",
        "title": "Confirmed and not yet confirmed",
        "kind": "timeseries",
        "description": (
            "Members each day, split by whether they have confirmed their email address by now. "
            "Until they do, they are sent nothing."
        ),
        "columns": ["Confirmed", "Not confirmed"],
        "rows": [[day, *values] for day, values in sorted(confirmation.items())],
        "cumulative_from": [totals["start_confirmed"], totals["start_not_confirmed"]],
    }
    return growth_chart, confirmation_chart


def _reach_charts(site) -> tuple[dict, dict]:
    """Subscriptions of confirmed, still subscribed members by channel, and
    by frequency on the channels that offer a digest (elsewhere everything
    goes out at once, so counting it there says nothing): one query."""
    offered = channels_for(site)
    per_channel = dict.fromkeys(offered, 0)
    per_frequency = dict.fromkeys(FREQUENCY_LABELS, 0)
    rows = (
        Subscription.objects.filter(
            member__site=site, member__confirmed_at__isnull=False, member__unsubscribed_at__isnull=True,
            channel__in=list(offered),
        )
        .order_by()
        .values_list("channel", "frequency")
        .annotate(n=Count("pk"))
    )
    for channel, frequency, count in rows:
        per_channel[channel] += count
        if len(offered[channel].frequencies) > 1:
            per_frequency[frequency] = per_frequency.get(frequency, 0) + count
    channels_chart = {
        "key": "channels",
        "title": "Channels",
        "kind": "bars",
        "description": "The channels confirmed members get updates on; a member may be on several.",
        "columns": ["Channel", "Members"],
        "rows": [[channel.label, per_channel[key]] for key, channel in offered.items()],
        "percent": True,
    }
    digests = ", ".join(channel.label.lower() for channel in offered.values() if len(channel.frequencies) > 1)
    frequencies_chart = {
        "key": "frequencies",
        "title": "How often they want to hear",
        "kind": "bars",
        "description": (
            f"What confirmed members chose on the channels that offer a digest ({digests or 'none here'})."
        ),
        "columns": ["Frequency", "Subscriptions"],
        "rows": [[FREQUENCY_LABELS.get(key, key), count] for key, count in per_frequency.items()],
        "percent": True,
    }
    return channels_chart, frequencies_chart


def _topics_chart(site) -> dict:
    followers = Count(
        "members", filter=Q(members__confirmed_at__isnull=False, members__unsubscribed_at__isnull=True)
    )
    rows = (
        Topic.objects.filter(site=site)
        .annotate(followers=followers)
        .order_by("-followers", "sort_order", "name")
        .values_list("name", "followers")
    )
    return {
        "key": "topics",
        "title": "Topics followed",
        "kind": "bars",
        "description": (
            "Confirmed members following each topic. Members who follow no topic get everything "
            "and are not counted here."
        ),
        "columns": ["Topic", "Members"],
        "rows": [[name, count] for name, count in rows],
    }


# --- the receivers' work --------------------------------------------------------------------


def members_section(site, period: dict, summary: bool = False) -> dict:
    totals = _totals(site, period, summary=summary)
    section = {
        "key": SECTION_KEY,
        "title": "Members",
        "order": 10,
        "description": "Who joined and who left, how they want to hear from you, and what they follow.",
        "figures": _figures(totals),
        "charts": [],
    }
    if not summary:
        section["charts"] = [*_timeseries(site, period, totals), *_reach_charts(site), _topics_chart(site)]
    return section


def signups_by_page(site, period: dict, limit: int) -> dict:
    """The pages members signed up on in the period (from a page's signup
    block or form): one query."""
    counts = (
        Member.objects.filter(_in_period("created_at", period), site=site, source_page__isnull=False)
        .order_by()
        .values("source_page_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "source_page_id")
        .values_list("source_page_id", "n")[:limit]
    )
    return {"key": SIGNUPS, "label": "Signups", "counts": list(counts)}


if insights_hooks is not None:

    @insights_hooks.insights_sections.connect
    def members_insights(site, period, summary=False, **kwargs):
        return members_section(site, period, summary)

    @insights_hooks.page_activity.connect
    def pages_people_signed_up_on(site, period, limit, **kwargs):
        return signups_by_page(site, period, limit)
