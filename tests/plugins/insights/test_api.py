import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

from .test_admin_views import HOSTILE, members_section

URL = "/api/v1/insights/"


@pytest.fixture
def people(only_insights, section_receiver):
    section_receiver(members_section)
    return only_insights


@pytest.mark.django_db
class TestInsightsAPI:
    def test_a_token_with_the_permission_reads_the_dashboard(self, api_client, people, editor):
        token = Token.objects.create(user=editor)
        response = api_client.get(URL, {"period": "7"}, HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 200
        data = response.json()
        assert data["site"] == people.pk
        (section,) = data["sections"]
        assert section["key"] == "people"
        assert section["figures"][0] == {
            "label": "Members on testserver", "value": 1234.0, "unit": "count", "display": "1,234", "note": "",
        }
        growth, topics = section["charts"]
        assert growth["kind"] == "timeseries" and growth["cumulative"] is True
        assert len(growth["rows"]) == 7 and growth["rows"][-1][1] == 14
        assert growth["rows"][0][0] == data["period"]["first_day"]
        # Data, not HTML: the label comes back exactly as given, for the front end to escape.
        assert topics["rows"][0] == [HOSTILE, 3]
        assert topics["csv_url"] == "/admin/insights/?period=7&csv=people.topics"

    def test_anonymous_and_unpermitted_users_are_refused(self, api_client, people):
        assert api_client.get(URL).status_code == 401
        user = UserFactory(username="writer")
        user.user_permissions.add(*Group.objects.get(name="Editors").permissions.exclude(codename="view_insights"))
        token = Token.objects.create(user=user)
        response = api_client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 403
        assert "Can see the Insights dashboard" in response.json()["detail"]

    def test_a_bad_period_is_a_clear_400(self, api_client, people, admin_user):
        api_client.force_authenticate(admin_user)
        response = api_client.get(URL, {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"})
        assert response.status_code == 400
        assert response.json() == {"detail": "The period's first day comes after its last day.", "field": None}
        response = api_client.get(URL, {"period": "custom", "start": "soon", "end": "2026-04-01"})
        assert response.status_code == 400 and response.json()["field"] == "start"

    def test_inactive_insights_answers_404(self, api_client, people, admin_user, deactivate_plugin):
        deactivate_plugin(people, "insights")
        api_client.force_authenticate(admin_user)
        assert api_client.get(URL).status_code == 404

    def test_it_is_in_the_schema(self, api_client, people):
        schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        assert "/api/v1/insights/" in schema["paths"]
