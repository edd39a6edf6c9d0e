"""A full-page cache for anonymous visitors.

Sits just below WhiteNoise so a hit costs one cache round trip and none of
the session, auth or theme work. Anything personal (a session cookie, an
Authorization header, a response that sets a cookie or says private) is never
cached. HTML is cached; a view whose other responses are the same for every
anonymous visitor (a feed) opts them in with :func:`cache_for_anonymous`, and
a hit answers conditional GETs (If-None-Match, If-Modified-Since) with a 304
from the stored ETag and Last-Modified. :func:`purge` drops every cached page at once by bumping a generation
number; the core purges on publish, unpublish, plugin and theme changes, and
plugins call it when their own content on pages changes.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

GENERATION_KEY = "hearthside:page-cache:generation"
CACHE_HEADER = "X-Page-Cache"
# /health/ must report the live state, never a stored copy.
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/api/", "/static/", "/media/", "/health/")
STORED_HEADERS = ("Content-Type", "Content-Language", "Link", "X-Frame-Options", "ETag", "Last-Modified")
OPT_IN_ATTRIBUTE = "hearthside_cache_for_anonymous"


def cache_for_anonymous(response):
    """Let the page cache keep ``response`` although it is not HTML (a feed:
    the same bytes for every anonymous reader); returns it. The cached copy
    goes with every purge, like the pages."""
    setattr(response, OPT_IN_ATTRIBUTE, True)
    return response


def purge(page_id: int | None = None) -> None:
    """Forget every cached page. With ``page_id`` (a page whose own content
    changed, e.g. its comments), also ask the CDN or proxy in front
    (WAGTAILFRONTENDCACHE) to drop that page's URLs; Wagtail itself purges
    it there on publish and unpublish."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)
    if page_id is not None and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from wagtail.contrib.frontend_cache.utils import purge_page_from_cache
        from wagtail.models import Page

        page = Page.objects.filter(pk=page_id).first()
        if page is not None:
            # Wagtail's backends log a CDN that does not answer; a page view must not fail for it.
            purge_page_from_cache(page)


def _request_is_cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.HEARTHSIDE_PAGE_CACHE_SECONDS > 0
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith(SKIPPED_PREFIXES)
    )


def _response_is_cacheable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and ("text/html" in response.get("Content-Type", "") or getattr(response, OPT_IN_ATTRIBUTE, False))
    )


def _key(request) -> str:
    # Hashed: query strings can be long, and some cache backends limit key length.
    location = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"hearthside:page:{location}"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        key = _key(request)
        # One round trip: the page and the current generation together; a page
        # stored under an older generation has been purged.
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        hit = found.get(key)
        if hit is not None and hit[0] == generation:
            _, content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response["Content-Length"] = str(len(content))
            response[CACHE_HEADER] = "hit"
            if response.has_header("ETag") or response.has_header("Last-Modified"):
                last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
                return get_conditional_response(
                    request, etag=response.get("ETag"), last_modified=last_modified, response=response
                )
            return response
        response = self.get_response(request)
        if request.method == "GET" and _response_is_cacheable(response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [(name, response[name]) for name in STORED_HEADERS if response.has_header(name)]
            cache.set(key, (generation, response.content, headers), settings.HEARTHSIDE_PAGE_CACHE_SECONDS)
            response[CACHE_HEADER] = "miss"
        return response
