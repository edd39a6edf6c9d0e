"""Switching themes, falling back through the chain, child themes from disk,
``manage.py check``, the standalone 500 page and query counts."""
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.template.loader import get_template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.defaults import server_error

from hearthside.checks import REQUIRED_TEMPLATES, check_themes
from hearthside.templatetags.hearthside_tags import theme_static
from hearthside.themes.current import using_theme
from hearthside.themes.manifest import read_themes
from tests.factories import make_article, make_standard

from .conftest import SLOT_NAMES, THEMES, reset_theme_caches

REAL_THEMES_DIR = Path(django_settings.HEARTHSIDE_THEMES_DIR)


def origins(response):
    """Theme-relative paths of the templates a response rendered, e.g. 'hearth/templates/base.html'."""
    paths = []
    for template in response.templates:
        name = str(template.origin.name)
        if "/themes/" in name:
            paths.append(name.split("/themes/", 1)[1])
    return paths


# --- Manifests and checks ----------------------------------------------------


def test_shipped_manifests_are_valid():
    catalogue = read_themes(REAL_THEMES_DIR)
    assert catalogue.problems == []
    hearth, meadow = catalogue.themes["hearth"], catalogue.themes["meadow"]
    assert hearth.parent is None and meadow.parent == "hearth"
    for theme in (hearth, meadow):
        assert theme.label and theme.description and theme.version
        assert set(theme.slots) == set(SLOT_NAMES)
    assert catalogue.chain("meadow", "hearth") == [meadow, hearth]


def test_manage_py_check_passes_with_the_real_themes(db):
    call_command("check", fail_level="WARNING")
    assert check_themes() == []


@pytest.mark.parametrize("theme_name", THEMES)
def test_every_required_template_compiles(theme_name):
    with using_theme(theme_name):
        for name in REQUIRED_TEMPLATES:
            assert get_template(name) is not None


# --- Switching at run time ---------------------------------------------------


def test_switching_theme_changes_the_stylesheet_on_the_next_request(client, bakery, use_theme):
    html = client.get("/").content.decode()
    assert 'href="/static/themes/hearth/css/site.css"' in html
    assert "/static/themes/meadow/" not in html
    assert "split-hero" not in html

    use_theme("meadow")
    html = client.get("/").content.decode()
    assert 'href="/static/themes/meadow/css/site.css"' in html
    assert "split-hero" in html  # meadow's own home page template

    use_theme("hearth")
    html = client.get("/").content.decode()
    assert "/static/themes/meadow/" not in html


def test_unknown_theme_falls_back_to_the_default(client, site, use_theme):
    use_theme("no-such-theme")
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/static/themes/hearth/css/site.css"' in response.content.decode()


def test_the_theme_is_looked_up_only_when_a_request_renders(site, use_theme):
    from django.http import HttpResponse, HttpResponseRedirect

    from hearthside.themes.current import current_theme_name
    from hearthside.themes.middleware import ThemeMiddleware

    use_theme("meadow")

    def branding_queries(view):
        request = RequestFactory().get("/")
        with CaptureQueriesContext(connection) as queries:
            ThemeMiddleware(view)(request)
        return [q["sql"] for q in queries.captured_queries if "sitebranding" in q["sql"]]

    assert branding_queries(lambda request: HttpResponseRedirect("/elsewhere/")) == []
    seen = []
    assert branding_queries(lambda request: seen.append(current_theme_name()) or HttpResponse())
    assert seen == ["meadow"]


# --- Falling back through the chain -------------------------------------------


def test_meadow_overrides_base_and_home_only(client, bakery, use_theme):
    use_theme("meadow")
    home = origins(client.get("/"))
    assert "meadow/templates/pages/home_page.html" in home
    assert "meadow/templates/base.html" in home
    assert "hearth/templates/base.html" in home  # meadow's base extends hearth's

    article = origins(client.get(bakery.articles[0].url))
    assert "hearth/templates/pages/article_page.html" in article
    assert "hearth/templates/blocks/image.html" in article
    assert "meadow/templates/base.html" in article
    assert not any(path.startswith("meadow/templates/pages/") for path in article)


def test_meadow_templates_are_a_small_override():
    meadow_templates = {
        str(p.relative_to(REAL_THEMES_DIR / "meadow" / "templates"))
        for p in (REAL_THEMES_DIR / "meadow" / "templates").rglob("*.html")
    }
    assert meadow_templates == {"base.html", "pages/home_page.html"}


def test_theme_static_falls_back_to_the_parent(client, site, use_theme):
    with using_theme("meadow"):
        assert theme_static("css/site.css") == "/static/themes/meadow/css/site.css"
        assert theme_static("js/site.js") == "/static/themes/hearth/js/site.js"  # meadow has none
    with using_theme("hearth"):
        assert theme_static("js/site.js") == "/static/themes/hearth/js/site.js"
    use_theme("meadow")
    html = client.get("/").content.decode()
    assert 'src="/static/themes/hearth/js/site.js"' in html
    # Meadow layers its stylesheet on its parent's.
    assert html.index("/static/themes/hearth/css/site.css") < html.index("/static/themes/meadow/css/site.css")


