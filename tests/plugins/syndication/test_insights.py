"""The "Updates" section of the Insights dashboard (plugins/syndication/insights.py),
asked the way the dashboard asks it, against updates, deliveries and events
made directly in the database."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from hearthside.models import HomePage
from plugins.insights import dashboard
from plugins.insights.period import Period
from plugins.syndication import insights
from plugins.syndication.config import SyndicationSettings, save_settings
from plugins.syndication.models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    EventKind,
    Update,
    UpdateKind,
    UpdateStatus,
)

_member_ids = count(1)

NOW = timezone.now()
INSIDE = NOW - timedelta(days=3)
OUTSIDE = NOW - timedelta(days=45)


def make_update(site, title, *, status=UpdateStatus.SENT, created_at=INSIDE, finished_at=None, track=False,
                recipients=0, fanned_out=True) -> Update:
    if finished_at is None and status in (UpdateStatus.SENT, UpdateStatus.CANCELLED):
        finished_at = created_at + timedelta(hours=1)
    return Update.objects.create(
        site=site, kind=UpdateKind.NEWSLETTER if track else UpdateKind.PAGE, title=title, status=status,
        send_at=created_at, created_at=created_at, finished_at=finished_at, track=track,
        recipient_count=recipients, fanned_out_at=created_at if fanned_out else None,
    )


def deliver(update, n, *, status=DeliveryStatus.SENT, channel="email", sent_at=INSIDE) -> list[Delivery]:
    """``n`` deliveries of ``update`` in ``status``; sent ones were handed over at ``sent_at``."""
    return Delivery.objects.bulk_create(
        Delivery(update=update, member_id=next(_member_ids), channel=channel, status=status,
                 sent_at=sent_at if status == DeliveryStatus.SENT else None)
        for _ in range(n)
    )


def report(update, kind, *, member_id=None, at=INSIDE, site=None, url="", channel="email") -> DeliveryEvent:
    return DeliveryEvent.objects.create(
        site=site or update.site, update=update, member_id=member_id, channel=channel, kind=kind, at=at,
        url=url, provider="test",
    )


def bounce(update, n, *, at=INSIDE) -> None:
    """``n`` deliveries of ``update`` bounced at ``at``, with their reports, as the outbox leaves them."""
    for delivery in deliver(update, n, status=DeliveryStatus.BOUNCED):
        DeliveryEvent.objects.create(site=update.site, update=update, delivery=delivery,
                                     member_id=delivery.member_id, channel=delivery.channel,
                                     kind=EventKind.BOUNCED, at=at, provider="outbox")


def updates_section(site, *, summary=False):
    found = {section.key: section for section in dashboard.sections(site, Period.last(30), summary=summary)}
    return found.get("syndication")


def figures_of(section) -> dict:
    return {figure.label: figure.value for figure in section.figures}


def detail_url(update) -> str:
    return reverse("syndication_admin:update", args=[update.pk])


@pytest.fixture
def other_site(site):
    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    Page.get_first_root_node().add_child(instance=home)
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")


@pytest.fixture
def busy_month(site, other_site):
    """A month of updates on ``site``, with older ones and another site's around it."""
    spring = make_update(site, "Spring menu", created_at=NOW - timedelta(days=10), recipients=12)
    deliver(spring, 6)
    deliver(spring, 2, channel="sms")
    deliver(spring, 1, status=DeliveryStatus.FAILED)
    bounce(spring, 2)
    for member_id in (901, 902):
        report(spring, EventKind.UNSUBSCRIBED, member_id=member_id)
    # Leaving a second channel is a second unsubscribe, as the update's page counts them.
    report(spring, EventKind.UNSUBSCRIBED, member_id=902, channel="sms")
    report(spring, EventKind.DEFERRED, member_id=903)

    sending = make_update(site, "Bread class", status=UpdateStatus.SENDING,
                          created_at=NOW - timedelta(days=1), recipients=4)
    deliver(sending, 1)
    deliver(sending, 3, status=DeliveryStatus.QUEUED)

    cancelled = make_update(site, "Cancelled offer", status=UpdateStatus.CANCELLED,
                            created_at=NOW - timedelta(days=5))
    waiting = make_update(site, "Next week", status=UpdateStatus.SCHEDULED,
                          created_at=NOW - timedelta(hours=2), fanned_out=False)

    winter = make_update(site, "Winter menu", created_at=OUTSIDE, recipients=5)
    deliver(winter, 5, sent_at=OUTSIDE)
    bounce(winter, 1, at=OUTSIDE)
    report(winter, EventKind.UNSUBSCRIBED, member_id=904, at=OUTSIDE)
    # Sent long ago, finished in the period: it is listed, and counts as sent now.
    late = make_update(site, "Late finisher", created_at=OUTSIDE, finished_at=NOW - timedelta(days=2),
                       recipients=3)
    deliver(late, 3, sent_at=OUTSIDE)
    # A bounce reported in the period of a message handed over before it.
    report(late, EventKind.BOUNCED, member_id=905)

    elsewhere = make_update(other_site, "Elsewhere news", created_at=INSIDE, recipients=9)
    deliver(elsewhere, 4)
    bounce(elsewhere, 3)
    report(elsewhere, EventKind.UNSUBSCRIBED, member_id=906)
    return {"spring": spring, "sending": sending, "cancelled": cancelled, "waiting": waiting,
            "winter": winter, "late": late, "elsewhere": elsewhere}


