"""The anonymous page cache: hits cost no queries, anything personal is never
cached, and publishing purges it."""
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
