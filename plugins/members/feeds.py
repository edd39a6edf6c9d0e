"""A member's private RSS feed: the latest pages of the topics they follow.

The feed's address carries the member's secret ``feed_key``; it answers
404 for an unknown key or a member not on the RSS channel, is never cached
by anyone but the reader (``Cache-Control: private, no-store``) and asks
search engines to stay out (``X-Robots-Tag: noindex``).

Which pages: live, public pages of the member's site that belong to one
of their topics (a topic's section: the pages under it; a topic's tag: the
articles with that tag). A member who follows no topic gets everything:
every article and offer.

Every link is absolute on the Wagtail site (never on the django.contrib.sites
placeholder), as in the comments plugin's feeds. A feed costs the same few
queries however many pages it lists.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from wagtail.models import Page, Site

from .models import Member

FEED_LENGTH = 30


@dataclass(frozen=True)
class FeedSource:
    site: Site
    member: Member
    topics: tuple
    feed_url: str
    request: object

    @property
    def site_name(self) -> str:
        return self.site.site_name or self.site.hostname


def topic_pages(site, topics):
    """Live, public pages of ``site`` in any of ``topics``; every article
    and offer if there are none."""
    from hearthside.models import ArticlePage, ArticlePageTag, OfferPage

    pages = Page.objects.live().public().in_site(site)
    if not topics:
        return pages.type(ArticlePage, OfferPage)
    belongs = Q(pk__in=[])
    for topic in topics:
        if topic.section_id is not None:
            section = topic.section
            belongs |= Q(path__startswith=section.path, depth__gt=section.depth)
    tag_ids = [topic.tag_id for topic in topics if topic.tag_id is not None]
    if tag_ids:
        belongs |= Q(pk__in=ArticlePageTag.objects.filter(tag_id__in=tag_ids).values("content_object_id"))
    return pages.filter(belongs)


class MemberFeed(Feed):
    """RSS 2.0: the newest FEED_LENGTH pages for one member."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        add_never_cache_headers(response)
        return response

    def get_object(self, request, feed_key, *args, **kwargs) -> FeedSource:
        site = Site.find_for_request(request)
        if site is None:
            raise Http404("No site is set up for this address.")
        member = (
            Member.objects.filter(site=site, feed_key=feed_key, subscriptions__channel="rss")
            .select_related("site")
            .first()
        )
        if member is None:
            raise Http404("There is no such feed.")
        topics = tuple(member.topics.select_related("section"))
        return FeedSource(
            site=site, member=member, topics=topics, feed_url=f"{site.root_url}{request.path}", request=request
        )

    def title(self, source: FeedSource) -> str:
        return f"What's new from {source.site_name}"

    def description(self, source: FeedSource) -> str:
        if source.topics:
            names = ", ".join(topic.name for topic in source.topics)
            return f"Your private feed of {source.site_name}: {names}."
        return f"Your private feed of everything new from {source.site_name}."

    def link(self, source: FeedSource) -> str:
        return f"{source.site.root_url}/"

    def feed_url(self, source: FeedSource) -> str:
        return source.feed_url

    def items(self, source: FeedSource):
        pages = list(
            topic_pages(source.site, source.topics)
            .order_by("-first_published_at", "-pk")
            .specific()[:FEED_LENGTH]
        )
        for page in pages:
            page.feed_link = page.get_full_url(source.request)
        return pages

    def item_title(self, page) -> str:
        return page.title

    def item_description(self, page) -> str:
        # Plain text; the feed generator escapes it for the XML.
        return getattr(page, "summary", "") or page.search_description or ""

    def item_link(self, page) -> str:
        return page.feed_link

    def item_guid(self, page) -> str:
        # A tag URI: stays the same when the page moves or is renamed, unlike its link.
        published = page.first_published_at
        day = published.strftime("%Y-%m-%d") if published else "2000-01-01"
        hostname = page.feed_link.split("/")[2].split(":")[0] if "//" in page.feed_link else "localhost"
        return f"tag:{hostname},{day}:page-{page.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, page):
        return page.first_published_at

    def item_updateddate(self, page):
        return page.last_published_at or page.first_published_at

    def item_author_name(self, page) -> str:
        return getattr(page, "author_name", "") or ""
