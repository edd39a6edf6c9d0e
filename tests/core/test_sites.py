"""hearthside.sites: a request's Wagtail Site comes from the cached host table,
is the one Wagtail would pick, and follows every change to the sites at once."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from hearthside.sites import HOSTS_KEY, MAX_HOSTS, SiteMiddleware, site_for_host
from tests.factories import make_standard


def found_site(host="testserver", port=None):
    """The site SiteMiddleware hands Wagtail for a request to ``host``, and
    the SQL it ran."""
    request = RequestFactory().get("/", HTTP_HOST=f"{host}:{port}" if port else host)
    seen = {}

    def view(req):
        seen["site"] = Site.find_for_request(req)

    with CaptureQueriesContext(connection) as queries:
        SiteMiddleware(view)(request)
    return seen["site"], [q["sql"] for q in queries.captured_queries]


def site_queries(sql):
    return [q for q in sql if "wagtailcore_site" in q]


@pytest.mark.django_db
def test_the_first_request_asks_the_database_and_later_ones_the_cache(site):
    first, sql = found_site()
    assert first.pk == site.pk
    assert site_queries(sql)

    again, sql = found_site()
    assert again.pk == site.pk and again.site_name == "Copper Kettle"
    assert sql == []


@pytest.mark.django_db
def test_it_picks_the_site_wagtail_would_for_each_host_and_port(site, root_page):
    other = Site.objects.create(
        hostname="stall.example", port=8080, root_page=make_standard(root_page, title="Stall"), site_name="Stall"
    )

    for host, port, expected in (
        ("stall.example", 8080, other),
        ("stall.example", None, other),  # the only site of that name, on whatever port
        ("unknown.example", None, site),  # nobody's host: the default site
        ("testserver", None, site),
    ):
        for _ in range(2):  # from the database, then from the cache
            found, _ = found_site(host, port)
            assert found.pk == expected.pk, (host, port)


@pytest.mark.django_db
def test_a_change_to_the_sites_is_seen_on_the_next_request(site, root_page):
    found_site()  # cached
    site.site_name = "The Copper Kettle"
    site.save()
    renamed, sql = found_site()
    assert renamed.site_name == "The Copper Kettle"
    assert site_queries(sql)

    stall = Site.objects.create(hostname="stall.example", port=80, root_page=make_standard(root_page, title="Stall"))
    assert found_site("stall.example")[0].pk == stall.pk
    stall.delete()
    assert found_site("stall.example")[0].pk == site.pk


@pytest.mark.django_db
def test_a_cached_site_loads_its_root_page_fresh(site, root_page):
    found_site()
    Page.objects.filter(pk=root_page.pk).update(title="Copper Kettle Bakery")
    cached, sql = found_site()
    assert sql == []
    assert cached.root_page.title == "Copper Kettle Bakery"


@pytest.mark.django_db
def test_without_a_working_cache_every_request_asks_the_database(site):
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        for _ in range(2):
            found, sql = found_site()
            assert found.pk == site.pk
            assert site_queries(sql)


@pytest.mark.django_db
def test_a_scan_of_ports_cannot_grow_the_table_without_end(site):
    for port in range(1000, 1000 + MAX_HOSTS + 20):
        assert site_for_host("testserver", port).pk == site.pk
    table = cache.get(HOSTS_KEY)
    assert len(table["hosts"]) == MAX_HOSTS and list(table["sites"]) == [site.pk]
