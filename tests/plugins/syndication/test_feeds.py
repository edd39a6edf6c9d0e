"""The public RSS and Atom feeds: the whole site, a section, a tag.

Every feed is read with feedparser and must parse cleanly. Covered: which
pages (live, public, syndicated, newest first), absolute links and tag-URI
ids, summary or full content by the site's setting, the feature image as
an enclosure, the WebSub hub and self links, ETag / Last-Modified and 304,
the cache dropped on publish, the hub pinged on publish (a real local HTTP
server records the POSTs), autodiscovery links in both themes, 404s, and a
fixed number of queries however many pages a feed lists.
"""
from __future__ import annotations

import http.server
import logging
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from hearthside.models import SiteBranding
from plugins.syndication.config import SyndicationSettings, save_settings
from plugins.syndication.feeds import FEED_LENGTH, absolute_html, invalidate_feeds
from tests.factories import ImageFactory, make_article, make_offer, make_section, make_standard

pytestmark = pytest.mark.django_db

RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def pages(root_page, journal):
    """A bakery's pages, published oldest first: the Journal with a tagged,
    illustrated article, a News section, an offer and a plain page."""
    news = make_section(root_page, title="News")
    return {
        "sourdough": make_article(
            journal, title="Our sourdough", tags=["bread"], images=1, author_name="Hannah Cole",
            body=[("paragraph", '<p>Thirty-six hours. <a href="https://example.com/flour">Flour</a>.</p>')],
        ),
        "scones": make_article(journal, title="Cheese scones"),
        "opening": make_article(news, title="New opening hours", tags=["bread"]),
        "offer": make_offer(root_page, title="Two loaves for one"),
        "about": make_standard(root_page, title="About us"),
        "news": news,
    }


def site_feed(kind="rss"):
    return reverse(f"syndication:feed-{kind}")


def section_feed(section, kind="rss"):
    return reverse(f"syndication:section-feed-{kind}", args=[section.pk])


def tag_feed(slug, kind="rss"):
    return reverse(f"syndication:tag-feed-{kind}", args=[slug])


def read(client, path, **headers):
    """GET a feed; returns (response, parsed), having checked it parses cleanly."""
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def set_settings(site, **changes):
    save_settings(site, SyndicationSettings(**changes))


def test_the_urls_are_the_documented_ones(journal):
    assert site_feed() == "/syndication/feed/"
    assert site_feed("atom") == "/syndication/feed/atom/"
    assert section_feed(journal) == f"/syndication/section/{journal.pk}/feed/"
    assert section_feed(journal, "atom") == f"/syndication/section/{journal.pk}/feed/atom/"
    assert tag_feed("bread") == "/syndication/tag/bread/feed/"
    assert tag_feed("bread", "atom") == "/syndication/tag/bread/feed/atom/"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_site_feed_lists_every_live_public_syndicated_page_newest_first(client, pages, kind):
    response, parsed = read(client, site_feed(kind))
    expected = "application/rss+xml" if kind == "rss" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected)
    assert parsed.version == ("rss20" if kind == "rss" else "atom10")
    assert titles(parsed) == ["Two loaves for one", "New opening hours", "Cheese scones", "Our sourdough"], (
        "articles and offers only: no sections, plain pages or home page"
    )


def test_unpublished_and_private_pages_stay_out(client, pages):
    pages["scones"].unpublish()
    PageViewRestriction.objects.create(page=pages["news"], restriction_type="password", password="secret")
    _, parsed = read(client, site_feed())
    assert titles(parsed) == ["Two loaves for one", "Our sourdough"], "nor pages under a private section"


