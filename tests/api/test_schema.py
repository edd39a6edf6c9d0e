"""/api/schema/ and /api/docs/: one OpenAPI schema for v1, plugins and v2."""
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/site/",
    "/api/v1/plugins/",
    "/api/v1/sample_plugin/published/",
    "/api/v1/comments/pages/{page_id}/",
    "/api/v1/comments/{comment_id}/like/",
    "/api/v1/comments/{comment_id}/flag/",
    "/api/v1/insights/",
    "/api/v1/polls/{poll_id}/",
    "/api/v1/polls/{poll_id}/vote/",
    *(
        f"/api/v1/members/{path}/"
        for path in (
            "options", "signup", "confirm", "access", "access/open", "preferences", "preferences/phone",
            "preferences/phone/resend", "unsubscribe", "export",
        )
    ),
    "/api/v2/pages/",
    "/api/v2/pages/{id}/",
    "/api/v2/pages/find/",
    "/api/v2/images/",
    "/api/v2/images/{id}/",
    "/api/v2/images/find/",
    "/api/v2/documents/",
    "/api/v2/documents/{id}/",
    "/api/v2/documents/find/",
}


@pytest.fixture
def schema(client, site):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_covers_v1_plugins_and_v2_and_nothing_else(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == EXPECTED_PATHS


def test_schema_is_yaml_by_default(client, site):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")


def test_v2_operations_are_described(schema):
    listing = schema["paths"]["/api/v2/pages/"]["get"]
    assert listing["operationId"] == "pages_list"
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "offset", "fields", "type", "child_of", "search"} <= names
    assert "site" not in names
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PageListing"
    }
    assert "400" in listing["responses"]

    detail = schema["paths"]["/api/v2/pages/{id}/"]["get"]
    assert detail["operationId"] == "pages_retrieve"
    assert "hearthside.ArticlePage" in detail["description"]
    assert "404" in detail["responses"]
    meta = schema["components"]["schemas"]["PageMeta"]["properties"]
    assert "slots" in meta


def test_v1_and_plugin_operations_are_described(schema):
    site = schema["paths"]["/api/v1/site/"]["get"]
    assert site["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SiteInfo"
    }
    sample = schema["paths"]["/api/v1/sample_plugin/published/"]["get"]
    assert sample["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SamplePublishCount"
    }


def test_operations_are_grouped_by_endpoint_and_plugin(schema):
    """Plugins' operations are tagged with the plugin's label
    (``SPECTACULAR_SETTINGS["SCHEMA_PATH_PREFIX"] = r"/api/v[0-9]+"``)."""
    # Each path's first operation: some plugin endpoints only accept POST.
    tags = {path: next(iter(ops.values()))["tags"] for path, ops in schema["paths"].items()}
    assert tags["/api/v1/sample_plugin/published/"] == ["sample_plugin"]
    assert tags["/api/v1/comments/{comment_id}/flag/"] == ["comments"]
    assert tags["/api/v1/site/"] == ["site"]
    assert tags["/api/v2/pages/{id}/"] == ["pages"]


def test_auth_schemes_are_token_and_session(schema):
    schemes = schema["components"]["securitySchemes"]
    assert set(schemes) == {"tokenAuth", "cookieAuth", "memberToken"}
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert "`Bearer <key>` or `Token <key>`" in schemes["tokenAuth"]["description"]


def test_errors_answered_before_the_view_are_documented(schema):
    """api.openapi.AutoSchema: a bad token (401) and throttling (429)
    everywhere, CSRF (403) on session writes, 404 for an inactive plugin."""
    pages = schema["paths"]["/api/v2/pages/"]["get"]["responses"]
    assert {"401", "429"} <= set(pages)
    like = schema["paths"]["/api/v1/comments/{comment_id}/like/"]["post"]["responses"]
    assert {"401", "403", "404", "429"} <= set(like)
    insights = schema["paths"]["/api/v1/insights/"]["get"]["responses"]
    assert {"401", "403", "404", "429"} <= set(insights)
    # No session authentication there, so no CSRF refusal either.
    signup = schema["paths"]["/api/v1/members/signup/"]["post"]["responses"]
    assert "403" not in signup and "401" not in signup


def test_management_command_generates_a_valid_schema_without_warnings(tmp_path):
    """What CI runs: ``manage.py spectacular --validate --fail-on-warn``."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v2/pages/{id}/:" in text
    assert "/admin/" not in text


def test_swagger_ui_is_served_without_a_cdn(client, site):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in html
    assert "<script>" not in html  # no inline script: a strict CSP can stay strict

    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert b"/api/schema/" in script.content
