"""The syndication plugin's section of the Insights dashboard ("Updates"),
answering the insights plugin's ``insights_sections`` hook.

Figures, for the period:

- **Updates sent**: updates (page updates and newsletters) that finished
  sending in it;
- **Messages sent**: deliveries handed over in it, on every channel, that
  did not bounce (the admin's "Sent");
- **Bounced**: bounces reported in it, as a share of those messages and
  the bounces together;
- **Unsubscribed after an update**: unsubscribes through an update's link,
  or reported by the mail provider, in it.

Charts: every update created or finished in the period with its counts as
the update's own admin page gives them; opens and clicks of the tracked
newsletters among them (only where the site counts them, or one was
tracked); sent messages by channel.

Every number comes from the database in a handful of queries, however many
updates and deliveries there are: two for the admin home's summary, four for
the whole section (the per-update counts are subqueries of the query that
lists the updates).
"""
from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from .config import settings_for
from .models import Delivery, DeliveryEvent, DeliveryStatus, EventKind, Update, UpdateStatus
from .tracking import CHANNEL as TRACKED_CHANNEL

try:  # the insights plugin may be left out of this install
    from plugins.insights import hooks as insights_hooks
except ImportError:
    insights_hooks = None

KEY, TITLE, ORDER = "syndication", "Updates", 30
UPDATES_LISTED = 50
# The built-in channels' names; a channel another plugin adds shows its key.
CHANNEL_LABELS = {"email": "Email", "sms": "Text message", "webhook": "Webhook", "rss": "Private feed"}

DESCRIPTION = (
    "What went out to members in the period: updates of new pages and newsletters, on every channel."
)
TRACKING_OFF = (
    " Opens and clicks are not counted: tracking is off in the syndication settings, and no newsletter "
    "of the period was tracked."
)


def _within(field: str, period: dict) -> Q:
    return Q(**{f"{field}__gte": period["start"], f"{field}__lt": period["end"]})


def _count(rows: QuerySet, per: str, field: str = "pk", *, distinct: bool = False):
    """How many of ``rows`` there are (for each ``per``, which the rows are
    filtered on through OuterRef), as a subquery of the outer query: 0 for
    none."""
    counted = rows.order_by().values(per).annotate(n=Count(field, distinct=distinct)).values("n")
    return Coalesce(Subquery(counted), Value(0))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(part: int, whole: int) -> str | None:
    share = _share(part, whole)
    return None if share is None else f"{share * 100:.0f} %"


def _in_period(period: dict) -> Q:
    """The updates a period's charts list: created in it, or finished in it."""
    return _within("created_at", period) | _within("finished_at", period)


def _totals(site, period: dict) -> dict:
    """The figures that do not come from the channel counts, in one query."""
    updates = Update.objects.filter(site=OuterRef("pk"))
    events = DeliveryEvent.objects.filter(_within("at", period), site=OuterRef("pk"))
    return (
        Site.objects.filter(pk=site.pk)
        .annotate(
            updates_sent=_count(
                updates.filter(_within("finished_at", period), status=UpdateStatus.SENT), "site"
            ),
            bounced=_count(events.filter(kind=EventKind.BOUNCED), "site"),
            unsubscribed=_count(events.filter(kind=EventKind.UNSUBSCRIBED), "site"),
            tracked_updates=_count(updates.filter(_in_period(period), track=True), "site"),
        )
        .values("updates_sent", "bounced", "unsubscribed", "tracked_updates")
        .get()
    )


def _sent_by_channel(site, period: dict) -> list[tuple[str, int]]:
    return list(
        Delivery.objects.filter(_within("sent_at", period), update__site=site, status=DeliveryStatus.SENT)
        .values("channel")
        .annotate(n=Count("pk"))
        .order_by("-n", "channel")
        .values_list("channel", "n")
    )


def _link(update: dict) -> dict:
    return {"text": update["title"], "url": reverse("syndication_admin:update", args=[update["pk"]])}


