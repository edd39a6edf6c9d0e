"""Which Wagtail Site answers a request, remembered in the cache.

Wagtail finds a request's site with a database query on every request
(``Site.find_for_request``); on a comment post that query cost more CPU than
the rest of the middleware together. Sites change rarely, so
:class:`SiteMiddleware` answers from one cached table of host → site, and
hands the answer to Wagtail the way Wagtail caches it on the request itself
(``request._wagtail_site``), so every later ``Site.find_for_request`` on the
request is free.

The table is dropped whenever a Site is saved or deleted (``receivers``) and
lives at most ``HOSTS_SECONDS`` whatever happens. A cached Site carries no
root page: code that needs it loads it fresh (a root page's title and path
are not the table's to keep). With the cache down every lookup asks the
database, as Wagtail does.
"""
from __future__ import annotations

from django.core.cache import cache
from django.http.request import split_domain_port
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname

HOSTS_KEY = "hearthside:sites-by-host:v2"
HOSTS_SECONDS = 300
# Only allowed hosts get this far (CommonMiddleware's check), with any port:
# the bound keeps a scan of ports from growing the table without end.
MAX_HOSTS = 200


def site_for_host(hostname: str, port: int | str) -> Site | None:
    """The Site Wagtail would pick for ``hostname``:``port`` (None if none)."""
    # {"hosts": {"host:port": site id or None}, "sites": {id: Site}}: each Site
    # once, however many hosts and ports lead to it.
    table = cache.get(HOSTS_KEY) or {"hosts": {}, "sites": {}}
    key = f"{hostname}:{port}"
    if key in table["hosts"]:
        site_id = table["hosts"][key]
        return None if site_id is None else table["sites"][site_id]
    try:
        site = get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        site = None
    if site is not None:
        site._state.fields_cache.pop("root_page", None)
    if len(table["hosts"]) < MAX_HOSTS:
        table["hosts"][key] = site.pk if site is not None else None
        if site is not None:
            table["sites"][site.pk] = site
        cache.set(HOSTS_KEY, table, HOSTS_SECONDS)
    return site


def forget_sites() -> None:
    """Drop the table (a Site was added, changed or deleted)."""
    cache.delete(HOSTS_KEY)


class SiteMiddleware:
    """Looks up the request's site in the cached table, for Wagtail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not hasattr(request, "_wagtail_site"):
            # As Wagtail's own lookup: the raw host, because ALLOWED_HOSTS was checked above.
            hostname = split_domain_port(request._get_raw_host())[0]
            request._wagtail_site = site_for_host(hostname, request.get_port())
        return self.get_response(request)
