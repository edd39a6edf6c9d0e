"""What the syndication plugin adds to themes: feed autodiscovery.

Every page's ``<head>`` gets ``<link rel="alternate">`` to the site's RSS
and Atom feeds, and a section index page also to its own section's feeds,
so a browser or feed reader given the page's address finds them. The
pages API returns the same list under ``meta.slots["site.head"]``. It costs
no query on most pages, and one on a section index (is it private?).
"""
from __future__ import annotations

from wagtail.models import Page, Site

from hearthside.extending import slots

from .feeds import ATOM_TYPE, RSS_TYPE, feed_urls


def _feed_links(urls: dict, title: str) -> list[dict]:
    return [
        {"type": RSS_TYPE, "title": f"{title} (RSS)", "href": urls["rss"]},
        {"type": ATOM_TYPE, "title": f"{title} (Atom)", "href": urls["atom"]},
    ]


def _public_section(page) -> bool:
    from hearthside.models import SectionIndexPage

    return (
        isinstance(page, SectionIndexPage)
        and page.live
        # The section's feed answers 404 while the section is private: do not point at it.
        and not page.get_view_restrictions().exists()
    )


@slots.site_head.contribute(priority=50)
class FeedLinks(slots.SlotComponent):
    """``<link rel="alternate">`` to the feeds that fit the page."""

    template_name = "syndication/feed_links.html"

    def data(self, request, page=None, **kwargs):
        site = Site.find_for_request(request)
        if site is None:
            return None
        name = site.site_name or site.hostname
        feeds = _feed_links(feed_urls(site, "feed"), name)
        if isinstance(page, Page) and _public_section(page):
            feeds += _feed_links(feed_urls(site, "section-feed", page.pk), f"{page.title} – {name}")
        return {"feeds": feeds}
