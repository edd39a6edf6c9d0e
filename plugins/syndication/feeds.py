"""The site's public RSS 2.0 and Atom feeds: the whole site, each section and
each tag.

Which pages: live, public pages of the request's site whose type is
syndicated (pages.py), newest first by first publication; a section's feed
holds the pages under it, a tag's feed the articles carrying it. Each item
carries its summary, and, when the site's ``full_content_feeds`` setting is
on, the page's rendered body (``content:encoded`` in RSS, ``content`` in
Atom) with every link and image made absolute. A page's feature image is
the item's enclosure. When the site names a WebSub hub, the feed links to
it (``rel="hub"``) next to its own address (``rel="self"``).

Every link is absolute on the Wagtail site, never on the django.contrib.sites
placeholder, as in the comments plugin's feeds.

Rendered feeds are kept in the cache under a per-site version that
:func:`invalidate_feeds` bumps (on every publish and unpublish, and when the
site's plugin settings change; receivers.py), so a feed is built once per
change. The version is the time of the last change: it is the feed's
Last-Modified, and the ETag is a hash of the feed's bytes; a reader that
sends either back gets 304 Not Modified while nothing changed.

Building a feed costs the same few queries however many pages it lists:
the pages' specific rows, their feature images with renditions, their tags,
and the images and pages their bodies refer to each come in one query for
all pages (StreamBlock.bulk_to_python), not one per page. Only what Wagtail
resolves inside rich text (links to pages and documents) is looked up per
paragraph that has such links.
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import http_date, quote_etag
from taggit.models import Tag
from wagtail.blocks import StreamValue
from wagtail.models import Page, Site, get_page_models

from hearthside import pagecache
from hearthside.extending.gate import page_types_of_inactive_plugins
from hearthside.pagecache import cache_for_anonymous
from hearthside.themes.current import current_theme_name

from .config import settings_for
from .pages import is_syndicated

logger = logging.getLogger(__name__)

FEED_LENGTH = 50
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


# -- The per-site version: what invalidates every cached feed of a site ------


def _version_key(site_id: int) -> str:
    return f"syndication:feeds:version:{site_id}"


def invalidate_feeds(site) -> None:
    """Forget every cached feed of ``site`` (a Site or its id): the next
    request builds them anew, with a new Last-Modified."""
    site_id = getattr(site, "pk", site)
    key = _version_key(site_id)
    # Strictly increasing, so two changes within one clock tick still differ.
    previous = cache.get(key) or 0
    cache.set(key, max(time.time_ns(), previous + 1), None)
    # The page cache's copies of the feeds go too.
    pagecache.purge()


def feeds_version(site) -> int:
    """The current version of ``site``'s feeds: nanoseconds since the epoch
    at their last change (or when the cache last lost track of it, which
    only makes readers fetch once more)."""
    key = _version_key(site.pk)
    version = cache.get(key)
    if version is None:
        # add(): of two requests that find no version, both use the first one stored.
        cache.add(key, time.time_ns(), None)
        version = cache.get(key) or time.time_ns()
    return version


def _cache_seconds() -> int:
    return getattr(settings, "SYNDICATION_FEED_CACHE_SECONDS", 24 * 60 * 60)


@dataclass(frozen=True)
class RenderedFeed:
    """A feed's bytes as kept in the cache."""

    content: bytes
    content_type: str

    @property
    def etag(self) -> str:
        return quote_etag(hashlib.sha256(self.content).hexdigest()[:32])

    def response(self, request, last_modified: int) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(last_modified)
        # A 304 (If-None-Match, or If-Modified-Since) or 412; else the feed itself.
        return get_conditional_response(
            request, etag=self.etag, last_modified=last_modified, response=response
        )


# -- Feed generators: Django's, plus full content and the WebSub hub ---------


