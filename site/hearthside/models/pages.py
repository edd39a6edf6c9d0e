"""The page types a small business's site is built from.

Each page's template is a theme template (``pages/<type>.html``), looked up
through the active theme's chain. Articles and offers can also go out as
newsletters (hearthside.newsletters: the editor's "Newsletter" tab).
"""
from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page
from wagtail.search import index

from hearthside.blocks import BodyField
from hearthside.extending import hooks
from hearthside.newsletters import NewsletterPage

# Rendition specs used for cards and heroes; fetched together with the
# images they belong to, so listings do not query once per card.
CARD_IMAGE_SPEC = "fill-640x400"
HERO_IMAGE_SPEC = "fill-1600x700"
SOCIAL_IMAGE_SPEC = "fill-1200x630"


def images_with_renditions():
    return get_image_model().objects.prefetch_renditions(
        CARD_IMAGE_SPEC, HERO_IMAGE_SPEC, SOCIAL_IMAGE_SPEC
    )


class ThemedPage(Page):
    """Base for Hearthside page types: theme template and plugin context."""

    feature_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        return hooks.page_context.apply(self.get_site(), context, page=self, request=request)

    @property
    def social_image(self):
        return self.feature_image

    @classmethod
    def can_create_at(cls, parent):
        # A plugin's page type is offered only where the plugin is active: the
        # gate stops its pages being served, this stops editors adding them.
        from hearthside.extending.activation import is_active
        from hearthside.extending.plugins import plugin_for_module

        plugin = plugin_for_module(cls.__module__)
        if plugin is not None and not is_active(parent.get_site(), plugin.label):
            return False
        return super().can_create_at(parent)

    @classmethod
    def clean_subpage_models(cls):
        # The core's subpage_types cannot name plugins' page types (a plugin may
        # be excluded); a plugin's page type names the core pages it goes under
        # in its parent_page_types, and that is enough.
        if cls._clean_subpage_models is None:
            models = list(super().clean_subpage_models())
            models += [model for model in plugin_page_models() if model not in models and cls in named_parents(model)]
            cls._clean_subpage_models = models
        return cls._clean_subpage_models


def plugin_page_models() -> list[type[Page]]:
    from wagtail.models import get_page_models

    from hearthside.extending.plugins import plugin_for_module

    return [model for model in get_page_models() if plugin_for_module(model.__module__) is not None]


def named_parents(model) -> list[type[Page]]:
    """The parent page types ``model`` names; none if it names none (any parent)."""
    return model.clean_parent_page_models() if getattr(model, "parent_page_types", None) is not None else []


class HomePage(ThemedPage):
    template = "pages/home_page.html"

    hero_title = models.CharField(max_length=120, blank=True)
    hero_text = models.TextField(blank=True, max_length=400)
    hero_cta_label = models.CharField("Hero button label", max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    featured_section = models.ForeignKey(
        "hearthside.SectionIndexPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Its latest articles are shown on the home page.",
    )
    featured_offer = models.ForeignKey(
        "hearthside.OfferPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = BodyField(blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("feature_image", heading="Hero image"),
                FieldPanel("hero_cta_label"),
                PageChooserPanel("hero_cta_page"),
            ],
            "Hero",
        ),
        PageChooserPanel("featured_section", "hearthside.SectionIndexPage"),
        PageChooserPanel("featured_offer", "hearthside.OfferPage"),
        FieldPanel("body"),
    ]
    api_fields = [
        APIField("hero_title"),
        APIField("hero_text"),
        APIField("hero_cta_label"),
        APIField("hero_cta_page"),
        APIField("feature_image"),
        APIField("featured_section"),
        APIField("featured_offer"),
        APIField("body"),
    ]
    subpage_types = [
        "hearthside.SectionIndexPage",
        "hearthside.OfferPage",
        "hearthside.StandardPage",
    ]
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        latest = list(self.featured_section.articles()[:3]) if self.featured_section_id else []
        context["latest_articles"] = hooks.listing_pages.apply(self.get_site(), latest, request=request)
        return context