def test_the_section_is_present_in_its_place_with_its_charts(site, busy_month):
    section = updates_section(site)

    assert section is not None, "the section did not pass charts.section_from"
    assert (section.title, section.order) == ("Updates", 30)
    assert [chart.key for chart in section.charts] == ["updates", "channels"]
    assert [(chart.kind, chart.title) for chart in section.charts] == [
        ("table", "Each update"), ("bars", "Messages by channel"),
    ]
    assert section.chart("channels").percent


def test_figures_count_this_sites_period_only(site, busy_month):
    figures = figures_of(updates_section(site))

    # Spring and the late finisher finished in the period; the cancelled offer did not go out.
    assert figures["Updates sent"] == 2
    # Spring's 6 emails and 2 texts, and the update still sending's 1.
    assert figures["Messages sent"] == 9
    # Spring's 2 bounces and the late finisher's, of 9 sent and 3 bounced.
    assert figures["Bounced"] == pytest.approx(3 / 12)
    assert figures["Unsubscribed after an update"] == 3


def test_figures_are_zero_or_unmeasured_when_nothing_went_out(site):
    section = updates_section(site)

    assert figures_of(section) == {
        "Updates sent": 0, "Messages sent": 0, "Bounced": None, "Unsubscribed after an update": 0,
    }
    assert section.chart("updates").rows == []
    assert section.chart("channels").rows == []


def test_each_update_lists_the_periods_updates_newest_first_with_their_counts(site, busy_month):
    section = updates_section(site)
    chart = section.chart("updates")
    month = busy_month

    assert chart.columns == ["Update", "Went out", "Recipients", "Sent", "Bounced", "Unsubscribed after"]
    newest_first = ("waiting", "sending", "cancelled", "spring", "late")
    assert [(row[0].text, row[0].url) for row in chart.rows] == [
        (month[name].title, detail_url(month[name])) for name in newest_first
    ]
    assert [row[1:] for row in chart.rows] == [
        # Not fanned out yet: who gets it is not known.
        [None, None, 0, 0, 0],
        [None, 4, 1, 0, 0],
        [None, 0, 0, 0, 0],
        [timezone.localdate(month["spring"].finished_at), 12, 8, 2, 3],
        [timezone.localdate(month["late"].finished_at), 3, 3, 0, 0],
    ]


def test_each_update_shows_at_most_fifty_updates(site):
    for number in range(insights.UPDATES_LISTED + 2):
        make_update(site, f"Update {number}", created_at=INSIDE + timedelta(minutes=number))

    rows = updates_section(site).chart("updates").rows

    assert len(rows) == 50
    assert rows[0][0].text == "Update 51"


