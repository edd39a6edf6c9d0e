"""A member's private RSS feed: only the pages of the topics they follow
(everything without topics), valid RSS 2.0 with absolute links, 404 for
anyone else, never cached or indexed, and a fixed number of queries."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag
from wagtail.models import PageViewRestriction

from plugins.members.models import Topic
from tests.factories import make_article, make_offer, make_section, make_standard

from .factories import make_member

ATOM = "{http://www.w3.org/2005/Atom}"

try:  # a stricter reader, where it is installed; the project does not depend on it
    import feedparser
except ImportError:  # pragma: no cover - depends on the environment
    feedparser = None


@pytest.fixture
def pages(root_page, section):
    """A bakery's pages: the Journal (the ``topic`` fixture's section) with a
    tagged article, a News section, an offer, and a plain page."""
    news = make_section(root_page, title="News")
    return {
        "sourdough": make_article(section, title="Our sourdough", tags=["bread"]),
        "scones": make_article(section, title="Cheese scones"),
        "opening": make_article(news, title="New opening hours", tags=["bread"]),
        "holidays": make_article(news, title="Closed for the holidays"),
        "offer": make_offer(root_page, title="Two loaves for one"),
        "about": make_standard(root_page, title="About us"),
        "news": news,
    }


def feed_path(member) -> str:
    return f"/members/feed/{member.feed_key}/"


def read_feed(client, member):
    response = client.get(feed_path(member))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return response, channel


def titles(channel) -> list[str]:
    return sorted(item.findtext("title") for item in channel.findall("item"))


def rss_member(site, topics=(), channels=None, email="feed@example.com"):
    return make_member(site, email=email, channels=channels or {"rss": "immediate"}, topics=topics)


def test_a_member_following_a_section_gets_its_pages_only(client, site, topic, pages):
    _, channel = read_feed(client, rss_member(site, topics=["baking"]))
    assert titles(channel) == ["Cheese scones", "Our sourdough"]


def test_a_member_following_a_tag_gets_the_pages_with_that_tag(client, site, pages):
    Topic.objects.create(site=site, name="Bread", slug="bread", tag=Tag.objects.get(name="bread"))
    _, channel = read_feed(client, rss_member(site, topics=["bread"]))
    assert titles(channel) == ["New opening hours", "Our sourdough"]


def test_several_topics_add_up_without_repeats(client, site, topic, pages):
    Topic.objects.create(site=site, name="Bread", slug="bread", tag=Tag.objects.get(name="bread"))
    Topic.objects.create(site=site, name="News", slug="news", section=pages["news"])
    _, channel = read_feed(client, rss_member(site, topics=["baking", "bread", "news"]))
    assert titles(channel) == [
        "Cheese scones", "Closed for the holidays", "New opening hours", "Our sourdough",
    ]


def test_a_member_without_topics_gets_every_article_and_offer(client, site, pages):
    _, channel = read_feed(client, rss_member(site))
    assert titles(channel) == [
        "Cheese scones", "Closed for the holidays", "New opening hours", "Our sourdough", "Two loaves for one",
    ], "no sections, no plain pages, no home page"


def test_unpublished_and_private_pages_stay_out(client, site, topic, pages):
    pages["scones"].unpublish()
    PageViewRestriction.objects.create(page=pages["sourdough"], restriction_type="password", password="secret")
    _, channel = read_feed(client, rss_member(site, topics=["baking"]))
    assert titles(channel) == []


def test_the_feed_is_rss_with_absolute_links_on_the_site(client, site, topic, pages):
    member = rss_member(site, topics=["baking"])
    response, channel = read_feed(client, member)

    assert channel.findtext("title") == "What's new from Copper Kettle"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("description") == "Your private feed of Copper Kettle: Baking tips."
    assert channel.find(f"{ATOM}link").get("href") == f"http://testserver{feed_path(member)}"
    item = next(i for i in channel.findall("item") if i.findtext("title") == "Our sourdough")
    assert item.findtext("link") == f"http://testserver{pages['sourdough'].url}"
    assert item.findtext("guid").startswith("tag:testserver,")
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("description") == pages["sourdough"].summary
    assert item.findtext("pubDate")
    if feedparser is not None:
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        assert len(parsed.entries) == 2


def test_text_in_the_feed_is_escaped_for_the_xml(client, site, section):
    article = make_article(section, title="Bread & <butter>")
    type(article).objects.filter(pk=article.pk).update(summary="Salt <b>and</b> “flour” & water")
    _, channel = read_feed(client, rss_member(site))
    [item] = channel.findall("item")
    assert item.findtext("title") == "Bread & <butter>"
    assert item.findtext("description") == "Salt <b>and</b> “flour” & water"


def test_the_feed_is_never_cached_nor_indexed(client, site, pages):
    member = rss_member(site)
    response, _ = read_feed(client, member)
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in client.get(feed_path(member)), "not stored by the page cache"


def test_the_feed_answers_404_for_anyone_else(client, site, pages):
    email_only = make_member(site, email="mail@example.com", channels={"email": "weekly"})
    assert client.get(feed_path(email_only)).status_code == 404, "not on the RSS channel"
    assert client.get("/members/feed/not-a-key/").status_code == 404
    left = rss_member(site, email="left@example.com")
    left.subscriptions.all().delete()
    assert client.get(feed_path(left)).status_code == 404, "left the channel"


def test_the_feed_answers_404_while_the_plugin_is_inactive(client, site, pages, deactivate_plugin):
    member = rss_member(site)
    deactivate_plugin(site, "members")
    assert client.get(feed_path(member)).status_code == 404


def test_the_feed_costs_the_same_queries_however_many_pages_it_lists(client, site, section, topic):
    member = rss_member(site, topics=["baking"])
    make_article(section, title="First")

    def cost():
        client.get(feed_path(member))
        with CaptureQueriesContext(connection) as queries:
            client.get(feed_path(member))
        return len(queries)

    few = cost()
    for n in range(6):
        make_article(section, title=f"More {n}")
    assert cost() == few