class ContentRssFeed(Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded`` for full content and an
    ``atom:link rel="hub"`` for WebSub."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NAMESPACE}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub_url"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub_url"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class ContentAtomFeed(Atom1Feed):
    """Atom with ``<content type="html">`` for full content and a
    ``<link rel="hub">`` for WebSub."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub_url"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub_url"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


# -- Which pages ---------------------------------------------------------------


def syndicated_page_models() -> list:
    return [model for model in get_page_models() if is_syndicated(model)]


def syndicated_pages(site):
    """Live, public pages of ``site`` whose type is syndicated (and not a page
    type of a plugin inactive there)."""
    pages = Page.objects.live().public().in_site(site)
    models = syndicated_page_models()
    if not models:
        return pages.none()
    content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False).values()
    pages = pages.filter(content_type__in=list(content_types))
    hidden = page_types_of_inactive_plugins(site)
    return pages.exclude(content_type__in=hidden) if hidden else pages


def _article_tag_model():
    from hearthside.models import ArticlePageTag

    return ArticlePageTag


def pages_tagged(site, tag):
    tagged = _article_tag_model().objects.filter(tag=tag).values("content_object_id")
    return syndicated_pages(site).filter(pk__in=tagged)


def live_section(site, page_id):
    """The live, public section index ``page_id`` of ``site``, or None."""
    from hearthside.models import SectionIndexPage

    return SectionIndexPage.objects.live().public().in_site(site).filter(pk=page_id).first()


def feed_urls(site, name: str, *args) -> dict[str, str]:
    """Absolute RSS and Atom addresses of one feed: ``name`` is ``feed``,
    ``section-feed`` or ``tag-feed``."""
    return {
        kind: f"{site.root_url}{reverse(f'syndication:{name}-{kind}', args=args)}"
        for kind in ("rss", "atom")
    }


# -- Making a page's HTML fit for a feed reader -------------------------------

_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_URL_ATTRIBUTE = re.compile(r"""(\s(?:href|src|poster)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_SRCSET = re.compile(r"""(\ssrcset\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def _absolute_srcset(value: str, base_url: str) -> str:
    candidates = []
    for candidate in value.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        if url:
            candidates.append(f"{urljoin(base_url, url)} {descriptor}".strip())
    return ", ".join(candidates)


def absolute_html(html: str, base_url: str) -> str:
    """``html`` with every link and image address inside its tags made
    absolute against ``base_url``: a reader shows the feed away from the site."""

    def fix_tag(match):
        tag = _URL_ATTRIBUTE.sub(
            lambda a: f"{a.group(1)}{a.group(2)}{urljoin(base_url, a.group(3).strip())}{a.group(2)}",
            match.group(0),
        )
        return _SRCSET.sub(
            lambda a: f"{a.group(1)}{a.group(2)}{_absolute_srcset(a.group(3), base_url)}{a.group(2)}", tag
        )

    return _TAG.sub(fix_tag, html)


def rendered_bodies(pages, request) -> dict[int, str]:
    """Each page's body HTML as its page shows it, by page id.

    The bodies of all pages are converted together (one query for all their
    images with renditions, one for all the pages their blocks choose)
    rather than one page at a time."""
    groups = defaultdict(list)
    for page in pages:
        body = getattr(page, "body", None)
        if isinstance(body, StreamValue) and len(body):
            groups[id(body.stream_block)].append(page)
    html = {}
    for group in groups.values():
        stream_block = group[0].body.stream_block
        values = stream_block.bulk_to_python([list(page.body.raw_data) for page in group])
        for page, value in zip(group, values):
            context = {"page": page, "self": page, "request": request}
            html[page.pk] = str(value.render_as_block(context=context))
    return html


def _enclosure_spec() -> str:
    from hearthside.models.pages import SOCIAL_IMAGE_SPEC

    return SOCIAL_IMAGE_SPEC


def enclosure_for(image, base_url: str) -> Enclosure | None:
    """The feature image as an enclosure: the share-sized rendition's address,
    size in bytes and type. None without an image or when its file is gone."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(_enclosure_spec())
        length = rendition.file.size
    except OSError:  # the original or the rendition is missing from storage
        logger.warning("Feature image %s has no readable file; its feed items go without it.", image.pk)
        return None
    mime_type = mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream"
    return Enclosure(urljoin(base_url, rendition.url), str(length), mime_type)


def _summary(page) -> str:
    return getattr(page, "summary", "") or getattr(page, "intro", "") or page.search_description or ""


# -- What one request's feed is about ----------------------------------------


@dataclass(frozen=True)
class FeedSource:
    site: Site
    request: object
    feed_url: str
    title: str
    description: str
    link: str
    pages: object  # a Page QuerySet
    full_content: bool
    hub_url: str


@dataclass(frozen=True)
class FeedEntry:
    """One item, with everything the feed generator asks for already at hand."""

    title: str
    link: str
    guid: str
    summary_html: str
    content_html: str
    published: object
    updated: object
    author_name: str
    enclosure: Enclosure | None
    categories: tuple = field(default_factory=tuple)


def build_entries(source: FeedSource) -> list[FeedEntry]:
    from hearthside.models.pages import images_with_renditions

    pages = list(source.pages.order_by("-first_published_at", "-pk").specific()[:FEED_LENGTH])
    image_ids = {getattr(page, "feature_image_id", None) for page in pages} - {None}
    images = images_with_renditions().in_bulk(image_ids) if image_ids else {}
    tags = defaultdict(list)
    for page_id, name in (
        _article_tag_model()
        .objects.filter(content_object_id__in=[page.pk for page in pages])
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    ):
        tags[page_id].append(name)
    bodies = rendered_bodies(pages, source.request) if source.full_content else {}
    root_url = source.site.root_url
    entries = []
    for page in pages:
        link = page.get_full_url(source.request) or f"{root_url}{page.url_path}"
        image = images.get(getattr(page, "feature_image_id", None))
        content = bodies.get(page.pk, "")
        entries.append(
            FeedEntry(
                title=page.title,
                link=link,
                # A tag URI: stays the same when the page moves or is renamed, unlike its link.
                guid=f"tag:{source.site.hostname},{page.first_published_at:%Y-%m-%d}:page-{page.pk}",
                # The summary is plain text; readers take descriptions as HTML.
                summary_html=escape(_summary(page)),
                content_html=absolute_html(content, link) if content else "",
                published=page.first_published_at,
                updated=page.last_published_at or page.first_published_at,
                author_name=getattr(page, "author_name", "") or "",
                enclosure=enclosure_for(image, root_url),
                categories=tuple(tags.get(page.pk, ())),
            )
        )
    return entries


def _request_site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is configured for this address.")
    return site


def _site_name(site) -> str:
    return site.site_name or site.hostname


def _cache_key(site, version: int, request) -> str:
    # The theme renders the bodies; a site that changes theme gets new feeds at once.
    where = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    return f"syndication:feed:{site.pk}:{version}:{current_theme_name()}:{where}"


# -- The feeds -------------------------------------------------------------------


class SiteRSSFeed(Feed):
    """RSS 2.0: the newest FEED_LENGTH syndicated pages of the whole site."""

    feed_type = ContentRssFeed
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        site = _request_site(request)
        version = feeds_version(site)
        key = _cache_key(site, version, request)
        rendered = cache.get(key)
        if rendered is None:
            response = super().__call__(request, *args, **kwargs)
            rendered = RenderedFeed(content=response.content, content_type=response["Content-Type"])
            cache.set(key, rendered, _cache_seconds())
        # The same bytes for every reader: the core's page cache may keep them
        # too, which answers the next readers before any of this runs.
        return cache_for_anonymous(rendered.response(request, last_modified=version // 1_000_000_000))

    def get_object(self, request, *args, **kwargs) -> FeedSource:
        site = _request_site(request)
        title, description, link, pages = self.scope(request, site, **kwargs)
        syndication = settings_for(site)
        return FeedSource(
            site=site,
            request=request,
            feed_url=f"{site.root_url}{request.path}",
            title=title,
            description=description,
            link=link,
            pages=pages,
            full_content=syndication.full_content_feeds,
            hub_url=syndication.websub_hub.strip(),
        )

    def scope(self, request, site, **kwargs):
        """(title, description, link, pages) of this feed; Http404 if there is none."""
        name = _site_name(site)
        return name, f"What's new from {name}.", f"{site.root_url}/", syndicated_pages(site)

    def title(self, source: FeedSource) -> str:
        return source.title

    def description(self, source: FeedSource) -> str:
        return source.description

    def link(self, source: FeedSource) -> str:
        return source.link

    def feed_url(self, source: FeedSource) -> str:
        return source.feed_url

    def author_name(self, source: FeedSource) -> str:
        # Atom wants an author for the feed when an entry has none.
        return _site_name(source.site)

    def feed_extra_kwargs(self, source: FeedSource) -> dict:
        return {"hub_url": source.hub_url}

    def items(self, source: FeedSource) -> list[FeedEntry]:
        return build_entries(source)

    def item_title(self, entry: FeedEntry) -> str:
        return entry.title

    def item_description(self, entry: FeedEntry) -> str:
        return entry.summary_html

    def item_link(self, entry: FeedEntry) -> str:
        return entry.link

    def item_guid(self, entry: FeedEntry) -> str:
        return entry.guid

    def item_pubdate(self, entry: FeedEntry):
        return entry.published

    def item_updateddate(self, entry: FeedEntry):
        return entry.updated

    def item_author_name(self, entry: FeedEntry) -> str | None:
        # None, not "": Atom would write an empty <name/>.
        return entry.author_name or None

    def item_categories(self, entry: FeedEntry):
        return entry.categories

    def item_enclosures(self, entry: FeedEntry):
        return [entry.enclosure] if entry.enclosure is not None else []

    def item_extra_kwargs(self, entry: FeedEntry) -> dict:
        return {"content_html": entry.content_html}


class SiteAtomFeed(SiteRSSFeed):
    feed_type = ContentAtomFeed
    subtitle = SiteRSSFeed.description


class SectionRSSFeed(SiteRSSFeed):
    """The newest pages under one section index. 404 unless the section is
    live, public and on the request's site."""

    def scope(self, request, site, page_id=None, **kwargs):
        section = live_section(site, page_id)
        if section is None:
            raise Http404("There is no such section.")
        name = _site_name(site)
        description = section.search_description or f"What's new in {section.title} from {name}."
        pages = syndicated_pages(site).descendant_of(section)
        return f"{section.title} – {name}", description, section.get_full_url(request), pages


class SectionAtomFeed(SectionRSSFeed):
    feed_type = ContentAtomFeed
    subtitle = SectionRSSFeed.description


class TagRSSFeed(SiteRSSFeed):
    """The newest articles with one tag. 404 unless a live, public page of
    the request's site carries it."""

    def scope(self, request, site, tag=None, **kwargs):
        found = Tag.objects.filter(slug=tag).first()
        pages = pages_tagged(site, found) if found is not None else None
        if pages is None or not pages.exists():
            raise Http404("There is no such topic.")
        name = _site_name(site)
        return (
            f"{found.name} – {name}",
            f"What's new about {found.name} from {name}.",
            f"{site.root_url}/",
            pages,
        )


class TagAtomFeed(TagRSSFeed):
    feed_type = ContentAtomFeed
    subtitle = TagRSSFeed.description