def test_the_site_feed_holds_the_newest_fifty(client, journal):
    for n in range(FEED_LENGTH + 2):
        make_article(journal, title=f"Bake {n}")
    _, parsed = read(client, site_feed())
    assert len(parsed.entries) == FEED_LENGTH
    assert parsed.entries[0].title == f"Bake {FEED_LENGTH + 1}"
    assert "Bake 0" not in titles(parsed) and "Bake 1" not in titles(parsed)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_section_feed_lists_the_pages_under_it(client, journal, pages, kind):
    _, parsed = read(client, section_feed(journal, kind))
    assert titles(parsed) == ["Cheese scones", "Our sourdough"]
    assert parsed.feed.title == "Journal – Copper Kettle"
    assert parsed.feed.link == f"http://testserver{journal.url}"
    _, parsed = read(client, section_feed(pages["news"], kind))
    assert titles(parsed) == ["New opening hours"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_tag_feed_lists_the_articles_with_that_tag(client, pages, kind):
    _, parsed = read(client, tag_feed("bread", kind))
    assert titles(parsed) == ["New opening hours", "Our sourdough"]
    assert parsed.feed.title == "bread – Copper Kettle"


@pytest.mark.parametrize(
    "path_of",
    [
        lambda pages: site_feed("rss"),
        lambda pages: site_feed("atom"),
        lambda pages: section_feed(pages["sourdough"].get_parent(), "rss"),
        lambda pages: section_feed(pages["sourdough"].get_parent(), "atom"),
        lambda pages: tag_feed("bread", "rss"),
        lambda pages: tag_feed("bread", "atom"),
    ],
    ids=["site-rss", "site-atom", "section-rss", "section-atom", "tag-rss", "tag-atom"],
)
def test_every_feed_has_absolute_links_and_tag_uri_ids(client, site, pages, path_of):
    path = path_of(pages)
    _, parsed = read(client, path)
    assert parsed.feed.link.startswith("http://testserver/")
    assert {"rel": "self", "href": f"http://testserver{path}"}.items() <= next(
        link for link in parsed.feed.links if link.rel == "self"
    ).items()
    sourdough = next(entry for entry in parsed.entries if entry.title == "Our sourdough")
    assert sourdough.link == f"http://testserver{pages['sourdough'].url}"
    published = pages["sourdough"].first_published_at
    assert sourdough.id == f"tag:testserver,{published:%Y-%m-%d}:page-{pages['sourdough'].pk}"
    assert sourdough.author == "Hannah Cole"
    assert [tag.term for tag in sourdough.tags] == ["bread"]
    assert sourdough.published_parsed
    assert all("author" not in entry for entry in parsed.entries if entry.title == "Two loaves for one"), (
        "no empty author"
    )


def test_rss_guids_are_not_permalinks(client, pages):
    response = client.get(site_feed())
    guids = ET.fromstring(response.content).findall("channel/item/guid")
    assert guids and all(guid.get("isPermaLink") == "false" for guid in guids)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_by_default_items_carry_the_summary_only(client, pages, kind):
    _, parsed = read(client, site_feed(kind))
    sourdough = next(entry for entry in parsed.entries if entry.title == "Our sourdough")
    assert sourdough.summary == pages["sourdough"].summary
    assert "content" not in sourdough
    assert b"Thirty-six hours" not in client.get(site_feed(kind)).content


def test_summaries_are_text_not_html(client, journal):
    article = make_article(journal, title="Bread & <butter>")
    type(article).objects.filter(pk=article.pk).update(summary="Salt <b>and</b> “flour” & water")
    _, parsed = read(client, site_feed())
    [entry] = parsed.entries
    assert entry.title == "Bread & <butter>"
    assert entry.summary == "Salt &lt;b&gt;and&lt;/b&gt; “flour” &amp; water", "as written, not markup"


def test_full_content_carries_the_rendered_body_with_absolute_addresses(client, site, pages):
    set_settings(site, full_content_feeds=True)
    response = client.get(site_feed())
    item = next(
        item for item in ET.fromstring(response.content).findall("channel/item")
        if item.findtext("title") == "Our sourdough"
    )
    content = item.findtext(RSS_CONTENT)
    assert "Thirty-six hours." in content and 'href="https://example.com/flour"' in content
    assert item.findtext("description") == pages["sourdough"].summary, "the summary stays alongside"

    body_image = BeautifulSoup(content, "html.parser").find("figure", class_="body-image").img
    assert body_image["src"].startswith("http://testserver/media/images/")
    assert all(
        candidate.strip().startswith("http://testserver/media/images/")
        for candidate in body_image["srcset"].split(",")
    )
    assert body_image["alt"]

    _, parsed = read(client, site_feed("atom"))
    sourdough = next(entry for entry in parsed.entries if entry.title == "Our sourdough")
    [content] = sourdough.content
    assert content.type == "text/html" and "Thirty-six hours." in content.value
    assert sourdough.summary == pages["sourdough"].summary


def test_making_html_absolute():
    html = (
        '<p><a href="/visit/#map">Find us</a> <a href="#hours">hours</a>'
        ' <a href="mailto:hi@example.com">mail</a>'
        ' <a href="https://example.com/x">out</a></p>'
        '<img src="/media/a.png" srcset="/media/a.png 800w, /media/b.png 1200w" alt="A loaf">'
        "<p>Write href=\"/not-a-link\" in text</p>"
    )
    made = absolute_html(html, "http://testserver/journal/sourdough/")
    assert 'href="http://testserver/visit/#map"' in made
    assert 'href="http://testserver/journal/sourdough/#hours"' in made
    assert 'href="mailto:hi@example.com"' in made and 'href="https://example.com/x"' in made
    assert 'src="http://testserver/media/a.png"' in made
    assert 'srcset="http://testserver/media/a.png 800w, http://testserver/media/b.png 1200w"' in made
    assert 'href="/not-a-link" in text' in made, "text outside tags is left alone"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_feature_image_is_the_enclosure(client, pages, kind):
    _, parsed = read(client, site_feed(kind))
    sourdough = next(entry for entry in parsed.entries if entry.title == "Our sourdough")
    [enclosure] = sourdough.enclosures
    rendition = pages["sourdough"].feature_image.get_rendition("fill-1200x630")
    assert enclosure.href == f"http://testserver{rendition.url}"
    assert int(enclosure.length) == rendition.file.size > 0
    assert enclosure.type == "image/png"
    scones = next(entry for entry in parsed.entries if entry.title == "Cheese scones")
    assert scones.enclosures == [], "no image, no enclosure"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_hub_is_linked_when_the_site_has_one(client, site, pages, kind):
    _, parsed = read(client, site_feed(kind))
    assert [link.rel for link in parsed.feed.links if link.rel == "hub"] == []

    invalidate_feeds(site)
    set_settings(site, websub_hub="https://hub.example.com/")
    _, parsed = read(client, site_feed(kind))
    links = {link.rel: link.href for link in parsed.feed.links if link.rel in ("hub", "self")}
    assert links == {"hub": "https://hub.example.com/", "self": f"http://testserver{site_feed(kind)}"}


# -- Conditional GET and the cache -------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_reader_with_the_current_feed_gets_304(client, pages, kind):
    response, _ = read(client, site_feed(kind))
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")

    unchanged = client.get(site_feed(kind), HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag

    unchanged = client.get(site_feed(kind), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert unchanged.status_code == 304

    assert client.get(site_feed(kind), HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(site_feed(kind), HTTP_IF_MODIFIED_SINCE=long_ago).status_code == 200


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_page_cache_serves_the_feed_and_its_304s_without_queries(
    client, site, pages, kind, django_assert_num_queries
):
    first = client.get(site_feed(kind))
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        again = client.get(site_feed(kind))
        unchanged = client.get(site_feed(kind), HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(site_feed(kind), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert again["ETag"] == first["ETag"] and again["Content-Type"] == first["Content-Type"]
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == first["ETag"]
    assert by_date.status_code == 304
    assert client.get(site_feed(kind), HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    invalidate_feeds(site)
    assert client.get(site_feed(kind))["X-Page-Cache"] == "miss", "a feed change purges the page cache's copy"


def test_each_feed_has_its_own_etag(client, journal, pages):
    etags = {client.get(path)["ETag"] for path in (site_feed(), site_feed("atom"), section_feed(journal))}
    assert len(etags) == 3


def test_the_feed_is_built_once_until_something_is_published(client, site, journal, pages):
    first = client.get(site_feed())
    make_article(journal, title="Apple galette")  # saved without the publish hook firing
    assert client.get(site_feed()).content == first.content, "served from the cache"
    invalidate_feeds(site)
    _, parsed = read(client, site_feed())
    assert parsed.entries[0].title == "Apple galette"


def test_publishing_and_unpublishing_drop_the_cached_feeds(
    client, site, journal, pages, django_capture_on_commit_callbacks
):
    before = client.get(site_feed())
    section_before = client.get(section_feed(journal))
    time.sleep(1.01)  # Last-Modified counts whole seconds
    with django_capture_on_commit_callbacks(execute=True):
        galette = make_article(journal, title="Apple galette")

    after, parsed = read(client, site_feed())
    assert parsed.entries[0].title == "Apple galette"
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]
    assert client.get(site_feed(), HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert client.get(site_feed(), HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 200
    _, parsed = read(client, section_feed(journal))
    assert parsed.entries[0].title == "Apple galette"
    assert client.get(section_feed(journal))["ETag"] != section_before["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        galette.unpublish()
    _, parsed = read(client, site_feed())
    assert "Apple galette" not in titles(parsed)


def test_changing_the_settings_drops_the_cached_feeds(
    client, site, pages, django_capture_on_commit_callbacks
):
    assert b"Thirty-six hours" not in client.get(site_feed()).content
    with django_capture_on_commit_callbacks(execute=True):
        set_settings(site, full_content_feeds=True)
    assert b"Thirty-six hours" in client.get(site_feed()).content


# -- WebSub --------------------------------------------------------------------


class RecordingHub:
    """A real HTTP server on 127.0.0.1 in a thread that records every POST
    and answers ``status`` (after ``delay`` seconds)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 204
        self.delay = 0.0
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                hub.posts.append({"path": self.path, "content_type": self.headers["Content-Type"],
                                  "form": parse_qs(body)})
                if hub.delay:
                    time.sleep(hub.delay)
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def pinged_urls(self) -> list[str]:
        return [url for post in self.posts for url in post["form"]["hub.url"]]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def hub(site):
    with RecordingHub() as running:
        set_settings(site, websub_hub=running.url)
        yield running


def feed_addresses(*paths) -> set[str]:
    return {f"http://testserver{path}" for path in paths}


def test_publishing_pings_the_hub_for_every_feed_the_page_is_in(
    site, journal, hub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(journal, title="Rye week", tags=["bread", "rye"])
    assert all(post["path"] == "/hub" for post in hub.posts)
    assert all(post["content_type"] == "application/x-www-form-urlencoded" for post in hub.posts)
    assert all(post["form"]["hub.mode"] == ["publish"] for post in hub.posts)
    assert set(hub.pinged_urls()) == feed_addresses(
        site_feed(), site_feed("atom"),
        section_feed(journal), section_feed(journal, "atom"),
        tag_feed("bread"), tag_feed("bread", "atom"),
        tag_feed("rye"), tag_feed("rye", "atom"),
    )
    assert len(hub.posts) == 8, "one ping per feed"


def test_pages_in_no_feed_ping_nothing(root_page, journal, hub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_standard(root_page, title="About us")
    assert hub.posts == []
    with django_capture_on_commit_callbacks(execute=True):
        journal.save_revision().publish()
    assert set(hub.pinged_urls()) == feed_addresses(section_feed(journal), section_feed(journal, "atom")), (
        "a section's own feed carries its title"
    )


def test_no_hub_no_ping(site, journal, django_capture_on_commit_callbacks):
    with RecordingHub() as unused:
        with django_capture_on_commit_callbacks(execute=True):
            make_article(journal, title="Rye week")
    assert unused.posts == []


def test_a_failing_hub_is_logged_and_publishing_goes_on(
    client, journal, hub, caplog, django_capture_on_commit_callbacks
):
    hub.status = 500
    with caplog.at_level(logging.WARNING, logger="plugins.syndication.websub"):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(journal, title="Rye week")
    assert article.live
    assert len(hub.posts) == 4, "every feed is still tried"
    assert "answered 500" in caplog.text
    _, parsed = read(client, site_feed())
    assert parsed.entries[0].title == "Rye week"


def test_a_slow_hub_times_out_and_publishing_goes_on(
    site, journal, hub, settings, caplog, django_capture_on_commit_callbacks
):
    settings.SYNDICATION_WEBSUB_TIMEOUT = 0.2
    hub.delay = 1.0
    with caplog.at_level(logging.WARNING, logger="plugins.syndication.websub"):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(journal, title="Rye week")
    assert article.live
    assert len(hub.posts) == 4
    assert caplog.text.count("could not be told") == 4


def test_an_unreachable_hub_is_logged(site, journal, caplog, django_capture_on_commit_callbacks):
    with RecordingHub() as closed:
        address = closed.url
    set_settings(site, websub_hub=address)  # nothing listens there now
    with caplog.at_level(logging.WARNING, logger="plugins.syndication.websub"):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(journal, title="Rye week")
    assert article.live and "could not be told" in caplog.text


# -- Autodiscovery ------------------------------------------------------------


def alternates(response) -> list[tuple[str, str, str]]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        (link["type"], link["title"], link["href"])
        for link in soup.head.find_all("link", rel="alternate")
        if link.get("type") in ("application/rss+xml", "application/atom+xml")
    ]


SITE_ALTERNATES = [
    ("application/rss+xml", "Copper Kettle (RSS)", "http://testserver/syndication/feed/"),
    ("application/atom+xml", "Copper Kettle (Atom)", "http://testserver/syndication/feed/atom/"),
]


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_every_page_links_to_the_site_feeds_in_both_themes(client, site, root_page, pages, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    home = client.get(root_page.url)
    assert f"theme-{theme}" in home.content.decode()
    assert alternates(home) == SITE_ALTERNATES
    assert alternates(client.get(pages["sourdough"].url)) == SITE_ALTERNATES


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_a_section_page_also_links_to_its_own_feeds(client, site, journal, pages, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    found = alternates(client.get(journal.url))
    rss, atom = (f"http://testserver{section_feed(journal, kind)}" for kind in ("rss", "atom"))
    assert found == SITE_ALTERNATES + [
        ("application/rss+xml", "Journal – Copper Kettle (RSS)", rss),
        ("application/atom+xml", "Journal – Copper Kettle (Atom)", atom),
    ]
    for _, _, href in found:
        read(client, href.removeprefix("http://testserver"))


def test_the_pages_api_gives_the_same_feed_links(api_client, journal):
    response = api_client.get(f"/api/v2/pages/{journal.pk}/")
    assert response.status_code == 200
    in_head = response.json()["meta"]["slots"]["site.head"]
    [head] = [entry for entry in in_head if entry["plugin"] == "syndication"]
    assert [feed["href"] for feed in head["data"]["feeds"]] == [
        "http://testserver/syndication/feed/",
        "http://testserver/syndication/feed/atom/",
        f"http://testserver{section_feed(journal)}",
        f"http://testserver{section_feed(journal, 'atom')}",
    ]


# -- 404s -----------------------------------------------------------------------


def test_unknown_sections_and_tags_answer_404(client, root_page, journal, pages):
    for path in (
        "/syndication/section/999999/feed/",
        section_feed(pages["sourdough"]),  # an article, not a section
        section_feed(root_page),  # the home page
        "/syndication/tag/no-such-tag/feed/atom/",
    ):
        assert client.get(path).status_code == 404, path


def test_unpublished_and_private_sections_answer_404(client, journal, pages):
    PageViewRestriction.objects.create(page=pages["news"], restriction_type="password", password="secret")
    assert client.get(section_feed(pages["news"])).status_code == 404
    assert client.get(section_feed(pages["news"], "atom")).status_code == 404
    journal.unpublish()
    assert client.get(section_feed(journal)).status_code == 404


def test_a_tag_only_on_hidden_pages_answers_404(client, journal, pages):
    make_article(journal, title="Secret rye", tags=["rye"]).unpublish()
    assert client.get(tag_feed("rye")).status_code == 404
    PageViewRestriction.objects.create(page=pages["news"], restriction_type="password", password="secret")
    pages["sourdough"].unpublish()
    assert client.get(tag_feed("bread")).status_code == 404, "its only other article is private"


def test_a_private_section_does_not_advertise_its_feed(client, editor, pages):
    PageViewRestriction.objects.create(page=pages["news"], restriction_type="login")
    client.force_login(editor)
    response = client.get(pages["news"].url)
    assert response.status_code == 200 and "page-section" in response.content.decode(), "the section shows"
    assert alternates(response) == SITE_ALTERNATES, "its feed would answer 404"


def test_the_feeds_answer_404_while_the_plugin_is_inactive(client, site, journal, pages, deactivate_plugin):
    deactivate_plugin(site, "syndication")
    for path in (site_feed(), site_feed("atom"), section_feed(journal), tag_feed("bread", "atom")):
        assert client.get(path).status_code == 404, path
    assert alternates(client.get(journal.url)) == [], "nor are they advertised"


# -- Cost -------------------------------------------------------------------------


def test_a_feed_costs_the_same_queries_however_many_pages_it_lists(
    client, site, root_page, journal, django_assert_max_num_queries
):
    set_settings(site, full_content_feeds=True)

    def illustrated(title):
        return make_article(
            journal, title=title, tags=["bread", "rye"], images=2,
            feature_image=ImageFactory(), author_name="Hannah",
        )

    def cold_cost(path):
        client.get(path)  # the first reading makes the image renditions
        invalidate_feeds(site)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        return len(queries)

    illustrated("First")
    make_offer(root_page, title="Offer", feature_image=ImageFactory())
    few = {path: cold_cost(path) for path in (site_feed(), section_feed(journal), tag_feed("rye", "atom"))}

    for n in range(12):
        illustrated(f"More {n}")
    for path, cost in few.items():
        client.get(path)
        invalidate_feeds(site)
        with django_assert_max_num_queries(cost):
            response = client.get(path)
        assert len(feedparser.parse(response.content).entries) >= 13
