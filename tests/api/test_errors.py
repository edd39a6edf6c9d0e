"""api.errors: JSON 404s and 500s under /api/, Django's pages elsewhere.

Mounted here with a URLconf of its own (the site's plus views that fail);
config.urls must name the same handlers (``handler404``/``handler500``) for
the real site.
"""
import pytest
from django.http import Http404
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from config.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise RuntimeError("boom")


def missing(request):
    raise Http404("No such loaf.")


@api_view(["GET"])
@permission_classes([AllowAny])
def drf_crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/test/crash/", crash),
    path("api/v1/test/drf-crash/", drf_crash),
    path("api/v2/test/crash/", crash),
    path("api/v1/test/missing/", missing),
    path("shop/crash/", crash),
    *site_urlpatterns,  # the theme's error pages link to the search page
]
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def client(client, site):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", ["/api/v1/test/crash/", "/api/v1/test/drf-crash/"])
def test_a_crash_under_api_is_a_json_500(client, url):
    response = client.get(url)
    assert response.status_code == 500
    assert response.json() == {"detail": "The server could not answer this request; it has been logged."}


def test_v2_errors_use_wagtails_key(client):
    response = client.get("/api/v2/test/crash/")
    assert response.status_code == 500
    assert set(response.json()) == {"message"}
    assert client.get("/api/v2/nothing/").json() == {"message": "There is no API endpoint at /api/v2/nothing/."}


def test_a_404_under_api_keeps_its_message(client):
    response = client.get("/api/v1/test/missing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such loaf."}
    assert client.get("/api/v1/nothing/").json() == {"detail": "There is no API endpoint at /api/v1/nothing/."}


def test_other_paths_get_djangos_pages(client):
    crashed = client.get("/shop/crash/")
    assert crashed.status_code == 500
    assert crashed["Content-Type"].startswith("text/html")
    missing = client.get("/shop/nothing/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")
