"""The Content-Security-Policy header (django-csp, hearthside.csp): the site's
strict policy on theme pages, cached or not; the admin's, which Wagtail's
inline scripts and styles need; nonces; frame-ancestors following
X-Frame-Options; report-only mode; and no template of ours that needs more.
The browser tests (tests/e2e/test_csp.py) check the same pages in Chromium."""
import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from csp.constants import NONCE
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin
from django.views.defaults import server_error

from hearthside.csp import CSPMiddleware
from tests.core.test_production import REALISTIC_ENV, manage
from tests.factories import make_standard, store_embed

REPO_ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def policy(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in response, dict(response.headers)
    return directives(response["Content-Security-Policy"])


def nonce_in(sources: list[str]) -> str | None:
    found = [source for source in sources if source.startswith("'nonce-")]
    return found[0][len("'nonce-"):-1] if found else None


def through_middleware(view, path="/"):
    """``view``'s response to a GET of ``path``, as hearthside.csp.CSPMiddleware sends it."""
    request = RequestFactory().get(path)
    middleware = CSPMiddleware(view)
    return middleware(request)


SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def test_a_theme_page_gets_the_strict_site_policy(client, root_page):
    page = make_standard(root_page, title="Opening hours")
    found = policy(client.get(page.url))
    # A nonce only appears on a response that used one; a theme page uses none.
    assert {name: found[name] for name in SITE_POLICY} == SITE_POLICY
    assert found["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in found["style-src"][1:])
    assert not any("unsafe" in source for sources in found.values() for source in sources)
    assert "report-uri" not in found


def test_a_page_from_the_page_cache_gets_the_policy_too(client, root_page):
    page = make_standard(root_page, title="Opening hours")
    first = client.get(page.url)
    second = client.get(page.url)
    assert second["X-Page-Cache"] == "hit"
    assert policy(second) == policy(first)


def test_an_admin_page_gets_the_admin_policy(client, site, admin_user):
    client.force_login(admin_user)
    found = policy(client.get("/admin/"))
    # Wagtail's own inline scripts and styles; no nonce, which would switch 'unsafe-inline' off.
    assert found["script-src"] == ["'self'", "'unsafe-inline'"]
    assert found["style-src"] == ["'self'", "'unsafe-inline'"]
    assert found["img-src"] == ["'self'", "data:", "www.gravatar.com"]
    assert found["connect-src"] == ["'self'", "https://releases.wagtail.org"]
    for name in ("default-src", "object-src", "base-uri", "form-action", "frame-ancestors"):
        assert found[name] == SITE_POLICY[name]


def test_wagtails_preview_may_be_framed_by_the_admin_under_the_admins_policy(client, site, admin_user):
    # The preview renders the page through the middleware with a request of its own.
    client.force_login(admin_user)
    response = client.get(f"/admin/pages/{site.root_page_id}/edit/preview/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    found = policy(response)
    assert found["frame-ancestors"] == ["'self'"]
    assert found["script-src"] == ["'self'", "'unsafe-inline'"]


def frame_ancestors(view):
    return directives(through_middleware(view)["Content-Security-Policy"]).get("frame-ancestors")


def test_frame_ancestors_follows_x_frame_options():
    def denied(request):
        response = HttpResponse()
        response["X-Frame-Options"] = "DENY"
        return response

    assert frame_ancestors(denied) == ["'none'"]
    assert frame_ancestors(xframe_options_sameorigin(lambda request: HttpResponse())) == ["'self'"]
    assert frame_ancestors(xframe_options_exempt(lambda request: HttpResponse())) is None


def test_nonces_differ_per_request_and_match_the_inline_script():
    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">document.title = "";</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    seen = set()
    for _ in range(2):
        response = through_middleware(view)
        nonce = nonce_in(directives(response["Content-Security-Policy"])["script-src"])
        assert nonce and f'<script nonce="{nonce}">' in response.content.decode()
        seen.add(nonce)
    assert len(seen) == 2


def test_the_api_docs_style_carries_each_responses_nonce(client, site):
    seen = set()
    for _ in range(2):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        nonce = nonce_in(policy(response)["style-src"])
        html = response.content.decode()
        assert nonce and f'<style nonce="{nonce}">' in html
        assert "<script>" not in html
        seen.add(nonce)
    assert len(seen) == 2


def test_the_500_pages_inline_style_is_allowed_by_its_hash(site):
    response = through_middleware(lambda request: server_error(request))
    assert response.status_code == 500
    css = re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives(response["Content-Security-Policy"])["style-src"]


@pytest.mark.django_db
def test_a_responsive_embed_carries_its_ratio_without_a_style_attribute():
    from wagtail.embeds.format import embed_to_frontend_html

    store_embed("https://video.example/v/1")
    html = embed_to_frontend_html("https://video.example/v/1")
    assert 'class="responsive-object" data-embed-ratio="75.0%"' in html
    assert "style=" not in html and "<iframe" in html


def test_report_only_mode_sends_the_report_only_header_instead(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    response = through_middleware(lambda request: HttpResponse())
    assert "Content-Security-Policy" not in response
    assert directives(response["Content-Security-Policy-Report-Only"])["default-src"] == ["'self'"]


PRODUCTION_HEADERS = (
    "import json; from django.http import HttpResponse; from django.test import RequestFactory; "
    "from hearthside.csp import CSPMiddleware; "
    "response = CSPMiddleware(lambda request: HttpResponse())(RequestFactory().get('/')); "
    "print(json.dumps({name: value for name, value in response.headers.items() if 'Policy' in name}))"
)


def production_headers(**env):
    result = manage("shell", "--no-imports", "-c", PRODUCTION_HEADERS, env={**REALISTIC_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_enforces_the_policy_and_reports_where_told():
    headers = production_headers(CSP_REPORT_URI="https://reports.example.org/csp")
    assert list(headers) == ["Content-Security-Policy"]
    found = directives(headers["Content-Security-Policy"])
    assert found["report-uri"] == ["https://reports.example.org/csp"]
    assert found["default-src"] == ["'self'"]


def test_production_sends_the_policy_report_only_when_asked():
    headers = production_headers(CSP_REPORT_ONLY="true", CSP_REPORT_URI="https://reports.example.org/csp")
    assert list(headers) == ["Content-Security-Policy-Report-Only"]
    found = directives(headers["Content-Security-Policy-Report-Only"])
    assert found["report-uri"] == ["https://reports.example.org/csp"]
    assert found["script-src"] == ["'self'"]


def test_extra_sources_come_from_the_environment():
    headers = production_headers(
        CSP_EXTRA_SOURCES="https://media.example-cdn.net", CSP_FRAME_SRC="https://www.youtube-nocookie.com"
    )
    found = directives(headers["Content-Security-Policy"])
    assert found["img-src"] == ["'self'", "data:", "https://media.example-cdn.net"]
    assert found["media-src"] == ["'self'", "https://media.example-cdn.net"]
    assert found["frame-src"] == ["'self'", "https://www.youtube-nocookie.com"]
    assert found["script-src"] == ["'self'"]


def test_deployment_checks_pass_in_report_only_mode():
    env = {**REALISTIC_ENV, "CSP_REPORT_ONLY": "true"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_site_offers_a_nonce_and_the_admin_none(settings):
    site = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert NONCE in site["script-src"] and NONCE in site["style-src"]
    admin = settings.HEARTHSIDE_CSP_ADMIN_DIRECTIVES
    assert not any(NONCE in sources for sources in admin.values())


# Templates that render web pages (not email, whose HTML is inline-styled by
# nature and shown only in the sandboxed preview) must need nothing the
# policies refuse, Wagtail's admin aside: no inline script or event handler,
# no <style> block without a nonce, no style attribute, no javascript: URL.
TEMPLATE_ROOTS = [REPO_ROOT / "themes", REPO_ROOT / "plugins", REPO_ROOT / "site" / "hearthside"]
EMAIL_PARTS = ("email", "newsletter")
INLINE = {
    "an inline script": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
    ),
    "an event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a <style> block without a nonce": re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


COMMENTS = r"{#.*?#}|{% comment %}.*?{% endcomment %}"


def web_templates():
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*.html")):
            relative = path.relative_to(REPO_ROOT)
            if "templates" in relative.parts and not any(part in EMAIL_PARTS for part in relative.parts):
                yield relative


def test_no_web_template_needs_what_the_policy_refuses():
    found = []
    for relative in web_templates():
        source = re.sub(COMMENTS, "", (REPO_ROOT / relative).read_text(), flags=re.S)
        if relative.name == "500.html":  # stands alone; its <style> goes by hash (above)
            source = re.sub(r"<style>.*?</style>", "", source, flags=re.S)
        found += [f"{relative}: {what}" for what, pattern in INLINE.items() if pattern.search(source)]
    assert not found, found
