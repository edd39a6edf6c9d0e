"""The gate: an inactive plugin's URLs, API endpoints and admin screens answer
404 and its menu items hide, on that site only."""
import pytest
from wagtail.models import Site


@pytest.fixture
def other_site(site):
    return Site.objects.create(hostname="other.example", root_page=site.root_page, site_name="Other")


def test_plugin_pages_answer_while_active(client, site):
    assert client.get("/sample/").status_code == 200
    assert client.get("/api/v1/sample_plugin/published/").status_code == 200


def test_plugin_urls_and_api_answer_404_while_inactive(client, site, deactivate_plugin):
    deactivate_plugin(site, "sample_plugin")
    assert client.get("/sample/").status_code == 404
    assert client.get("/sample/events/").status_code == 404
    response = client.get("/api/v1/sample_plugin/published/")
    assert response.status_code == 404


def test_inactive_on_one_site_is_still_active_on_another(client, site, other_site, deactivate_plugin):
    deactivate_plugin(other_site, "sample_plugin")
    assert client.get("/sample/", HTTP_HOST="other.example").status_code == 404
    assert client.get("/sample/", HTTP_HOST="testserver").status_code == 200


def test_plugin_admin_screens_and_menu_items_follow_activation(client, site, admin_user, deactivate_plugin):
    client.force_login(admin_user)
    assert client.get("/admin/sample-plugin/").status_code == 200
    assert "/admin/sample-plugin/" in client.get("/admin/").content.decode()

    deactivate_plugin(site, "sample_plugin")

    assert client.get("/admin/sample-plugin/").status_code == 404
    assert "/admin/sample-plugin/" not in client.get("/admin/").content.decode()


def test_pages_of_a_type_an_inactive_plugin_defines_answer_404(client, site, root_page, deactivate_plugin):
    from tests.factories import publish
    from tests.sample_plugin.models import SamplePage

    page = publish(root_page, SamplePage(title="Plugin page", slug="plugin-page"))
    assert client.get(page.url).status_code == 200

    deactivate_plugin(site, "sample_plugin")

    assert client.get(page.url).status_code == 404
