"""Fixtures for the theme tests: a small bakery's site, a way to pick the
theme, markers in every slot, and a clean slate for theme caches."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.template import engines
from django.utils import timezone

from hearthside.extending import slots
from hearthside.models import SiteBranding
from hearthside.templatetags import hearthside_tags
from hearthside.themes import manifest
from tests.factories import ImageFactory, make_article, make_offer, make_section, make_standard

THEMES = ("hearth", "meadow")
SLOT_NAMES = ("site.head", "site.header", "page.sidebar", "page.after_body", "card.meta", "site.footer")


def reset_theme_caches():
    """Forget every cached theme catalogue, theme_static path and compiled template."""
    manifest.load_catalogue.cache_clear()
    hearthside_tags._theme_static_path.cache_clear()
    for loader in engines["django"].engine.template_loaders:
        if hasattr(loader, "reset"):
            loader.reset()


@pytest.fixture(autouse=True)
def _fresh_theme_caches():
    reset_theme_caches()
    yield
    reset_theme_caches()


@dataclass
class BakerySite:
    home: object
    section: object
    articles: list
    tagged: list
    offer: object
    expired_offer: object
    standard: object
    branding: SiteBranding


@pytest.fixture
def bakery(site, root_page):
    return build_bakery(site, root_page)


def build_bakery(site, root_page):
    """A home page with a featured section and offer, tagged articles with
    images and related pages, an expired offer and an About page."""
    section = make_section(
        root_page, title="Journal", intro="<p>News &amp; recipes from the bakery.</p>",
        show_in_menus=True, per_page=2,
    )
    offer = make_offer(
        root_page,
        title="Two loaves, one price",
        summary="Buy one sourdough loaf, take a second home free.",
        price_text="2 for £4.50",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
        cta_label="Reserve your loaves",
        cta_url="https://example.com/reserve",
        terms="Weekdays before 10am only.",
        feature_image=ImageFactory(title="Loaves on a rack"),
        show_in_menus=True,
    )
    expired = make_offer(
        root_page,
        title="Pancake Day bundle",
        price_text="£6",
        valid_until=timezone.localdate() - datetime.timedelta(days=3),
        cta_url="https://example.com/pancakes",
    )
    standard = make_standard(
        root_page, title="About us", intro="A family bakery on Mill Lane since 1998.",
        body=[("paragraph", "<p>We bake everything on site, every day.</p>")],
        show_in_menus=True,
    )
    first = make_article(
        section, title="How we make our sourdough", tags=["Baking", "Behind the scenes"], images=2,
        author_name="Hannah Cole", related=[offer, standard],
        body=[
            ("heading", "The long, slow rise"),
            ("paragraph", "<p>Thirty-six hours in the fridge.</p>"),
            ("quote", {"quote": "Good bread takes time.", "attribution": "Hannah, head baker"}),
            ("call_to_action", {"title": "Bread club", "text": "Learn to bake.", "button_label": "Book a place",
                                "page": None, "url": "https://example.com/book"}),
        ],
    )
    second = make_article(section, title="Five autumn bakes", tags=["Baking", "Recipes"], images=1)
    third = make_article(section, title="Apple galette", tags=["Baking"])
    fourth = make_article(section, title="Meet Priya, our pastry chef", tags=["People"], images=1)
    root_page.featured_section = section
    root_page.featured_offer = offer
    root_page.hero_cta_page = offer
    root_page.hero_cta_label = "See this week’s specials"
    root_page.hero_text = "Sourdough, buns and proper coffee."
    root_page.feature_image = ImageFactory(title="The bakery counter")
    root_page.save_revision().publish()
    root_page.refresh_from_db()

    branding = SiteBranding.for_site(site)
    branding.brand_name = "Copper Kettle Bakery"
    branding.tagline = "Slow bread, fast friends."
    branding.email = "hello@copperkettle.example"
    branding.phone = "0161 496 0123"
    branding.address = "14 Mill Lane\nHebden Bridge"
    branding.opening_hours = "Mon–Fri: 7am – 4pm\nSat: 8am – 4pm"
    branding.instagram_url = "https://instagram.com/copperkettle"
    branding.save()
    return BakerySite(
        home=root_page,
        section=section,
        articles=[first, second, third, fourth],
        tagged=[first, second, third],
        offer=offer,
        expired_offer=expired,
        standard=standard,
        branding=branding,
    )


@pytest.fixture
def use_theme(site):
    """``use_theme(name)``: make ``name`` the site's theme, as an editor would."""

    def _use(name):
        branding = SiteBranding.for_site(site)
        branding.theme = name
        branding.save()
        return branding

    return _use


@pytest.fixture(params=THEMES)
def theme(request, bakery, use_theme):
    """Run the test once in each shipped theme, over the bakery site."""
    use_theme(request.param)
    return request.param


@pytest.fixture
def slot_markers():
    """A core (always active) contribution to every slot, rendering a marker."""
    components = []
    for name in SLOT_NAMES:
        marker = f'<span data-test-slot="{name}"></span>'

        class Marker(slots.SlotComponent):
            html = marker

            def data(self, request, **kwargs):
                return {}

            def render(self, request, data, **kwargs):
                return self.html

        Marker.__name__ = f"Marker_{name.replace('.', '_')}"
        slots.get_slot(name).contribute(Marker, plugin=None)
        components.append((name, Marker))
    yield {name: f'data-test-slot="{name}"' for name in SLOT_NAMES}
    for name, component in components:
        slots.get_slot(name).withdraw(component)
