"""The anonymous page cache: hits cost no queries, anything personal is never
cached, and publishing purges it."""
import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_standard


def test_a_second_anonymous_view_is_served_from_the_cache_without_queries(
    client, root_page, django_assert_num_queries
):
    page = make_standard(root_page, title="Opening hours")
    first = client.get(page.url)
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = client.get(page.url)

    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Length"] == str(len(first.content))
    assert second["Content-Type"] == first["Content-Type"]


def test_signed_in_visitors_are_never_served_or_stored_from_the_cache(client, root_page, admin_user):
    page = make_standard(root_page, title="Opening hours")
    client.force_login(admin_user)
    client.get(page.url)
    response = client.get(page.url)
    assert "X-Page-Cache" not in response


def test_publishing_purges_the_cache(client, root_page, django_capture_on_commit_callbacks):
    page = make_standard(root_page, title="Opening hours")
    client.get(page.url)
    assert client.get(page.url)["X-Page-Cache"] == "hit"

    page.title = "Opening hours (winter)"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    response = client.get(page.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Opening hours (winter)" in response.content.decode()


def test_unpublished_pages_vanish_from_the_cache(client, root_page, django_capture_on_commit_callbacks):
    page = make_standard(root_page, title="Summer menu")
    url = page.url
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert client.get(url).status_code == 404


def test_errors_and_other_methods_are_not_cached(client, site):
    assert client.get("/no-such-page/").status_code == 404
    assert "X-Page-Cache" not in client.get("/no-such-page/")
    response = Client().post("/", {})
    assert "X-Page-Cache" not in response


def test_the_cache_can_be_turned_off(client, root_page, settings):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0
    page = make_standard(root_page, title="Opening hours")
    client.get(page.url)
    assert "X-Page-Cache" not in client.get(page.url)


def test_non_html_is_cached_only_when_its_view_opts_in(rf, settings):
    from django.http import HttpResponse

    from hearthside.pagecache import PageCacheMiddleware, cache_for_anonymous

    answers = {"/plain.txt": lambda: HttpResponse("plain", content_type="text/plain"),
               "/feed.xml": lambda: cache_for_anonymous(HttpResponse("<rss/>", content_type="application/rss+xml"))}
    middleware = PageCacheMiddleware(lambda request: answers[request.path]())

    for path in answers:
        middleware(rf.get(path))
    assert "X-Page-Cache" not in middleware(rf.get("/plain.txt"))
    assert middleware(rf.get("/feed.xml"))["X-Page-Cache"] == "hit"


def test_a_hit_sends_the_pages_own_content_security_policy(client, root_page, django_assert_num_queries):
    page = make_standard(root_page, title="Opening hours")
    first = client.get(page.url)
    assert "default-src 'self'" in first["Content-Security-Policy"]

    with django_assert_num_queries(0):
        second = client.get(page.url)

    assert second["X-Page-Cache"] == "hit"
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_response_whose_policy_carries_a_nonce_is_never_cached(rf):
    from django.http import HttpResponse
    from django.template import engines

    from hearthside.csp import CSPMiddleware
    from hearthside.pagecache import PageCacheMiddleware

    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">document.title = "";</script>')
    with_nonce = PageCacheMiddleware(CSPMiddleware(lambda request: HttpResponse(template.render({}, request))))
    without = PageCacheMiddleware(CSPMiddleware(lambda request: HttpResponse("<p>Open every day</p>")))

    first = with_nonce(rf.get("/with-nonce/"))
    assert "'nonce-" in first["Content-Security-Policy"]
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in with_nonce(rf.get("/with-nonce/"))
    without(rf.get("/without/"))
    assert without(rf.get("/without/"))["X-Page-Cache"] == "hit"


# Each process's own copies ----------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def local_copies(settings):
    """The process's copies on, trusted for a second, on a clock the test moves."""
    from hearthside import pagecache

    settings.HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS = 1.0
    clock = Clock()
    pagecache._local_copies.clear()
    pagecache._local_copies.clock = clock
    yield clock
    pagecache._local_copies.clear()
    pagecache._local_copies.clock = time.monotonic


def shared_copy_key(url):
    from django.test import RequestFactory

    from hearthside.pagecache import _key

    return _key(RequestFactory().get(url))


def test_a_hot_page_is_served_from_the_process_copy_without_the_shared_cache(client, root_page, local_copies):
    page = make_standard(root_page, title="Opening hours")
    first = client.get(page.url)
    cache.delete(shared_copy_key(page.url))  # were the shared cache asked, this would be a miss

    second = client.get(page.url)

    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_a_purge_in_this_process_drops_its_copies_at_once(client, root_page, local_copies):
    from hearthside import pagecache

    page = make_standard(root_page, title="Opening hours")
    client.get(page.url)
    pagecache.purge()
    assert client.get(page.url)["X-Page-Cache"] == "miss"


def test_a_purge_elsewhere_reaches_this_process_within_the_local_seconds(client, root_page, local_copies):
    from hearthside import pagecache

    page = make_standard(root_page, title="Opening hours")
    client.get(page.url)
    cache.incr(pagecache.GENERATION_KEY)  # another process purged

    local_copies.now += 0.5
    assert client.get(page.url)["X-Page-Cache"] == "hit"  # still trusted
    local_copies.now += 0.6
    assert client.get(page.url)["X-Page-Cache"] == "miss"


def test_copies_past_the_byte_limit_go_least_recently_used_first(settings, local_copies):
    from hearthside.pagecache import LocalCopies

    settings.HEARTHSIDE_PAGE_CACHE_LOCAL_BYTES = 250
    copies = LocalCopies()
    for name in ("a", "b", "c"):
        copies.put(name, 7, name.encode() * 100, [])
    assert copies.get("a", 7) is None  # the oldest went to make room for "c"
    assert copies.get("b", 7) is not None and copies.get("c", 7) is not None
    copies.put("big", 7, b"x" * 251, [])
    assert copies.get("big", 7) is None and copies.get("c", 7) is not None


def test_a_flushed_cache_does_not_bring_back_copies_from_before_a_purge(client, root_page, local_copies):
    from hearthside import pagecache

    page = make_standard(root_page, title="Opening hours")
    client.get(page.url)
    before = pagecache._local_copies.generation
    cache.clear()  # the shared cache restarted empty

    local_copies.now += 2
    assert client.get(page.url)["X-Page-Cache"] == "miss"
    assert pagecache._local_copies.generation != before
