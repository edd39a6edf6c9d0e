"""A full-page cache for anonymous visitors.

Sits just below WhiteNoise so a hit costs at most one cache round trip
(none for a page this process holds a copy of, see :class:`LocalCopies`) and
none of the session, auth, theme or Content-Security-Policy work: the page's
policy is stored with it. Anything personal (a session cookie, an Authorization
header, a response that sets a cookie, says private or carries a CSP nonce)
is never cached. HTML is cached; a view whose other responses are the same
for every anonymous visitor (a feed) opts them in with
:func:`cache_for_anonymous`, and a hit answers conditional GETs
(If-None-Match, If-Modified-Since) with a 304 from the stored ETag and
Last-Modified. :func:`purge` drops every cached page at once by bumping a
generation number; the core purges on publish, unpublish, plugin and theme
changes, and plugins call it when their own content on pages changes.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

GENERATION_KEY = "hearthside:page-cache:generation"
CACHE_HEADER = "X-Page-Cache"
# /health/ must report the live state, never a stored copy.
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/api/", "/static/", "/media/", "/health/")
# Built once, on the miss (hearthside.csp sits below): a hit sends the page's own policy.
POLICY_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
STORED_HEADERS = (
    "Content-Type", "Content-Language", "Link", "X-Frame-Options", "ETag", "Last-Modified", *POLICY_HEADERS
)
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
        generation = cache.incr(GENERATION_KEY)
    except ValueError:
        generation = _fresh_generation()
        cache.set(GENERATION_KEY, generation, None)
    _local_copies.saw_generation(generation)
    if page_id is not None and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from wagtail.contrib.frontend_cache.utils import purge_page_from_cache
        from wagtail.models import Page

        page = Page.objects.filter(pk=page_id).first()
        if page is not None:
            # Wagtail's backends log a CDN that does not answer; a page view must not fail for it.
            purge_page_from_cache(page)


def _fresh_generation() -> int:
    # From the clock, not 0: after the cache is flushed, copies a process still
    # holds from before must not match again.
    return time.time_ns() // 1000


def _current_generation(found=None) -> int | None:
    """The purge generation; None when the shared cache does not answer
    (Redis down), and then nothing is served from or kept in any copy."""
    generation = found if found is not None else cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh_generation(), None)
        generation = cache.get(GENERATION_KEY)
    return generation


class LocalCopies:
    """This process's own copies of the pages it served, least recently used
    first out past HEARTHSIDE_PAGE_CACHE_LOCAL_BYTES, so a hot page costs no
    round trip to the shared cache. A copy is good while the generation it
    was stored under is the current one, and the process rereads the
    generation at most every HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS: a purge
    reaches every process within that time, the purging one at once."""

    def __init__(self):
        self._entries: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.generation: int | None = None
        self._generation_read_at = -math.inf
        self.clock = time.monotonic

    def find(self, key: str):
        """The copy of ``key`` as (content, headers), or None: none is held,
        it was purged, or the copies are off."""
        seconds = settings.HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS
        if seconds <= 0:
            return None
        if self.clock() - self._generation_read_at >= seconds:
            self.saw_generation(_current_generation())
        if self.generation is None:
            return None
        entry = self.get(key, self.generation)
        return entry[1:3] if entry is not None else None

    def saw_generation(self, generation: int) -> None:
        self.generation, self._generation_read_at = generation, self.clock()

    def get(self, key: str, generation: int):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != generation or entry[3] < self.clock():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, generation: int, content: bytes, headers) -> None:
        """Keep a copy (unless the copies are off or it alone is over the limit)."""
        limit = settings.HEARTHSIDE_PAGE_CACHE_LOCAL_BYTES
        if settings.HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS <= 0 or len(content) > limit:
            return
        with self._lock:
            self._drop(key)
            expires_at = self.clock() + settings.HEARTHSIDE_PAGE_CACHE_SECONDS
            self._entries[key] = (generation, content, headers, expires_at)
            self._bytes += len(content)
            while self._bytes > limit:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation, self._generation_read_at = None, -math.inf

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1])


_local_copies = LocalCopies()


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
        # A nonce is for one response only: every hit would hand out the same.
        and not any("'nonce-" in response.get(header, "") for header in POLICY_HEADERS)
    )


def _key(request) -> str:
    # Hashed: query strings can be long, and some cache backends limit key length.
    location = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"hearthside:page:v2:{location}"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        key = _key(request)
        copy = _local_copies.find(key)
        if copy is not None:
            return _answer(request, *copy)
        # One round trip: the page and the current generation together; a page
        # stored under an older generation has been purged.
        found = cache.get_many([GENERATION_KEY, key])
        generation = _current_generation(found.get(GENERATION_KEY))
        hit = found.get(key)
        if generation is not None:
            _local_copies.saw_generation(generation)
            if hit is not None and hit[0] == generation:
                _, content, headers = hit
                _local_copies.put(key, generation, content, headers)
                return _answer(request, content, headers)
        response = self.get_response(request)
        if request.method == "GET" and _response_is_cacheable(response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if generation is not None:
                headers = [(name, response[name]) for name in STORED_HEADERS if response.has_header(name)]
                seconds = settings.HEARTHSIDE_PAGE_CACHE_SECONDS
                cache.set(key, (generation, response.content, headers), seconds)
                _local_copies.put(key, generation, response.content, headers)
            response[CACHE_HEADER] = "miss"
        return response


def _answer(request, content: bytes, headers):
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
