"""Turns :mod:`hearthside.demo.content` into a live Wagtail site.

The tree is built in two passes. The first creates every page with the
fields that stand alone; the second fills in what points at other pages
(calls to action, related pages, the home page's featured items), so content
can link anywhere without caring about build order. Then every page is
published through a revision, back-dated to its day in the content.
"""

from __future__ import annotations

import datetime
import io
from urllib.parse import urlsplit
from itertools import groupby

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Collection, Page, Revision, Site
from wagtail.rich_text import RichText
from wagtail.search import index
from wagtail.utils.file import hash_filelike

from hearthside.demo import content
from hearthside.demo.images import draw_illustration, draw_logo
from hearthside.extending import hooks
from hearthside.models import (
    ArticlePage,
    ArticleRelatedPage,
    HomePage,
    OfferPage,
    SectionIndexPage,
    SiteBranding,
    StandardPage,
)

# The page Wagtail's first migration makes the site root; the demo replaces it.
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"
# Demo images live in their own collection so a reset can remove exactly them.
DEMO_COLLECTION_NAME = "Copper Kettle demo"
# The hour of the morning back-dated pages went live.
PUBLISHING_TIME = datetime.time(8, 30)


def find_demo_home() -> HomePage | None:
    return HomePage.objects.filter(depth=2, slug=content.HOME.slug).first()


def remove_demo(home: HomePage) -> None:
    """Delete the demo's pages and images; sites rooted at it fall back to the tree root."""
    tree_root = Page.get_first_root_node()
    for site in Site.objects.filter(root_page=home):
        # Site.root_page cascades: deleting the page would delete the site.
        site.root_page = tree_root
        site.save()
    home.delete()
    collection = Collection.objects.filter(name=DEMO_COLLECTION_NAME).first()
    if collection is not None:
        get_image_model().objects.filter(collection=collection).delete()
        collection.delete()


def build_demo(site: Site) -> HomePage:
    """Build the Copper Kettle site and make its home page ``site``'s root."""
    return DemoBuilder().build(site)