class SectionIndexPage(ThemedPage):
    """A list of articles: the blog, news or how-tos."""

    template = "pages/section_index_page.html"

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    per_page = models.PositiveSmallIntegerField(default=9)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("feature_image"),
        FieldPanel("per_page"),
    ]
    api_fields = [APIField("intro"), APIField("feature_image"), APIField("per_page")]
    subpage_types = ["hearthside.ArticlePage"]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    def articles(self, tag: str | None = None):
        """Live, public articles in this section, newest first, ready for cards."""
        queryset = (
            ArticlePage.objects.live()
            .public()
            .child_of(self)
            .prefetch_related(
                Prefetch("feature_image", queryset=images_with_renditions()),
                "tags",
            )
            .order_by("-first_published_at", "-pk")
        )
        if tag:
            queryset = queryset.filter(tags__slug=tag)
        return queryset

    def tags_in_use(self):
        return (
            Tag.objects.filter(
                hearthside_articlepagetag_items__content_object__in=ArticlePage.objects.live()
                .public()
                .child_of(self)
            )
            .distinct()
            .order_by("name")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag = request.GET.get("tag") or None
        paginator = Paginator(self.articles(tag), max(self.per_page, 1))
        try:
            articles = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            articles = paginator.page(1)
        except EmptyPage:
            articles = paginator.page(paginator.num_pages)
        articles.object_list = hooks.listing_pages.apply(
            self.get_site(), list(articles.object_list), request=request
        )
        context.update(articles=articles, current_tag=tag, tags=self.tags_in_use())
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "hearthside.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(NewsletterPage, ThemedPage):
    template = "pages/article_page.html"

    summary = models.TextField(max_length=500, help_text="One or two sentences for listings and feeds.")
    date = models.DateField("Article date", default=timezone.localdate)
    author_name = models.CharField(max_length=100, blank=True)
    body = BodyField()
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("feature_image"),
        MultiFieldPanel([FieldPanel("date"), FieldPanel("author_name"), FieldPanel("tags")], "About"),
        FieldPanel("body"),
        InlinePanel("related_links", label="Related pages", max_num=6),
    ]
    api_fields = [
        APIField("summary"),
        APIField("date"),
        APIField("author_name"),
        APIField("feature_image"),
        APIField(
            "feature_image_card",
            serializer=ImageRenditionField(CARD_IMAGE_SPEC, source="feature_image"),
        ),
        APIField("tags"),
        APIField("body"),
        APIField("related_links"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["hearthside.SectionIndexPage"]
    subpage_types: list[str] = []

    def related_pages(self):
        """Live, public related pages, specific and with their images, in the
        editor's order: a fixed number of queries however many there are."""
        links = list(self.related_links.all())
        page_ids = [link.page_id for link in links]
        pages = {
            page.pk: page
            for page in Page.objects.live().public().filter(pk__in=page_ids).specific(defer=False)
        }
        ordered = [pages[pk] for pk in page_ids if pk in pages]
        image_ids = {getattr(p, "feature_image_id", None) for p in ordered} - {None}
        images = images_with_renditions().in_bulk(image_ids)
        for page in ordered:
            if getattr(page, "feature_image_id", None):
                page.feature_image = images.get(page.feature_image_id)
        return ordered

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_pages"] = self.related_pages()
        context["article_tags"] = list(self.tags.all())
        return context


class ArticleRelatedPage(Orderable):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page")]
    api_fields = [APIField("page")]


class OfferPage(NewsletterPage, ThemedPage):
    """A landing page for one offer."""

    template = "pages/offer_page.html"

    summary = models.TextField(max_length=500)
    price_text = models.CharField(max_length=80, blank=True, help_text="e.g. “2 for £5”")
    valid_until = models.DateField(null=True, blank=True)
    cta_label = models.CharField("Button label", max_length=60, default="Claim this offer")
    cta_url = models.URLField("Button link", blank=True)
    cta_page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    terms = models.TextField(blank=True)
    body = BodyField(blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("feature_image"),
        MultiFieldPanel(
            [
                FieldPanel("price_text"),
                FieldPanel("valid_until"),
                FieldPanel("cta_label"),
                PageChooserPanel("cta_page"),
                FieldPanel("cta_url"),
            ],
            "Offer",
        ),
        FieldPanel("body"),
        FieldPanel("terms"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("price_text"),
        APIField("valid_until"),
        APIField("is_expired"),
        APIField("cta_label"),
        APIField("cta_link"),
        APIField("feature_image"),
        APIField("body"),
        APIField("terms"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    subpage_types: list[str] = []

    @property
    def is_expired(self) -> bool:
        return bool(self.valid_until and self.valid_until < timezone.localdate())

    @property
    def cta_link(self) -> str:
        if self.cta_page_id and self.cta_page.live:
            return self.cta_page.url
        return self.cta_url


class StandardPage(ThemedPage):
    """About us, contact, opening hours: a plain page."""

    template = "pages/standard_page.html"

    intro = models.TextField(blank=True, max_length=500)
    body = BodyField(blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("feature_image"),
        FieldPanel("body"),
    ]
    api_fields = [APIField("intro"), APIField("feature_image"), APIField("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["hearthside.StandardPage"]
