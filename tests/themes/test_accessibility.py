"""Accessibility basics that can be read from the HTML, for every page in
both themes: language, one h1, a working skip link, landmarks, alt text,
labelled form fields and unique ids. Colour contrast and focus styles live in
the stylesheets and were checked by hand (see the theme CSS headers)."""
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

PAGES = ["home", "section", "section_tag", "article", "offer", "expired_offer", "standard", "search",
         "empty_search", "not_found"]


def url_for(bakery, name):
    return {
        "home": "/",
        "section": bakery.section.url,
        "section_tag": bakery.section.url + "?tag=baking&page=2",
        "article": bakery.articles[0].url,
        "offer": bakery.offer.url,
        "expired_offer": bakery.expired_offer.url,
        "standard": bakery.standard.url,
        "search": "/search/?q=bread",
        "empty_search": "/search/",
        "not_found": "/does-not-exist/",
    }[name]


def has_label(soup, field):
    if field.get("aria-label") or field.get("aria-labelledby"):
        return True
    if field.find_parent("label"):
        return True
    field_id = field.get("id")
    return bool(field_id and soup.find("label", attrs={"for": field_id}))


def test_every_page_passes_accessibility_basics(client, theme, bakery, activate_plugin, site):
    activate_plugin(site, "sample_plugin")  # plugin content must not break the rules either
    for page_name in PAGES:
        response = client.get(url_for(bakery, page_name))
        assert response.status_code == (404 if page_name == "not_found" else 200)
        try:
            check_accessibility(BeautifulSoup(response.content.decode(), "html.parser"))
        except AssertionError as error:
            raise AssertionError(f"{theme} theme, {page_name} page: {error}") from error


def check_accessibility(soup):
    assert soup.html.get("lang", "").startswith("en")
    assert soup.find("meta", attrs={"name": "viewport"})
    assert soup.title and soup.title.get_text(strip=True)
    assert len(soup.find_all("h1")) == 1

    skip = soup.find("a", class_="skip-link")
    assert skip is not None and skip is soup.body.find("a"), "the skip link is the first link"
    target = skip["href"].lstrip("#")
    main = soup.find(id=target)
    assert main is not None and main.name == "main"
    assert len(soup.find_all("main")) == 1
    assert soup.find("header") and soup.find("footer")
    assert soup.find("nav", attrs={"aria-label": "Main"})
    for nav in soup.find_all("nav"):
        assert nav.get("aria-label"), "several navs: each needs a name"

    for img in soup.find_all("img"):
        assert img.has_attr("alt"), img

    for field in soup.find_all(["input", "select", "textarea"]):
        if field.get("type") in ("hidden", "submit", "button", "reset", "image"):
            continue
        assert has_label(soup, field), field
    for button in soup.find_all("button"):
        assert button.get_text(strip=True) or button.get("aria-label"), button

    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == []
    for tag in soup.find_all(attrs={"aria-labelledby": True}):
        assert soup.find(id=tag["aria-labelledby"]), tag["aria-labelledby"]
    for tag in soup.find_all(attrs={"aria-controls": True}):
        assert soup.find(id=tag["aria-controls"])

    # Headings do not skip levels (h1 → h3 with no h2).
    levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, levels

    for link in soup.find_all("a"):
        assert link.get_text(strip=True) or link.get("aria-label") or link.find("img", alt=True), link


@pytest.mark.parametrize("theme_name", ["hearth", "meadow"])
def test_stylesheets_cover_focus_motion_and_small_screens(theme_name):
    css = (Path(settings.HEARTHSIDE_THEMES_DIR) / theme_name / "static" / "css" / "site.css").read_text()
    assert "--color-" in css  # custom properties
    assert "@media (min-width:" in css and "@media (max-width:" not in css  # mobile first
    hearth = (Path(settings.HEARTHSIDE_THEMES_DIR) / "hearth" / "static" / "css" / "site.css").read_text()
    assert ":focus-visible" in hearth and "prefers-reduced-motion" in hearth
    assert "@import" not in css and "url(http" not in css and "url(//" not in css  # no web fonts or CDNs