def test_went_out_is_the_day_in_the_sites_time_zone(site, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    finished = datetime(2026, 3, 10, 13, 30, tzinfo=ZoneInfo("UTC"))  # 11 March, 02:30 in Auckland
    make_update(site, "Late-night news", created_at=finished - timedelta(hours=1), finished_at=finished)

    section = dashboard.sections(site, Period.between(finished.date(), finished.date() + timedelta(days=3)))

    [row] = next(found for found in section if found.key == "syndication").chart("updates").rows
    assert row[1] == datetime(2026, 3, 11).date()


def test_messages_by_channel_are_the_sent_messages_of_the_period(site, busy_month):
    chart = updates_section(site).chart("channels")

    assert chart.rows == [["Email", 7], ["Text message", 2]]


def test_a_channel_without_a_known_name_shows_its_key(site):
    deliver(make_update(site, "Pigeon post"), 2, channel="pigeon")

    assert updates_section(site).chart("channels").rows == [["pigeon", 2]]


def test_no_tracking_chart_while_tracking_is_off_and_the_section_says_so(site, busy_month):
    section = updates_section(site)

    assert section.chart("tracking") is None
    assert "tracking is off" in section.description


def test_the_tracking_chart_is_there_once_the_site_counts_opens_and_clicks(site, busy_month):
    save_settings(site, SyndicationSettings(track_opens_and_clicks=True))

    section = updates_section(site)

    chart = section.chart("tracking")
    assert chart.columns == ["Newsletter", "Sent", "Opened", "Open rate", "Clicked", "Click rate"]
    assert chart.rows == []
    assert "tracking is off" not in section.description
    assert [chart.key for chart in section.charts] == ["updates", "tracking", "channels"]


def test_a_tracked_newsletter_shows_its_opens_and_clicks_by_member(site, other_site):
    newsletter = make_update(site, "March newsletter", track=True, recipients=6)
    emails = deliver(newsletter, 4)
    deliver(newsletter, 2, channel="sms")
    bounce(newsletter, 1)
    first, second = emails[0].member_id, emails[1].member_id
    report(newsletter, EventKind.OPENED, member_id=first)
    report(newsletter, EventKind.OPENED, member_id=second)
    report(newsletter, EventKind.CLICKED, member_id=first, url="https://example.com/a")
    report(newsletter, EventKind.CLICKED, member_id=first, url="https://example.com/b")
    old = make_update(site, "Old newsletter", track=True, created_at=OUTSIDE)
    deliver(old, 3, sent_at=OUTSIDE)
    report(old, EventKind.OPENED, member_id=next(_member_ids), at=OUTSIDE)
    make_update(other_site, "Their newsletter", track=True)

    section = updates_section(site)

    # The site's setting is off: the tracked newsletter brings the chart.
    rows = section.chart("tracking").rows
    assert [[row[0].text, *row[1:]] for row in rows] == [["March newsletter", 4, 2, "50 %", 1, "25 %"]]
    assert rows[0][0].url == detail_url(newsletter)


def test_summary_is_the_figures_only(site, busy_month):
    full, summary = updates_section(site), updates_section(site, summary=True)

    assert summary.charts == []
    assert figures_of(summary) == figures_of(full)


def test_the_section_is_gone_while_syndication_is_inactive(site, busy_month, deactivate_plugin):
    deactivate_plugin(site, "syndication")

    assert updates_section(site) is None
    assert updates_section(site, summary=True) is None


def queries_for(site, *, summary=False) -> int:
    """The section's queries once the site's plugin settings are cached (as
    they are after a request's first read), so counts compare like with like."""
    period = Period.last(30).as_hook_argument()
    insights.section(site, period, summary=summary)
    with CaptureQueriesContext(connection) as captured:
        insights.section(site, period, summary=summary)
    return len(captured)


@pytest.mark.parametrize("tracking", [False, True])
def test_the_section_takes_four_queries_however_many_updates(site, tracking, django_assert_max_num_queries):
    save_settings(site, SyndicationSettings(track_opens_and_clicks=tracking))
    # Tracked, as some of the 29 below are whatever the site's setting: both
    # counts then run the same queries, and only the number of updates differs.
    first = make_update(site, "The first", track=True)
    deliver(first, 2)
    with django_assert_max_num_queries(4):
        insights.section(site, Period.last(30).as_hook_argument())
    with_one = queries_for(site)

    for number in range(29):
        update = make_update(site, f"Update {number}", track=tracking or number % 2 == 0)
        deliver(update, 3)
        bounce(update, 1)
        report(update, EventKind.OPENED, member_id=next(_member_ids))
        report(update, EventKind.UNSUBSCRIBED, member_id=next(_member_ids))

    with django_assert_max_num_queries(4):
        section = insights.section(site, Period.last(30).as_hook_argument())
    assert len(section["charts"][0]["rows"]) == 30
    assert queries_for(site) == with_one


def test_the_summary_takes_two_queries(site, busy_month, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        insights.section(site, Period.last(30).as_hook_argument(), summary=True)
