"""The members section of the Insights dashboard, through the insights
plugin's own functions (the hooks, the shape check, the bucketing), against
members made with known join and leave dates."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, Site

from plugins.insights import dashboard
from plugins.insights.period import Period
from plugins.members.insights import members_section, signups_by_page
from plugins.members.models import Member, Stage, Topic
from tests.factories import make_section

from .factories import make_member

pytestmark = pytest.mark.django_db

DAYS = 30


def noon(days_ago: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(12)))


def day(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


def dated(member: Member, *, created_at, unsubscribed_at=None, source_page=None) -> Member:
    Member.objects.filter(pk=member.pk).update(
        created_at=created_at, unsubscribed_at=unsubscribed_at, source_page=source_page
    )
    return member


@pytest.fixture
def other_site(site):
    root = Page.get_first_root_node()
    home = root.add_child(instance=Page(title="The Mill", slug="the-mill"))
    return Site.objects.create(hostname="mill.example", port=80, root_page=home, site_name="The Mill")


@pytest.fixture
def community(site, root_page, section, topic, other_topic, other_site):
    """Members of ``site`` (and one elsewhere) whose numbers the tests know:

    - before the period: Ann (prospect, confirmed), Dan (prospect, confirmed,
      leaves 3 days ago), Eve (contact, left 45 days ago, before the period),
      Jo (customer, not confirmed, joined a minute before the period);
    - in the period: Ida (contact, confirmed, on its first minute), Bea
      (contact, confirmed) and Fay (customer, confirmed) 10 days ago, Cy
      (customer, not confirmed) 5 days ago;
    - on the other site: Max, confirmed, on email, joined in the period.
    """
    Topic.objects.create(site=site, name="Events", slug="events", sort_order=5)
    start = Period.last(DAYS).start
    people = {
        "ann": dated(
            make_member(site, email="ann@example.com", stage=Stage.PROSPECT, channels={"email": "immediate"},
                        topics=["baking"]),
            created_at=noon(40),
        ),
        "dan": dated(
            make_member(site, email="dan@example.com", stage=Stage.PROSPECT, channels={}, topics=["baking"]),
            created_at=noon(50), unsubscribed_at=noon(3),
        ),
        "eve": dated(
            make_member(site, email="eve@example.com", stage=Stage.CONTACT, channels={}),
            created_at=noon(60), unsubscribed_at=noon(45),
        ),
        "jo": dated(
            make_member(site, email="jo@example.com", stage=Stage.CUSTOMER, confirmed=False, channels={}),
            created_at=start - timedelta(minutes=1), source_page=root_page,
        ),
        "ida": dated(
            make_member(site, email="ida@example.com", stage=Stage.CONTACT, channels={}),
            created_at=start,
        ),
        "bea": dated(
            make_member(site, email="bea@example.com", stage=Stage.CONTACT,
                        channels={"email": "daily", "rss": "immediate"}, topics=["baking", "offers"]),
            created_at=noon(10), source_page=section,
        ),
        "fay": dated(
            make_member(site, email="fay@example.com", phone="+447700900123", stage=Stage.CUSTOMER,
                        channels={"email": "daily", "sms": "immediate"}),
            created_at=noon(10), source_page=root_page,
        ),
        "cy": dated(
            make_member(site, email="cy@example.com", stage=Stage.CUSTOMER, confirmed=False,
                        channels={"email": "weekly"}, topics=["offers"]),
            created_at=noon(5), source_page=section,
        ),
    }
    elsewhere_topic = Topic.objects.create(site=other_site, name="Milling", slug="baking")
    max_ = make_member(other_site, email="max@example.com", stage=Stage.CONTACT, channels={"email": "weekly"})
    max_.topics.set([elsewhere_topic])
    people["max"] = dated(max_, created_at=noon(2), source_page=section)
    dated(
        make_member(other_site, email="lee@example.com", channels={}),
        created_at=noon(20), unsubscribed_at=noon(1),
    )
    return people


def members_of(site, *, summary=False, days=DAYS):
    found = [section for section in dashboard.sections(site, Period.last(days), summary=summary)
             if section.key == "members"]
    assert len(found) == 1, "the members section is missing (or was dropped as malformed)"
    return found[0]


def figures(section) -> dict:
    return {figure.label: (figure.value, figure.unit) for figure in section.figures}


def test_figures_count_this_sites_members_now_and_in_the_period(site, community):
    section = members_of(site)

    assert (section.title, section.order) == ("Members", 10)
    assert figures(section) == {
        "Members": (6, "count"),  # Ann, Jo, Ida, Bea, Fay, Cy: Dan and Eve left
        "New in the period": (4, "count"),  # Ida, Bea, Fay, Cy
        "Confirmed": (pytest.approx(4 / 6), "percent"),  # all but Jo and Cy
        "Left in the period": (1, "count"),  # Dan (Eve left before it)
    }
    assert all(figure.note for figure in section.figures)


def test_erased_members_are_gone_from_every_figure(site, community):
    community["bea"].delete()

    assert figures(members_of(site))["Members"] == (5, "count")
    assert figures(members_of(site))["New in the period"] == (3, "count")


def test_confirmed_share_is_unknown_without_members(site):
    section = members_of(site)

    assert figures(section) == {
        "Members": (0, "count"),
        "New in the period": (0, "count"),
        "Confirmed": (None, "percent"),
        "Left in the period": (0, "count"),
    }
    assert section.figures[2].display == "–"


def test_growth_runs_from_the_members_at_the_start_to_todays_members(site, community):
    chart = members_of(site).chart("growth")
    rows = {row[0]: row[1:] for row in chart.rows}

    assert chart.kind == "timeseries" and chart.cumulative
    assert chart.columns == ["Day", "Contacts", "Prospects", "Customers"]
    assert len(chart.rows) == DAYS
    # Before the period: Ann and Dan (prospects), Jo (customer); Ida joins on its first minute.
    assert rows[day(DAYS - 1)] == [1, 2, 1]
    assert rows[day(11)] == [1, 2, 1]
    assert rows[day(10)] == [2, 2, 2]  # Bea and Fay
    assert rows[day(5)] == [2, 2, 3]  # Cy
    assert rows[day(3)] == [2, 1, 3]  # Dan leaves
    assert rows[day(0)] == [2, 1, 3]
    assert sum(rows[day(0)]) == figures(members_of(site))["Members"][0]


def test_confirmation_splits_members_by_whether_they_confirmed(site, community):
    chart = members_of(site).chart("confirmation")
    rows = {row[0]: row[1:] for row in chart.rows}

    assert chart.cumulative
    assert chart.columns == ["Day", "Confirmed", "Not confirmed"]
    assert rows[day(DAYS - 1)] == [3, 1]  # Ann, Dan, Ida; Jo
    assert rows[day(10)] == [5, 1]  # Bea, Fay
    assert rows[day(5)] == [5, 2]  # Cy
    assert rows[day(0)] == [4, 2]  # Dan left


def test_channels_list_every_channel_with_confirmed_subscribed_members(site, community):
    chart = members_of(site).chart("channels")

    assert chart.kind == "bars" and chart.percent
    # Cy is not confirmed; Max is the other site's.
    assert chart.rows == [["Email", 3], ["Text message", 1], ["RSS feed", 1], ["Webhook", 0]]


def test_frequencies_count_the_channels_that_offer_a_digest(site, community):
    chart = members_of(site).chart("frequencies")

    assert chart.percent
    # Fay's texts go out at once whatever she chose, and Cy's weekly email waits for her confirmation.
    assert chart.rows == [["Immediately", 1], ["Daily digest", 2], ["Weekly digest", 0]]


def test_topics_by_confirmed_followers_biggest_first(site, community):
    chart = members_of(site).chart("topics")

    # Dan left and Cy is not confirmed; the other site's "baking" topic is its own.
    assert chart.rows == [["Baking tips", 2], ["Offers", 1], ["Events", 0]]


def test_the_period_limits_what_counts(site, community):
    section = members_of(site, days=7)

    assert figures(section)["New in the period"] == (1, "count")  # Cy
    assert figures(section)["Left in the period"] == (1, "count")  # Dan
    growth = section.chart("growth")
    assert growth.rows[0][1:] == [2, 2, 2]
    assert growth.rows[-1][1:] == [2, 1, 3]


def test_days_are_the_sites_days(site, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # 12 or 13 hours ahead of UTC
    today = timezone.localdate()
    late_evening = timezone.make_aware(datetime.combine(today - timedelta(days=2), time(23, 30)))
    dated(make_member(site, email="owl@example.com", stage=Stage.CONTACT), created_at=late_evening)

    rows = {row[0]: row[1:] for row in members_of(site).chart("growth").rows}

    assert rows[today - timedelta(days=3)] == [0, 0, 0]
    assert rows[today - timedelta(days=2)] == [1, 0, 0]


def test_summary_has_the_figures_only(site, community):
    section = members_of(site, summary=True)

    assert section.charts == []
    assert figures(section) == figures(members_of(site))


def test_section_is_absent_while_members_is_inactive(site, community, deactivate_plugin):
    deactivate_plugin(site, "members")

    assert [s.key for s in dashboard.sections(site, Period.last(DAYS))].count("members") == 0
    assert [s.key for s in dashboard.sections(site, Period.last(DAYS), summary=True)].count("members") == 0


def test_other_site_has_its_own_section(other_site, community):
    section = members_of(other_site)

    assert figures(section)["Members"] == (1, "count")
    assert figures(section)["Left in the period"] == (1, "count")
    assert section.chart("channels").rows[0] == ["Email", 1]
    assert section.chart("topics").rows == [["Milling", 1]]


def test_a_few_queries_whatever_the_number_of_members(site, community, django_assert_max_num_queries):
    for number in range(20):
        channels = {"email": "weekly", "rss": "immediate"}
        make_member(site, email=f"extra{number}@example.com", channels=channels, topics=["baking"])
    period = Period.last(DAYS).as_hook_argument()

    with CaptureQueriesContext(connection) as full:
        members_section(site, period)
    with CaptureQueriesContext(connection) as summary:
        members_section(site, period, summary=True)

    assert len(full) <= 6
    assert len(summary) == 1
    with django_assert_max_num_queries(6):
        members_section(Site.objects.get(pk=site.pk), period)  # a fresh Site: plugin activation asked again


def test_pages_table_counts_signups_per_page(site, root_page, section, community):
    pages = dashboard.pages_section(site, Period.last(DAYS))
    table = pages.chart("top")
    signups = table.columns.index("Signups")
    counted = {row[0].text: row[signups] for row in table.rows}

    # Jo signed up on the home page before the period; Max on another site.
    assert counted == {section.title: 2, root_page.title: 1}


def test_signups_by_page_keeps_the_biggest(site, root_page, section, community, django_assert_num_queries):
    other_page = make_section(root_page, title="Offers")
    dated(make_member(site, email="zed@example.com"), created_at=noon(1), source_page=other_page)

    with django_assert_num_queries(1):
        activity = signups_by_page(site, Period.last(DAYS).as_hook_argument(), 2)

    assert activity["key"] == "signups" and activity["label"] == "Signups"
    # A tie (the home page and Offers, one each) goes to the older page; Offers is past the limit.
    assert activity["counts"] == [(section.pk, 2), (root_page.pk, 1)]
