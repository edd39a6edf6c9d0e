"""``manage.py load_demo``: the Copper Kettle site it promises, rendered."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from hearthside.demo import content, images
from hearthside.demo.builder import WAGTAIL_WELCOME_TITLE
from hearthside.models import ArticlePage, HomePage, OfferPage, SectionIndexPage, SiteBranding, StandardPage


def content_illustrations():
    articles = [article for section in content.SECTIONS for article in section.articles]
    for item in [content.HOME, content.LOYALTY_WEEK, *content.INFO_PAGES, *content.SECTIONS, *articles]:
        yield item.illustration
        body = getattr(item, "body", ())
        yield from (block.illustration for block in body if isinstance(block, content.Picture))


def test_each_illustration_name_means_one_drawing_that_exists():
    by_name = {}
    for illustration in content_illustrations():
        assert by_name.setdefault(illustration.name, illustration) == illustration
        assert illustration.motif in images.MOTIFS
        assert illustration.palette in images.PALETTES
    assert set(images.MOTIFS) == {illustration.motif for illustration in by_name.values()}


def test_illustrations_are_drawn_the_same_every_time():
    first = images.draw_illustration("a", "cup", "espresso")
    assert images.draw_illustration("a", "cup", "espresso") == first
    assert images.draw_illustration("b", "cup", "espresso") != first


def load_demo(*args):
    output = io.StringIO()
    call_command("load_demo", *args, stdout=output)
    return output.getvalue()


@pytest.fixture(scope="module")
def built_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the module (a build takes seconds) inside a
    transaction rolled back afterwards; each test's own changes roll back to
    a savepoint within it."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_site(built_demo, db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def journal(demo_site):
    return SectionIndexPage.objects.get(slug=content.JOURNAL)


def html(response):
    return response.content.decode()


def test_demo_home_page_replaces_wagtails_welcome_page_as_site_root(demo_site):
    home = demo_site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.live
    assert home.hero_title and home.hero_text and home.feature_image_id
    assert home.hero_cta_page.live
    assert home.featured_section.slug == content.JOURNAL
    assert home.featured_offer.live
    assert "call_to_action" in [block.block_type for block in home.body]
    assert not Page.objects.filter(title=WAGTAIL_WELCOME_TITLE).exists()


def test_demo_articles_are_live_illustrated_tagged_related_and_spread_over_months(demo_site):
    articles = list(ArticlePage.objects.live().descendant_of(demo_site.root_page))
    assert len(articles) >= 8
    assert SectionIndexPage.objects.get(slug=content.JOURNAL).get_children().live().count() >= 10
    for article in articles:
        assert article.feature_image_id, article.title
        assert article.summary and article.author_name
        assert 2 <= article.tags.count() <= 4, article.title
        assert set(article.tags.values_list("name", flat=True)) <= set(content.TAGS)
        assert 1 <= article.related_links.count() <= 3, article.title
        assert timezone.localdate(article.first_published_at) == article.date
    dates = sorted(article.date for article in articles)
    assert len(set(dates)) == len(dates)
    assert (dates[-1] - dates[0]).days > 90
    assert dates[-1] <= timezone.localdate()


def test_demo_pages_are_published_through_revisions(demo_site):
    pages = Page.objects.descendant_of(demo_site.root_page, inclusive=True)
    assert pages.count() == pages.filter(live=True, latest_revision__isnull=False).count()
    assert not pages.filter(first_published_at__isnull=True).exists()


def test_demo_article_bodies_use_the_rich_blocks_but_no_embeds(demo_site):
    block_types = set()
    for article in ArticlePage.objects.all():
        block_types.update(block.block_type for block in article.body)
    assert {"paragraph", "heading", "image", "quote", "call_to_action"} <= block_types
    assert "embed" not in block_types


def test_demo_offer_is_current_with_a_way_to_claim_it(demo_site):
    offer = OfferPage.objects.live().get()
    assert offer.price_text
    assert not offer.is_expired and offer.valid_until > timezone.localdate()
    assert offer.cta_link


def test_demo_has_about_and_visit_pages(demo_site):
    titles = set(StandardPage.objects.live().values_list("title", flat=True))
    assert {"About us", "Visit us"} <= titles


def test_demo_fills_site_branding(demo_site):
    branding = SiteBranding.for_site(demo_site)
    assert branding.brand_name == demo_site.site_name == "Copper Kettle Coffee & Bakery"
    assert branding.logo is not None
    assert branding.tagline and branding.email and branding.phone
    assert branding.address and branding.opening_hours
    assert len(branding.social_links) >= 2
    assert branding.theme == "hearth"


def test_demo_articles_are_in_the_search_index(demo_site):
    results = Page.objects.live().search("sourdough")
    assert "How we make our sourdough: a 36-hour loaf" in [page.title for page in results]


def test_demo_home_page_renders(client, demo_site):
    response = client.get("/")
    assert response.status_code == 200
    assert escape(content.HOME.hero_title) in html(response)


def test_demo_article_renders(client, demo_site):
    article = ArticlePage.objects.get(slug="how-we-make-our-sourdough")
    response = client.get(article.url)
    assert response.status_code == 200
    assert escape(article.title) in html(response)
    assert "Day one: feeding the starter" in html(response)


def test_demo_section_index_filters_by_tag(client, journal):
    response = client.get(journal.url, {"tag": "coffee"})
    assert response.status_code == 200
    listed = list(response.context["articles"])
    assert listed
    assert {article.pk for article in listed} == set(
        journal.articles(tag="coffee").values_list("pk", flat=True)
    )
    assert all("coffee" in article.tags.names() for article in listed)
    assert len(listed) < journal.get_children().count()
    assert escape(listed[0].title) in html(response)


def test_demo_section_index_second_page_lists_the_oldest_articles(client, journal):
    response = client.get(journal.url, {"page": 2})
    assert response.status_code == 200
    page = response.context["articles"]
    assert page.number == 2
    oldest = list(journal.articles())[journal.per_page :]
    assert [article.pk for article in page] == [article.pk for article in oldest]
    assert escape(oldest[-1].title) in html(response)


def test_demo_offer_renders(client, demo_site):
    offer = OfferPage.objects.get()
    response = client.get(offer.url)
    assert response.status_code == 200
    assert escape(offer.title) in html(response)
    assert offer.price_text in html(response)


def test_demo_loading_twice_changes_nothing(demo_site):
    pages, images = Page.objects.count(), get_image_model().objects.count()
    home_pk = demo_site.root_page_id

    assert "Demo content already loaded" in load_demo()

    assert (Page.objects.count(), get_image_model().objects.count()) == (pages, images)
    assert Site.objects.get(is_default_site=True).root_page_id == home_pk


def test_demo_reset_rebuilds_it_in_place_of_the_old_one(demo_site):
    pages, images = Page.objects.count(), get_image_model().objects.count()
    old_home_pk = demo_site.root_page_id

    load_demo("--reset")

    assert (Page.objects.count(), get_image_model().objects.count()) == (pages, images)
    site = Site.objects.get(pk=demo_site.pk)
    assert site.root_page_id != old_home_pk
    assert isinstance(site.root_page.specific, HomePage)


def test_the_demo_site_answers_where_make_run_serves_so_emailed_links_work(demo_site):
    # The test settings' WAGTAILADMIN_BASE_URL, as `make demo` exports http://HOST:PORT.
    assert (demo_site.hostname, demo_site.port) == ("testserver", 80)
    assert demo_site.root_url == "http://testserver"


def test_a_site_someone_already_named_keeps_its_host(db, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    Site.objects.filter(is_default_site=True).update(hostname="www.copperkettle.example", port=443)
    load_demo()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("www.copperkettle.example", 443)
