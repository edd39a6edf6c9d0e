"""RSS and Atom feeds of the latest approved comments, site-wide and per page.

Every link is absolute and built from the request's Wagtail Site. Django's
syndication framework would prefix relative links with the
django.contrib.sites domain (a placeholder row that django-comments needs),
so every method here returns full URLs and that domain never shows.

A feed costs the same few queries however many comments it lists: the
comments come with their page in one query, and page URLs come from
Wagtail's cached site root paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from wagtail.models import Page, Site

from hearthside.usertext import render_markdown

from .models import CommentState, PageComment
from .pages import accepts_comments

FEED_LENGTH = 30
# What XML 1.0 cannot hold: Django's feed writer fails on it, so one visitor's
# pasted control character would break the feed for everyone.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    return NOT_IN_XML.sub("", text)


@dataclass(frozen=True)
class FeedSource:
    """What one request's feed is about: a site, and a page of it or None."""

    site: Site
    feed_url: str
    page: Page | None = None

    @property
    def site_name(self) -> str:
        return self.site.site_name or self.site.hostname


def _request_site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is configured for this address.")
    return site


def _feed_url(site, request) -> str:
    # The feed's own address on the Wagtail site, never on the
    # django.contrib.sites placeholder.
    return f"{site.root_url}{request.path}"


def _shown_on_page(approved) -> list[PageComment]:
    """The newest FEED_LENGTH of ``approved`` that their page shows too: a
    reply under a comment a moderator hid is hidden with it (threads.py).
    Two queries, however many comments."""
    candidates = list(
        approved.select_related("page", "wagtail_site").order_by("-submit_date", "-pk")[: FEED_LENGTH * 2]
    )
    replies = [comment for comment in candidates if comment.level > 0]
    if not replies:
        return candidates[:FEED_LENGTH]
    in_threads = {
        pk: (parent_id, state)
        for pk, parent_id, state in PageComment.objects.filter(
            thread_id__in={comment.thread_id for comment in replies}
        ).values_list("pk", "parent_id", "state")
    }

    def ancestors_visible(comment) -> bool:
        current, seen = comment.parent_id, {comment.pk}
        while current not in seen:
            seen.add(current)
            parent_id, state = in_threads.get(current, (current, None))
            if state != CommentState.APPROVED:
                return False
            current = parent_id
        return True

    return [comment for comment in candidates if comment.level == 0 or ancestors_visible(comment)][
        :FEED_LENGTH
    ]


class SiteCommentsRSSFeed(Feed):
    """The newest approved comments on every public page of the site."""

    def get_object(self, request, *args, **kwargs) -> FeedSource:
        site = _request_site(request)
        return FeedSource(site=site, feed_url=_feed_url(site, request))

    def title(self, source: FeedSource) -> str:
        return f"Comments on {source.site_name}"

    def description(self, source: FeedSource) -> str:
        return f"The latest comments from the conversation on {source.site_name}."

    def link(self, source: FeedSource) -> str:
        return f"{source.site.root_url}/"

    def feed_url(self, source: FeedSource) -> str:
        return source.feed_url

    def visible_pages(self, source: FeedSource):
        """Pages whose comments may be listed: live, public and on the site."""
        return Page.objects.live().public().in_site(source.site)

    def comments(self, source: FeedSource):
        return (
            PageComment.objects.approved()
            .on_site(source.site)
            .filter(page__in=self.visible_pages(source).values("pk"))
        )

    def items(self, source: FeedSource):
        return _shown_on_page(self.comments(source))

    def item_title(self, comment: PageComment) -> str:
        return _xml_text(f"{comment.user_name or 'Someone'} on {comment.page.title}")

    def item_description(self, comment: PageComment) -> str:
        # The feed generator escapes this for the XML; readers render it as HTML.
        return _xml_text(str(render_markdown(comment.comment)))

    def item_link(self, comment: PageComment) -> str:
        return comment.get_full_url()

    def item_guid(self, comment: PageComment) -> str:
        # A tag URI: stays the same when the page moves or is renamed, unlike its link.
        return f"tag:{comment.wagtail_site.hostname},{comment.submit_date:%Y-%m-%d}:comment-{comment.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, comment: PageComment):
        return comment.submit_date

    def item_updateddate(self, comment: PageComment):
        # Atom requires <updated> on every entry; comments are never edited.
        return comment.submit_date

    def item_author_name(self, comment: PageComment) -> str:
        # The name only: a commenter's email is never published.
        return _xml_text(comment.user_name or "Someone")


class SiteCommentsAtomFeed(SiteCommentsRSSFeed):
    feed_type = Atom1Feed
    subtitle = SiteCommentsRSSFeed.description


class PageCommentsRSSFeed(SiteCommentsRSSFeed):
    """The newest approved comments on one page. 404 unless the page is live,
    public, on the request's site and of a type that takes comments."""

    def get_object(self, request, page_id, *args, **kwargs) -> FeedSource:
        site = _request_site(request)
        page = Page.objects.live().public().in_site(site).filter(pk=page_id).first()
        if page is None or not accepts_comments(page.specific_class):
            raise Http404("This page has no comment feed.")
        return FeedSource(site=site, feed_url=_feed_url(site, request), page=page)

    def title(self, source: FeedSource) -> str:
        return f"Comments on “{source.page.title}” – {source.site_name}"

    def description(self, source: FeedSource) -> str:
        return f"The latest comments on “{source.page.title}”."

    def link(self, source: FeedSource) -> str:
        return source.page.full_url

    def comments(self, source: FeedSource):
        return PageComment.objects.approved().on_page(source.page)


class PageCommentsAtomFeed(PageCommentsRSSFeed):
    feed_type = Atom1Feed
    subtitle = PageCommentsRSSFeed.description
