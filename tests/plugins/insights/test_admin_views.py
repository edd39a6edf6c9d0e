import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Site

from plugins.insights import hooks
from tests.factories import UserFactory

URL = "/admin/insights/"
HOSTILE = '<img src=x onerror="alert(1)">'


def members_section(site, period, summary):
    today = timezone.localdate()
    section = {
        "key": "people", "title": "People", "order": 5,
        "figures": [{"label": "Members on " + site.hostname, "value": 1234}],
    }
    if not summary:
        section["charts"] = [
            {"key": "growth", "title": "Growth", "kind": "timeseries", "columns": ["Members"],
             "rows": [[today, 4]], "cumulative_from": [10]},
            {"key": "topics", "title": "Topics", "kind": "bars", "columns": ["Topic", "Members"],
             "rows": [[HOSTILE, 3], ["=HYPERLINK(\"http://evil\")", 1]]},
        ]
    return section


@pytest.fixture
def people(only_insights, section_receiver):
    section_receiver(members_section)
    return only_insights


@pytest.mark.django_db
class TestAccess:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, people):
        response = client.get(URL)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_users_without_the_permission_are_refused(self, client, people):
        # Everything Editors may do (admin access included) except seeing insights.
        writer = UserFactory(username="writer")
        writer.user_permissions.add(*Group.objects.get(name="Editors").permissions.exclude(codename="view_insights"))
        client.force_login(writer)
        response = client.get(URL)
        # Wagtail's permission_denied sends them to the admin home with a message.
        assert response.status_code == 302 and response["Location"] == "/admin/"

    def test_editors_and_moderators_see_it(self, client, people, editor, moderator):
        for user in (editor, moderator):
            client.force_login(user)
            response = client.get(URL)
            assert response.status_code == 200
            assert b"Members on testserver" in response.content

    def test_inactive_insights_answers_404_and_hides_the_menu_item(self, client, people, admin_user, deactivate_plugin):
        client.force_login(admin_user)
        assert b'href="/admin/insights/"' in client.get("/admin/").content
        deactivate_plugin(people, "insights")
        assert client.get(URL).status_code == 404
        home = client.get("/admin/")
        assert b'href="/admin/insights/"' not in home.content
        assert b"Members on testserver" not in home.content


@pytest.mark.django_db
class TestDashboard:
    def test_draws_every_chart_with_a_table_and_a_csv_link(self, client, people, admin_user):
        client.force_login(admin_user)
        html = client.get(URL).content.decode()
        assert html.count('<svg class="insights-chart"') == 2
        assert html.count('class="listing insights-table"') == 2
        assert f"{URL}?csv=people.growth" not in html  # relative to the page, keeping the query
        assert 'href="?csv=people.growth"' in html and 'href="?csv=people.topics"' in html
        assert "1,234" in html

    def test_visitor_text_is_escaped_in_svg_and_table(self, client, people, admin_user):
        client.force_login(admin_user)
        html = client.get(URL).content.decode()
        assert HOSTILE not in html
        assert "&lt;img src=x onerror=" in html

    def test_a_malformed_section_is_left_out_and_the_rest_shown(self, client, people, section_receiver, admin_user):
        section_receiver({"key": "broken", "title": "Broken", "charts": [{"kind": "pie"}]})
        client.force_login(admin_user)
        response = client.get(URL)
        assert response.status_code == 200
        assert b'data-section="broken"' not in response.content
        assert b'data-section="people"' in response.content

    def test_a_custom_period_reaches_receivers(self, client, people, section_receiver, admin_user):
        seen = []
        section_receiver(lambda site, period, summary: seen.append(period) or None)
        client.force_login(admin_user)
        response = client.get(URL, {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"})
        assert response.status_code == 200
        assert seen[0]["first_day"] == date(2026, 1, 1) and seen[0]["last_day"] == date(2026, 6, 30)
        assert "1 Jan 2026 – 30 Jun 2026" in response.content.decode()

    @pytest.mark.parametrize("query, message", [
        ({"period": "custom", "start": "2026-06-30", "end": "2026-01-01"}, "first day comes after its last day"),
        ({"period": "custom", "start": "2026-06-30"}, "Give both dates"),
        ({"period": "custom", "start": "yesterday", "end": "2026-01-01"}, "Enter a valid date"),
        ({"period": "9999"}, "Select a valid choice"),
    ])
    def test_a_bad_period_is_explained_and_the_last_30_days_shown(self, client, people, section_receiver,
                                                                   admin_user, query, message):
        seen = []
        section_receiver(lambda site, period, summary: seen.append(period) or None)
        client.force_login(admin_user)
        response = client.get(URL, query)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert seen[0]["last_day"] - seen[0]["first_day"] == timedelta(days=29)

    def test_another_site_can_be_chosen(self, client, people, admin_user):
        other = Site.objects.create(hostname="other.example", root_page=people.root_page, site_name="Other")
        client.force_login(admin_user)
        html = client.get(URL, {"site": other.pk}).content.decode()
        assert "Members on other.example" in html

    def test_queries_stay_bounded(self, client, people, admin_user, django_assert_max_num_queries):
        client.force_login(admin_user)
        client.get(URL)
        with django_assert_max_num_queries(15):
            assert client.get(URL).status_code == 200


@pytest.mark.django_db
class TestCSV:
    def test_downloads_a_chart_as_csv_with_formulas_defused(self, client, people, admin_user):
        client.force_login(admin_user)
        response = client.get(URL, {"csv": "people.topics"})
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["Topic", "Members"]
        assert rows[1] == [HOSTILE, "3"]
        assert rows[2][0].startswith("'=")

    def test_timeseries_csv_has_one_row_per_day_with_iso_dates(self, client, people, admin_user):
        client.force_login(admin_user)
        rows = list(csv.reader(io.StringIO(client.get(URL, {"csv": "people.growth", "period": "7"}).content.decode())))
        assert rows[0] == ["Day", "Members"]
        assert len(rows) == 8
        assert rows[-1] == [timezone.localdate().isoformat(), "14"]

    def test_an_unknown_chart_is_404(self, client, people, admin_user):
        client.force_login(admin_user)
        assert client.get(URL, {"csv": "people.nope"}).status_code == 404
        assert client.get(URL, {"csv": "nothing"}).status_code == 404


@pytest.mark.django_db
class TestSummaryPanel:
    def test_home_shows_figures_only_and_asks_for_the_summary(self, client, people, section_receiver, admin_user):
        asked = []
        section_receiver(lambda site, period, summary: asked.append(summary) or None)
        client.force_login(admin_user)
        html = client.get("/admin/").content.decode()
        assert "The community, last 30 days" in html
        assert "Members on testserver" in html
        assert '<svg class="insights-chart"' not in html
        assert asked == [True]

    def test_people_without_the_permission_do_not_get_it(self, client, people):
        user = UserFactory(username="staff", is_staff=True)
        user.user_permissions.add(*Group.objects.get(name="Editors").permissions.exclude(codename="view_insights"))
        client.force_login(user)
        assert b"The community, last 30 days" not in client.get("/admin/").content


def test_hooks_are_documented():
    for hook in (hooks.insights_sections, hooks.page_activity):
        assert "Arguments:" in hook.__doc__ and "returns" in hook.__doc__
