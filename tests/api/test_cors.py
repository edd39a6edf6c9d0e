"""CORS for a separate front end: /api/ only, configured origins only."""
import pytest

pytestmark = pytest.mark.django_db

FRONT = "https://front.example"


@pytest.fixture(autouse=True)
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT]


def preflight(client, path, origin, method="GET"):
    return client.options(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method)


@pytest.mark.parametrize("path", ["/api/v2/pages/", "/api/v1/site/", "/api/v1/sample_plugin/published/"])
def test_allowed_origin_gets_the_header(client, site, path):
    response = client.get(path, HTTP_ORIGIN=FRONT)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT
    assert "Access-Control-Allow-Credentials" not in response

    response = preflight(client, path, FRONT)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_preflight_allows_the_authorization_header(client, site):
    response = client.options(
        "/api/v2/pages/",
        HTTP_ORIGIN=FRONT,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert "authorization" in response["Access-Control-Allow-Headers"]


def test_other_origin_does_not(client, site):
    response = client.get("/api/v2/pages/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(client, "/api/v2/pages/", "https://evil.example")


@pytest.mark.parametrize("path", ["/", "/sample/", "/admin/login/"])
def test_non_api_paths_never_do(client, site, path):
    response = client.get(path, HTTP_ORIGIN=FRONT)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(client, path, FRONT)
