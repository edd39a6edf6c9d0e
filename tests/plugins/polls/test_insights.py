"""The polls section of the Insights dashboard: exact figures for the site
and period (other sites and other periods left out), the polls table and the
answers of the most voted polls, the admin home's figures-only summary, the
section going with the plugin, and a bounded number of queries."""
import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from hearthside.models import HomePage
from plugins.insights import dashboard
from plugins.insights.charts import Link, section_from
from plugins.insights.period import Period
from plugins.polls import insights
from plugins.polls.models import Choice, Poll, Vote

pytestmark = pytest.mark.django_db


def days_ago(days, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def make_poll(site, question, answers=("Tea", "Coffee"), created_days_ago=60, **fields):
    poll = Poll.objects.create(site=site, question=question, created_at=days_ago(created_days_ago), **fields)
    Choice.objects.bulk_create(
        Choice(poll=poll, label=label, sort_order=order) for order, label in enumerate(answers)
    )
    return poll


def vote(poll, *labels, days=1):
    number = Vote.objects.filter(poll=poll).count() + 1
    cast = Vote.objects.create(
        poll=poll, voter=f"browser:{poll.pk}-{number}", created_at=days_ago(days, hours=2)
    )
    cast.choices.set(poll.choices.filter(label__in=labels))
    return cast


def polls_section(site, summary=False):
    found = [section for section in dashboard.sections(site, Period.last(30), summary=summary)
             if section.key == "polls"]
    return found[0] if found else None


def figures(section):
    return {figure.label: figure.value for figure in section.figures}


@pytest.fixture
def other_site(site):
    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    Page.get_first_root_node().add_child(instance=home)
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")


@pytest.fixture
def polls(site, other_site):
    """Four of the site's polls, in every state, and a busy one elsewhere."""
    bakes = make_poll(site, "Which bake?", answers=("Buns", "Cake", "Scones"), multiple=True)
    vote(bakes, "Buns", "Cake", days=2)
    vote(bakes, "Buns", days=3)
    vote(bakes, "Cake", days=10)
    vote(bakes, "Scones", days=45)  # before the period
    vote(bakes, "Scones", days=50)
    vote(bakes, "Scones", days=55)

    hours = make_poll(site, "Sunday hours?", answers=("Yes", "No"), closes_at=days_ago(5))
    for days in (6, 7, 8, 9):
        vote(hours, "Yes", days=days)

    make_poll(site, "Winter menu?", opens_at=timezone.now() + datetime.timedelta(days=3), created_days_ago=1)
    make_poll(site, "Long gone", closes_at=days_ago(60), created_days_ago=90)  # closed before the period

    elsewhere = make_poll(other_site, "Elsewhere?", answers=("Tea", "Coffee"))
    for days in (1, 2, 3, 4, 5):
        vote(elsewhere, "Tea", days=days)
    return {"bakes": bakes, "hours": hours}


def test_the_figures_count_the_sites_votes_in_the_period_and_its_open_polls(site, polls):
    section = polls_section(site)

    assert section is not None and section.title == "Polls" and section.order == 40
    assert figures(section) == {"Votes in the period": 7, "Open polls": 1}


def test_the_table_lists_the_polls_of_the_period_most_voted_first(site, polls):
    table = polls_section(site).chart("polls")

    assert table.kind == "table"
    assert table.columns == ["Poll", "Status", "Votes in the period", "Votes in all", "Leading answer"]
    rows = [[cell.text if isinstance(cell, Link) else cell for cell in row] for row in table.rows]
    assert rows == [
        ["Sunday hours?", "Closed", 4, 4, "Yes"],
        ["Which bake?", "Open", 3, 6, "Scones"],  # over all votes, not the period's
        ["Winter menu?", "Not open yet", 0, 0, None],
    ]
    assert table.rows[0][0].url == f"/admin/polls/{polls['hours'].pk}/results/"


def test_each_voted_poll_gets_its_answers_chosen_in_the_period(site, polls):
    section = polls_section(site)

    bakes = section.chart(f"poll-{polls['bakes'].pk}")
    hours = section.chart(f"poll-{polls['hours'].pk}")
    assert bakes.kind == "bars" and bakes.percent and bakes.title == "Which bake?"
    assert bakes.rows == [["Buns", 2], ["Cake", 2], ["Scones", 0]]
    assert hours.rows == [["Yes", 4], ["No", 0]]
    assert [chart.key for chart in section.charts] == [
        "polls", f"poll-{polls['hours'].pk}", f"poll-{polls['bakes'].pk}"
    ]


def test_answers_tied_for_the_lead_are_all_named(site):
    poll = make_poll(site, "Tea or coffee?")
    vote(poll, "Tea")
    vote(poll, "Coffee")

    assert polls_section(site).chart("polls").rows[0][4] == "Tea, Coffee (tied)"


def test_only_the_five_most_voted_polls_get_a_chart(site):
    for number in range(7):
        poll = make_poll(site, f"Question {number}")
        for days in range(number + 1):
            vote(poll, "Tea", days=days + 1)

    section = polls_section(site)

    assert [chart.title for chart in section.charts if chart.kind == "bars"] == [
        "Question 6", "Question 5", "Question 4", "Question 3", "Question 2"
    ]
    assert len(section.chart("polls").rows) == 7


def test_another_sites_polls_count_only_there(site, other_site, polls):
    elsewhere = polls_section(other_site)

    assert figures(elsewhere) == {"Votes in the period": 5, "Open polls": 1}
    assert [row[0].text for row in elsewhere.chart("polls").rows] == ["Elsewhere?"]


def test_the_summary_has_the_figures_only(site, polls):
    section = polls_section(site, summary=True)

    assert figures(section) == {"Votes in the period": 7, "Open polls": 1}
    assert section.charts == []


def test_a_site_without_polls_shows_zeros(site):
    section = polls_section(site)

    assert figures(section) == {"Votes in the period": 0, "Open polls": 0}
    assert section.chart("polls").rows == []


def test_the_section_goes_with_the_plugin(site, polls, deactivate_plugin):
    deactivate_plugin(site, "polls")

    assert polls_section(site) is None
    assert polls_section(site, summary=True) is None


def test_the_section_fits_the_insights_shapes(site, polls):
    period = Period.last(30)
    data = insights.polls_section(site, period.as_hook_argument(), summary=False)

    section = section_from(data, period)

    assert section.key == "polls" and len(section.charts) == 3


def test_three_queries_whatever_the_number_of_polls(site, django_assert_max_num_queries):
    for number in range(10):
        poll = make_poll(site, f"Question {number}", answers=("One", "Two", "Three"))
        for days in range(1, 4):
            vote(poll, "One", "Two", days=days)
    period = Period.last(30).as_hook_argument()

    with django_assert_max_num_queries(3):
        data = insights.polls_section(site, period, summary=False)
    with django_assert_max_num_queries(1):
        summary = insights.polls_section(site, period, summary=True)

    assert len(data["charts"][0]["rows"]) == 10 and len(data["charts"]) == 6
    assert data["figures"][0]["value"] == 30 and summary["figures"][0]["value"] == 30