# --- A child theme from another themes folder ----------------------------------


@pytest.fixture
def themes_dir(tmp_path, settings):
    """A themes folder holding the shipped themes plus ``sprout`` (parent meadow)."""
    folder = tmp_path / "themes"
    for name in THEMES:
        shutil.copytree(REAL_THEMES_DIR / name, folder / name)
    sprout = folder / "sprout"
    (sprout / "templates" / "pages").mkdir(parents=True)
    (sprout / "static" / "css").mkdir(parents=True)
    (sprout / "theme.json").write_text(json.dumps({
        "name": "sprout", "label": "Sprout", "version": "0.1.0", "parent": "meadow",
        "description": "A test child theme.", "slots": list(SLOT_NAMES),
    }))
    (sprout / "templates" / "pages" / "standard_page.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1 class="sprout">{{ page.title }} in sprout</h1>'
        '{% slot "page.sidebar" page=page %}{% slot "page.after_body" page=page %}{% endblock %}'
    )
    (sprout / "static" / "css" / "extra.css").write_text("body { color: green; }")
    settings.HEARTHSIDE_THEMES_DIR = str(folder)
    reset_theme_caches()
    yield folder
    settings.HEARTHSIDE_THEMES_DIR = str(REAL_THEMES_DIR)
    reset_theme_caches()


def test_child_theme_in_a_temporary_folder(client, bakery, use_theme, themes_dir):
    use_theme("sprout")
    response = client.get(bakery.standard.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="sprout">About us in sprout</h1>' in html
    assert "sprout/templates/pages/standard_page.html" in origins(response)
    # What sprout lacks comes from meadow (home page, stylesheet) and hearth (article page, script).
    home = client.get("/")
    assert "sprout" not in " ".join(origins(home))
    assert "meadow/templates/pages/home_page.html" in origins(home)
    assert 'href="/static/themes/meadow/css/site.css"' in home.content.decode()
    assert "hearth/templates/pages/article_page.html" in origins(client.get(bakery.articles[0].url))
    with using_theme("sprout"):
        assert theme_static("css/extra.css") == "/static/themes/sprout/css/extra.css"
        assert theme_static("css/site.css") == "/static/themes/meadow/css/site.css"
        assert theme_static("js/site.js") == "/static/themes/hearth/js/site.js"
    assert check_themes() == []


def test_temporary_themes_folder_does_not_leak(client, site, root_page, use_theme):
    use_theme("sprout")  # not installed now: the default theme is used
    standard = make_standard(root_page, title="About us")
    response = client.get(standard.url)
    assert "in sprout" not in response.content.decode()
    assert "hearth/templates/pages/standard_page.html" in origins(response)


# --- The 500 page ------------------------------------------------------------


@pytest.mark.parametrize("theme_name", THEMES)
def test_500_page_stands_alone(theme_name):
    with using_theme(theme_name):
        template = get_template("500.html")
        html = template.render({})  # Django renders it with no context at all
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert response.content.decode() == html
    assert "Sorry, something went wrong" in html
    assert "<style>" in html and "<link" not in html and "<script" not in html
    assert "{%" not in html and "{{" not in html
    source = (REAL_THEMES_DIR / "hearth" / "templates" / "500.html").read_text()
    assert "{%" not in source and "{{" not in source


# --- Query counts do not grow with content ----------------------------------


def count_queries(client, url):
    from django.core.cache import cache

    cache.clear()  # no page cache, no cached plugin state: a cold render
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_listing_queries_do_not_grow_with_cards(client, bakery, use_theme):
    bakery.section.per_page = 9
    bakery.section.save_revision().publish()
    urls = (bakery.section.url, "/")
    for theme_name in THEMES:
        use_theme(theme_name)
        for url in urls:
            count_queries(client, url)  # renditions are created on the first view
        before = [count_queries(client, url) for url in urls]
        for n in range(2):
            make_article(bakery.section, title=f"More {theme_name} {n}", tags=["Baking", f"Extra {n}"], images=1)
        for url in urls:
            count_queries(client, url)
        assert [count_queries(client, url) for url in urls] == before, theme_name


def test_article_queries_do_not_grow_with_body_images(client, bakery, use_theme):
    one = make_article(bakery.section, title="One image", images=1)
    four = make_article(bakery.section, title="Four images", images=4)
    for theme_name in THEMES:
        use_theme(theme_name)
        count_queries(client, one.url)  # renditions are created on the first view
        count_queries(client, four.url)
        assert count_queries(client, four.url) == count_queries(client, one.url), theme_name