def _updates_table(site, period: dict) -> dict:
    def deliveries(status):
        return _count(Delivery.objects.filter(update=OuterRef("pk"), status=status), "update")

    listed = (
        Update.objects.filter(_in_period(period), site=site)
        .annotate(
            sent=deliveries(DeliveryStatus.SENT),
            bounced=deliveries(DeliveryStatus.BOUNCED),
            unsubscribed=_count(
                DeliveryEvent.objects.filter(update=OuterRef("pk"), kind=EventKind.UNSUBSCRIBED), "update"
            ),
        )
        .order_by("-created_at", "-pk")
        .values("pk", "title", "status", "finished_at", "fanned_out_at", "recipient_count",
                "sent", "bounced", "unsubscribed")[:UPDATES_LISTED]
    )
    def went_out(update):
        if update["status"] != UpdateStatus.SENT:
            return None
        return timezone.localtime(update["finished_at"], period["timezone"]).date()

    rows = [
        [
            _link(update),
            went_out(update),
            # Who gets it is worked out when it goes out.
            update["recipient_count"] if update["fanned_out_at"] else None,
            update["sent"],
            update["bounced"],
            update["unsubscribed"],
        ]
        for update in listed
    ]
    return {
        "key": "updates",
        "title": "Each update",
        "kind": "table",
        "description": (
            f"The updates created or finished in the period, newest first (at most {UPDATES_LISTED}), "
            "with their messages as the update's page counts them. “Went out” is empty until an update "
            "has finished sending; “Unsubscribed after” counts the unsubscribes through it, one per "
            "channel left."
        ),
        "columns": ["Update", "Went out", "Recipients", "Sent", "Bounced", "Unsubscribed after"],
        "rows": rows,
    }


def _tracking_table(site, period: dict, tracked_updates: int) -> dict:
    rows = []
    if tracked_updates:
        def members_who(kind):
            events = DeliveryEvent.objects.filter(update=OuterRef("pk"), kind=kind)
            return _count(events, "update", "member_id", distinct=True)

        tracked = (
            Update.objects.filter(_in_period(period), site=site, track=True)
            .annotate(
                # Opens and clicks are counted on email only, so they are rates of the emails.
                sent=_count(
                    Delivery.objects.filter(update=OuterRef("pk"), channel=TRACKED_CHANNEL,
                                            status=DeliveryStatus.SENT),
                    "update",
                ),
                opened=members_who(EventKind.OPENED),
                clicked=members_who(EventKind.CLICKED),
            )
            .order_by("-created_at", "-pk")
            .values("pk", "title", "sent", "opened", "clicked")[:UPDATES_LISTED]
        )
        rows = [
            [_link(update), update["sent"], update["opened"], _percent(update["opened"], update["sent"]),
             update["clicked"], _percent(update["clicked"], update["sent"])]
            for update in tracked
        ]
    return {
        "key": "tracking",
        "title": "Newsletter opens and clicks",
        "kind": "table",
        "description": (
            "The tracked newsletters created or finished in the period: how many members opened each "
            "email, and how many clicked a link in it, each member once. Mail clients that block images "
            "hide some opens."
        ),
        "columns": ["Newsletter", "Sent", "Opened", "Open rate", "Clicked", "Click rate"],
        "rows": rows,
    }


def _channels_bars(by_channel: list[tuple[str, int]]) -> dict:
    return {
        "key": "channels",
        "title": "Messages by channel",
        "kind": "bars",
        "percent": True,
        "description": "The messages sent in the period, by the channel they went out on.",
        "columns": ["Channel", "Messages"],
        "rows": [[CHANNEL_LABELS.get(channel, channel), n] for channel, n in by_channel],
    }


def section(site, period: dict, summary: bool = False) -> dict:
    """The "Updates" section for ``site`` and ``period`` (see the insights
    hooks); with ``summary``, its figures only."""
    totals = _totals(site, period)
    by_channel = _sent_by_channel(site, period)
    sent = sum(n for _, n in by_channel)
    bounced = totals["bounced"]
    figures = [
        {"label": "Updates sent", "value": totals["updates_sent"], "unit": "count",
         "note": "Page updates and newsletters that finished sending in the period."},
        {"label": "Messages sent", "value": sent, "unit": "count",
         "note": "Handed over for delivery in the period, on every channel, and not bounced back."},
        {"label": "Bounced", "value": _share(bounced, sent + bounced), "unit": "percent",
         "note": f"{bounced} bounced of the {sent + bounced} messages handed over in the period."},
        {"label": "Unsubscribed after an update", "value": totals["unsubscribed"], "unit": "count",
         "note": "Through an update's unsubscribe link, or reported by the mail provider, in the period."},
    ]
    data = {"key": KEY, "title": TITLE, "order": ORDER, "description": DESCRIPTION, "figures": figures,
            "charts": []}
    if summary:
        return data
    charts = [_updates_table(site, period)]
    tracked = totals["tracked_updates"]
    # The site's setting is only asked when the period's updates do not answer already.
    if tracked or settings_for(site).track_opens_and_clicks:
        charts.append(_tracking_table(site, period, tracked))
    else:
        data["description"] += TRACKING_OFF
    charts.append(_channels_bars(by_channel))
    data["charts"] = charts
    return data


if insights_hooks is not None:

    @insights_hooks.insights_sections.connect
    def updates_section(site, period, summary=False, **kwargs):
        return section(site, period, summary=summary)