class DemoBuilder:
    def __init__(self):
        self.today = timezone.localdate()
        self.collection = Collection.get_first_root_node().add_child(name=DEMO_COLLECTION_NAME)
        self.images: dict[str, AbstractImage] = {}
        self.pages: dict[str, Page] = {}
        self.published_days_ago: dict[str, int] = {}

    def build(self, site: Site) -> HomePage:
        home = self.create_pages()
        self.link_pages()
        for slug, page in self.pages.items():
            self.publish(page, self.published_days_ago[slug])
        self.make_site_root(site, home)
        self.fill_branding(site)
        self.update_search_index()
        # Plugins add their demo data (comments, members...) to the finished site.
        hooks.demo_content_loaded.send(site, pages={slug: page.specific for slug, page in self.pages.items()})
        return home

    # First pass: every page, without links to other pages.

    def create_pages(self) -> HomePage:
        home_content = content.HOME
        home = self.add(
            Page.get_first_root_node(),
            HomePage(
                title=home_content.title,
                slug=home_content.slug,
                hero_title=home_content.hero_title,
                hero_text=home_content.hero_text,
                hero_cta_label=home_content.hero_cta_label,
                search_description=home_content.hero_text,
                feature_image=self.image(home_content.illustration),
            ),
            content.SITE_LAUNCHED_DAYS_AGO,
        )
        for section in content.SECTIONS:
            section_page = self.add(
                home,
                SectionIndexPage(
                    title=section.title,
                    slug=section.slug,
                    intro=f"<p>{escape(section.intro)}</p>",
                    feature_image=self.image(section.illustration),
                    show_in_menus=True,
                ),
                content.SITE_LAUNCHED_DAYS_AGO,
            )
            for article in section.articles:
                self.add_article(section_page, article)
        for info in content.INFO_PAGES:
            self.add(
                home,
                StandardPage(
                    title=info.title,
                    slug=info.slug,
                    intro=info.intro,
                    feature_image=self.image(info.illustration),
                    show_in_menus=True,
                ),
                content.SITE_LAUNCHED_DAYS_AGO,
            )
        offer = content.LOYALTY_WEEK
        self.add(
            home,
            OfferPage(
                title=offer.title,
                slug=offer.slug,
                summary=offer.summary,
                price_text=offer.price_text,
                valid_until=self.today + datetime.timedelta(days=offer.valid_for_days),
                cta_label=offer.cta_label,
                terms=offer.terms,
                feature_image=self.image(offer.illustration),
            ),
            content.OFFER_PUBLISHED_DAYS_AGO,
        )
        return home

    def add_article(self, section_page: SectionIndexPage, article: content.Article) -> None:
        unknown_tags = set(article.tags) - set(content.TAGS)
        if unknown_tags:
            raise ValueError(f"{article.slug}: tags {sorted(unknown_tags)} are not in content.TAGS")
        page = ArticlePage(
            title=article.title,
            slug=article.slug,
            summary=article.summary,
            author_name=article.author,
            date=self.today - datetime.timedelta(days=article.days_ago),
            feature_image=self.image(article.illustration),
            # A body is required, so the first pass gives it its words and
            # pictures; calls to action join it in the second pass.
            body=self.stream(block for block in article.body if not isinstance(block, content.CallToAction)),
        )
        self.add(section_page, page, article.days_ago)
        page.tags.add(*article.tags)

    def add(self, parent: Page, page: Page, days_ago: int) -> Page:
        page.live = False
        parent.add_child(instance=page)
        self.pages[page.slug] = page
        self.published_days_ago[page.slug] = days_ago
        return page

    # Second pass: links between pages.

    def link_pages(self) -> None:
        home_content = content.HOME
        home = self.pages[home_content.slug]
        home.hero_cta_page = self.pages[home_content.hero_cta_page]
        home.featured_section = self.pages[home_content.featured_section]
        home.featured_offer = self.pages[home_content.featured_offer]
        home.body = self.stream(home_content.body)
        for info in content.INFO_PAGES:
            self.pages[info.slug].body = self.stream(info.body)
        offer = content.LOYALTY_WEEK
        self.pages[offer.slug].cta_page = self.pages[offer.cta_page]
        self.pages[offer.slug].body = self.stream(offer.body)
        for section in content.SECTIONS:
            for article in section.articles:
                page = self.pages[article.slug]
                page.body = self.stream(article.body)
                page.related_links = [
                    ArticleRelatedPage(page=self.pages[slug], sort_order=order)
                    for order, slug in enumerate(article.related)
                ]

    def stream(self, blocks) -> list[tuple[str, object]]:
        """StreamField data for content blocks; runs of paragraphs and lists
        become one rich-text block, as an editor would write them."""
        stream = []
        for is_text, run in groupby(
            blocks, key=lambda block: isinstance(block, content.Paragraph | content.Bullets)
        ):
            if is_text:
                stream.append(("paragraph", RichText("".join(rich_text_html(block) for block in run))))
            else:
                stream.extend(self.stream_block(block) for block in run)
        return stream

    def stream_block(self, block: content.Block) -> tuple[str, object]:
        match block:
            case content.Heading(text):
                return ("heading", text)
            case content.Picture(illustration, caption):
                return (
                    "image",
                    {
                        "image": self.image(illustration),
                        "caption": caption,
                        "alt_text": illustration.alt_text,
                    },
                )
            case content.Quote(text, attribution):
                return ("quote", {"quote": text, "attribution": attribution})
            case content.CallToAction(title, text, button_label, slug):
                return (
                    "call_to_action",
                    {
                        "title": title,
                        "text": text,
                        "button_label": button_label,
                        "page": self.pages[slug],
                        "url": "",
                    },
                )
        raise TypeError(f"No stream block for {block!r}")

    # Publishing and the site around the pages.

    def publish(self, page: Page, days_ago: int) -> None:
        revision = page.save_revision()
        revision.publish()
        # publish() stamps the current time; back-date the page and its
        # revision so listings, feeds and the admin history read naturally.
        moment = timezone.make_aware(
            datetime.datetime.combine(self.today - datetime.timedelta(days=days_ago), PUBLISHING_TIME)
        )
        Page.objects.filter(pk=page.pk).update(
            first_published_at=moment, last_published_at=moment, latest_revision_created_at=moment
        )
        Revision.objects.filter(pk=revision.pk).update(created_at=moment)

    def make_site_root(self, site: Site, home: HomePage) -> None:
        site.root_page = home
        site.site_name = content.BRANDING.brand_name
        if (site.hostname, site.port) == ("localhost", 80):
            # Emailed links are built on the site's root URL: have Wagtail's
            # untouched default site answer where `make run` serves.
            served = urlsplit(settings.WAGTAILADMIN_BASE_URL)
            if served.hostname:
                site.hostname = served.hostname
                site.port = served.port or (443 if served.scheme == "https" else 80)
        site.save()
        # Only Wagtail's untouched placeholder goes, and only once no site uses it.
        welcome_pages = Page.objects.filter(
            depth=2, title=WAGTAIL_WELCOME_TITLE, content_type=ContentType.objects.get_for_model(Page)
        )
        for page in welcome_pages.filter(sites_rooted_here__isnull=True):
            page.delete()

    def fill_branding(self, site: Site) -> None:
        branding = SiteBranding.for_site(site)
        facts = content.BRANDING
        branding.brand_name = facts.brand_name
        branding.tagline = facts.tagline
        branding.email = facts.email
        branding.phone = facts.phone
        branding.address = facts.address
        branding.opening_hours = facts.opening_hours
        branding.facebook_url = facts.facebook_url
        branding.instagram_url = facts.instagram_url
        branding.mastodon_url = facts.mastodon_url
        branding.theme = facts.theme
        branding.logo = self.store_image(
            content.LOGO_TITLE, "copper-kettle-logo.png", draw_logo(), content.LOGO_TITLE
        )
        branding.save()

    def update_search_index(self) -> None:
        # Saving queues index updates as background tasks; a fresh demo
        # should be searchable before any worker has run.
        for page in Page.objects.descendant_of(self.pages[content.HOME.slug], inclusive=True).specific():
            index.insert_or_update_object(page)
        for image in get_image_model().objects.filter(collection=self.collection):
            index.insert_or_update_object(image)

    # Images.

    def image(self, illustration: content.Illustration) -> AbstractImage:
        if illustration.name not in self.images:
            data = draw_illustration(illustration.name, illustration.motif, illustration.palette)
            self.images[illustration.name] = self.store_image(
                illustration.alt_text.rstrip("."), f"{illustration.name}.jpg", data, illustration.alt_text
            )
        return self.images[illustration.name]

    def store_image(self, title: str, filename: str, data: bytes, description: str) -> AbstractImage:
        buffer = io.BytesIO(data)
        image = get_image_model()(
            title=title,
            description=description,
            collection=self.collection,
            file=ImageFile(buffer, name=filename),
            file_size=len(data),
            file_hash=hash_filelike(buffer),
        )
        image.save()
        return image


def rich_text_html(block: content.Paragraph | content.Bullets) -> str:
    match block:
        case content.Paragraph(text):
            return f"<p>{escape(text)}</p>"
        case content.Bullets(items):
            return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
    raise TypeError(f"Not rich text: {block!r}")
