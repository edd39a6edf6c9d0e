"""/api/v1/plugins/: the plugins active on the site, with their API roots."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import v1
from hearthside.extending.plugins import installed_plugins

pytestmark = pytest.mark.django_db


def test_lists_the_sample_plugin_with_its_metadata(client, site, settings):
    settings.WAGTAILAPI_BASE_URL = None  # URLs on the site's own root URL
    plugins = {p["label"]: p for p in client.get("/api/v1/plugins/").json()}
    assert plugins["sample_plugin"] == {
        "label": "sample_plugin",
        "name": "Sample plugin",
        "version": "1.0.0",
        "description": "Greets visitors and counts published pages: a tour of every extension point.",
        "author": "",
        "requires": [],
        "api_root": "http://testserver/api/v1/sample_plugin/",
    }


def test_api_root_is_where_the_plugins_endpoints_answer(client, site, settings):
    settings.WAGTAILAPI_BASE_URL = "https://cms.copperkettle.example"  # like Wagtail's detail_url
    for plugin in client.get("/api/v1/plugins/").json():
        if plugin["api_root"] is not None:
            assert plugin["api_root"] == f"https://cms.copperkettle.example/api/v1/{plugin['label']}/"


def test_only_active_plugins_are_listed(client, site, deactivate_plugin):
    from hearthside.extending.activation import active_plugin_labels

    listed = {p["label"] for p in client.get("/api/v1/plugins/").json()}
    assert listed == set(active_plugin_labels(site)) & {p.label for p in installed_plugins()}
    deactivate_plugin(site, "sample_plugin")
    assert "sample_plugin" not in {p["label"] for p in client.get("/api/v1/plugins/").json()}


def test_plugin_endpoints_are_found_once_not_per_request(client, site, monkeypatch):
    def fail():
        raise AssertionError("plugin API endpoints looked up during a request")

    monkeypatch.setattr("hearthside.extending.urls.plugin_api_urlpatterns", fail)
    monkeypatch.setattr(v1, "plugin_api_urlpatterns", fail)
    for _ in range(2):
        assert client.get("/api/v1/plugins/").status_code == 200


def test_the_view_itself_makes_no_queries(client, site):
    """Beyond what middleware does for every request (finding the site, its
    theme), listing plugins reads only the cached activation state."""
    client.get("/api/v1/plugins/")  # activation state now cached
    with CaptureQueriesContext(connection) as middleware_only:
        assert client.options("/api/v1/plugins/").status_code == 200
    with CaptureQueriesContext(connection) as listing:
        assert client.get("/api/v1/plugins/").status_code == 200
    assert len(listing) == len(middleware_only)
