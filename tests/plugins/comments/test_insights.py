"""The comments section of the Insights dashboard, read the way the
dashboard reads it (``plugins.insights.dashboard``), on comments stored with
known times in New York (UTC-5 in January), so a comment late in the evening
belongs to a different day there than in UTC."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from wagtail.models import Site

from hearthside.extending.plugins import installed_plugins
from plugins.comments import insights, posting
from plugins.comments.models import CommentState, PageComment
from plugins.insights import dashboard
from plugins.insights.period import Period
from tests.factories import make_article

from .factories import store_comment

NEW_YORK = ZoneInfo("America/New_York")
WEEK = Period.between(date(2025, 1, 10), date(2025, 1, 16))
HOUR = 3600


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time on ``day`` January 2025, New York time."""
    return datetime(2025, 1, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def in_new_york():
    with timezone.override(NEW_YORK):
        yield


@pytest.fixture
def only_comments(site, deactivate_plugin):
    """Every plugin but comments and insights switched off, so the dashboard
    holds (and spends queries on) the comments section alone."""
    for plugin in installed_plugins():
        if plugin.label not in ("comments", "insights"):
            deactivate_plugin(site, plugin.label)
    return site


@pytest.fixture
def menu_page(section):
    return make_article(section, title="Our winter menu")


def comments_section(site, period=WEEK, **kwargs):
    found = {section.key: section for section in dashboard.sections(site, period, **kwargs)}
    assert "comments" in found, "the comments section was dropped (see the log) or not sent"
    return found["comments"]


def figures(section) -> dict:
    return {figure.label: figure.value for figure in section.figures}


def reply(parent, minutes: float, *, state=CommentState.APPROVED, **fields) -> PageComment:
    return store_comment(
        parent.page,
        "Thank you!",
        site=parent.wagtail_site,
        parent=parent,
        business=True,
        name="Copper Kettle",
        email="team@example.com",
        state=state,
        submitted=parent.submit_date + timedelta(minutes=minutes),
        **fields,
    )


@pytest.fixture
def week_of_comments(site, article, menu_page, make_comment):
    """Eight published visitors' comments in the week, four of them answered
    (after 1 h, 1 h, 2 h and 10 h), two waiting; and around them comments that
    must not count: before and after the week, held, spam, removed,
    unconfirmed, and on another site."""
    v1 = make_comment(article, submitted=at(10, 9))
    reply(v1, 60)
    reply(v1, 6 * 60)  # a second reply: the first one sets the time
    v2 = make_comment(article, submitted=at(12, 23, 30))  # 13 Jan in UTC
    reply(v2, 120)  # 13 Jan, 01:30
    v3 = make_comment(menu_page, submitted=at(14, 12))
    reply(v3, 600)  # 14 Jan, 22:00 here, 15 Jan in UTC
    make_comment(menu_page, submitted=at(16, 23, 30))  # the week's last evening (17 Jan in UTC): waiting
    marked = make_comment(article, submitted=at(15, 8))
    PageComment.objects.filter(pk=marked.pk).update(answered_at=at(15, 9))  # marked as needing no reply
    v6 = make_comment(article, submitted=at(11, 8))
    reply(v6, 30, state=CommentState.REMOVED)  # a removed reply answers nothing: v6 is waiting
    v8 = make_comment(menu_page, submitted=at(13, 10))
    v9 = make_comment(menu_page, submitted=at(13, 11), parent=v8, name="Sam")
    reply(v9, 60)  # answers v9 (directly above it), not v8, which it marks answered as posting does:
    PageComment.objects.filter(pk=v8.pk).update(answered_at=at(13, 12))

    before = make_comment(article, submitted=at(9, 23, 30))  # 10 Jan in UTC, the day before here
    reply(before, 60)  # 10 Jan, 00:30: a business reply of the week, to a comment from before it
    make_comment(article, submitted=at(17, 0, 30))
    make_comment(article, submitted=at(12, 10), state=CommentState.PENDING)
    make_comment(article, submitted=at(12, 11), state=CommentState.SPAM)
    make_comment(article, submitted=at(13, 9), state=CommentState.REMOVED)
    make_comment(article, submitted=at(14, 9), state=CommentState.UNCONFIRMED)
    other_site = Site.objects.create(hostname="other.example", root_page=site.root_page, site_name="Other")
    elsewhere = store_comment(article, site=other_site, submitted=at(12, 9))
    reply(elsewhere, 60)
    store_comment(article, site=other_site, submitted=at(12, 10), state=CommentState.SPAM)


def test_figures_count_the_weeks_published_visitors_comments(site, week_of_comments):
    assert figures(comments_section(site)) == {
        "Comments": 8,
        "Answered by the business": 0.5,
        # Replies after 1 h, 1 h, 2 h and 10 h: an even count, so the upper middle value.
        "Median time to a reply": 2 * HOUR,
        "Waiting for a reply": 2,
    }


def test_figure_units(site, week_of_comments):
    units = {figure.label: figure.unit for figure in comments_section(site).figures}
    assert units == {
        "Comments": "count",
        "Answered by the business": "percent",
        "Median time to a reply": "seconds",
        "Waiting for a reply": "count",
    }


@pytest.mark.parametrize(
    ("minutes", "median"),
    [
        ([7], 7),
        ([30, 5, 300], 30),  # odd: the middle one
        ([30, 5, 300, 120], 120),  # even: the upper of the two middle ones (30 and 120)
        ([1, 2, 3, 4, 5, 6], 4),
    ],
)
def test_median_time_to_a_reply(site, article, make_comment, minutes, median):
    for offset, wait in enumerate(minutes):
        reply(make_comment(article, submitted=at(11, 8 + offset)), wait)
    assert figures(comments_section(site))["Median time to a reply"] == median * 60


def test_only_the_first_published_reply_times_the_answer(site, article, make_comment):
    comment = make_comment(article, submitted=at(11, 8))
    reply(comment, 5, state=CommentState.REMOVED)
    reply(comment, 90)
    reply(comment, 45)  # stored after, but submitted before the 90-minute one
    assert figures(comments_section(site))["Median time to a reply"] == 45 * 60


def test_nothing_to_measure_without_comments(site, article, make_comment):
    make_comment(article, submitted=at(20, 9))
    assert figures(comments_section(site)) == {
        "Comments": 0,
        "Answered by the business": None,
        "Median time to a reply": None,
        "Waiting for a reply": 0,
    }


def test_a_reply_posted_by_the_business_answers_its_comment(site, article, make_comment, moderator):
    comment = make_comment(article, submitted=timezone.now() - timedelta(hours=3))
    make_comment(article, submitted=timezone.now() - timedelta(hours=2), parent=comment, name="Sam")
    posting.reply_as_business(comment, "Thanks, we'll bake more on Saturdays.", moderator)
    found = figures(comments_section(site, Period.last(30)))
    assert found["Comments"] == 2
    assert found["Answered by the business"] == 0.5
    assert 3 * HOUR <= found["Median time to a reply"] < 3 * HOUR + 60
    # Sam's reply still waits: the business answered the comment above it.
    assert found["Waiting for a reply"] == 1


def test_comments_per_day_by_the_sites_days(site, week_of_comments):
    chart = comments_section(site).chart("per-day")
    assert chart.kind == "timeseries"
    assert chart.columns == ["Day", "From visitors", "Business replies"]
    assert chart.rows == [
        [date(2025, 1, 10), 1, 3],
        [date(2025, 1, 11), 1, 0],
        [date(2025, 1, 12), 1, 0],
        [date(2025, 1, 13), 2, 2],
        [date(2025, 1, 14), 1, 1],
        [date(2025, 1, 15), 1, 0],
        [date(2025, 1, 16), 1, 0],
    ]


def test_days_follow_the_periods_time_zone_not_the_active_one(site, week_of_comments):
    period = WEEK.as_hook_argument()  # New York's week, as the dashboard hands it over
    with timezone.override(ZoneInfo("UTC")):
        data = insights.section(site, period)
    per_day = next(chart for chart in data["charts"] if chart["key"] == "per-day")
    assert [date(2025, 1, 14), 1, 1] in per_day["rows"]  # the 22:00 reply, 15 Jan in UTC
    assert [date(2025, 1, 16), 1, 0] in per_day["rows"]


def test_how_new_comments_were_moderated(site, week_of_comments):
    chart = comments_section(site).chart("moderation")
    assert chart.kind == "bars"
    assert chart.percent
    assert chart.rows == [["Approved", 8], ["Pending", 1], ["Spam", 1], ["Removed", 1]]


def test_summary_has_the_figures_only(site, week_of_comments):
    section = comments_section(site, summary=True)
    assert section.charts == []
    assert figures(section) == figures(comments_section(site))


def test_section_is_absent_while_comments_are_inactive(site, week_of_comments, deactivate_plugin):
    deactivate_plugin(site, "comments")
    keys = [section.key for section in dashboard.sections(site, WEEK)]
    assert "comments" not in keys
    assert "comments" not in [section.key for section in dashboard.sections(site, WEEK, summary=True)]


def test_section_comes_in_its_order(site):
    section = comments_section(site, Period.last(30))
    assert (section.title, section.order) == ("Comments", 20)


@pytest.fixture
def busy_week(site, article, menu_page, make_comment):
    """Enough comments, replies and states that a loop over them would show."""
    for hour in range(20):
        comment = make_comment(article if hour % 2 else menu_page, submitted=at(10 + hour % 7, hour))
        if hour % 3:
            reply(comment, 10 + hour)
        held = CommentState.PENDING if hour % 2 else CommentState.SPAM
        make_comment(article, submitted=at(12, hour), state=held)


def test_the_full_section_takes_a_few_queries(only_comments, busy_week, django_assert_max_num_queries):
    dashboard.sections(only_comments, WEEK)  # the plugin activation state is cached from here on
    with django_assert_max_num_queries(5):
        section = comments_section(only_comments)
    assert figures(section)["Comments"] == 20
    assert figures(section)["Answered by the business"] == pytest.approx(13 / 20)


def test_the_summary_saves_the_chart_queries(only_comments, busy_week, django_assert_max_num_queries):
    dashboard.sections(only_comments, WEEK, summary=True)
    with django_assert_max_num_queries(2):
        comments_section(only_comments, summary=True)


def test_pages_with_the_most_comments(only_comments, week_of_comments, article, menu_page):
    table = dashboard.pages_section(only_comments, WEEK).chart("top")
    assert table.columns == ["Page", "Comments"]
    # The article's four of the week (v1, v2, v6 and the marked one) against the menu's four (v3, v8, v9
    # and the last evening's); held, spam, removed, other days and other sites left out.
    assert [[str(row[0]), row[1]] for row in table.rows] == [
        ["How we make our sourdough", 4],
        ["Our winter menu", 4],
    ]


def test_page_activity_stops_at_the_limit(only_comments, section, make_comment):
    pages = [make_article(section, title=f"Loaf {n}") for n in range(12)]
    for n, page in enumerate(pages):
        for hour in range(n + 1):
            make_comment(page, submitted=at(11, hour))
    table = dashboard.pages_section(only_comments, WEEK).chart("top")
    assert [str(row[0]) for row in table.rows] == [f"Loaf {n}" for n in range(11, 1, -1)]
    assert [row[1] for row in table.rows] == list(range(12, 2, -1))
