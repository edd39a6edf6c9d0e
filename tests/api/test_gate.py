"""Deactivating a plugin on a site removes it from every part of the API."""
import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(root_page, journal):
    return make_article(journal, title="New loaves")


def sample_in_slots(page_json):
    return [
        contribution
        for contributions in page_json["meta"]["slots"].values()
        for contribution in contributions
        if contribution["plugin"] == "sample_plugin"
    ]


def test_active_plugin_is_everywhere(client, site, article):
    assert client.get("/api/v1/sample_plugin/published/").status_code == 200
    assert "sample_plugin" in {p["label"] for p in client.get("/api/v1/plugins/").json()}
    page = client.get(f"/api/v2/pages/{article.pk}/").json()
    assert sample_in_slots(page) and page["sample_plugin_seen"] is True


def test_deactivated_plugin_is_gone_from_the_api(client, site, article, deactivate_plugin):
    deactivate_plugin(site, "sample_plugin")

    endpoint = client.get("/api/v1/sample_plugin/published/")
    assert endpoint.status_code == 404

    assert "sample_plugin" not in {p["label"] for p in client.get("/api/v1/plugins/").json()}

    page = client.get(f"/api/v2/pages/{article.pk}/").json()
    assert sample_in_slots(page) == []
    assert "sample_plugin_seen" not in page

    items = client.get("/api/v2/pages/?fields=slots").json()["items"]
    assert items
    assert all(sample_in_slots(item) == [] and "sample_plugin_seen" not in item for item in items)


def test_the_gate_answers_json_under_api(client, site, deactivate_plugin):
    """Needs ``handler404 = "api.errors.page_not_found"`` in config/urls.py."""
    deactivate_plugin(site, "sample_plugin")
    response = client.get("/api/v1/sample_plugin/published/")
    assert response.status_code == 404
    assert response.json() == {"detail": "The plugin “Sample plugin” is not active on this site."}


def test_reactivating_brings_it_back(client, site, article, deactivate_plugin, activate_plugin):
    deactivate_plugin(site, "sample_plugin")
    activate_plugin(site, "sample_plugin")
    assert client.get("/api/v1/sample_plugin/published/").status_code == 200
    page = client.get(f"/api/v2/pages/{article.pk}/").json()
    # installed() created the site's greeting, and the slot shows it
    assert sample_in_slots(page)[0]["data"] == {"greeting": "Welcome, neighbour!"}


def test_pages_of_an_inactive_plugins_page_type_leave_the_api(client, site, deactivate_plugin):
    from tests.factories import publish
    from tests.sample_plugin.models import SamplePage

    page = publish(site.root_page, SamplePage(title="Plugin page", slug="plugin-page"))
    listed = {item["id"] for item in client.get("/api/v2/pages/").json()["items"]}
    assert page.pk in listed

    deactivate_plugin(site, "sample_plugin")

    listed = {item["id"] for item in client.get("/api/v2/pages/").json()["items"]}
    assert page.pk not in listed
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
