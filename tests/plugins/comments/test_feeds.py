"""RSS and Atom feeds of the latest approved comments, site-wide and per page:
valid XML, approved comments only, sanitised, absolute links on the Wagtail
site's host, and 404 wherever a page's comments are not public."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from hearthside.models import HomePage
from plugins.comments.models import CommentState, PageComment
from tests.factories import make_article, make_section
from tests.plugins.comments.factories import store_comment

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
SITE_RSS = "/comments/feed/rss/"
SITE_ATOM = "/comments/feed/atom/"


def page_feed(page, kind="rss"):
    return f"/comments/page/{page.pk}/feed/{kind}/"


@pytest.fixture
def section(site):
    return make_section(site.root_page)


@pytest.fixture
def article(section):
    return make_article(section, title="Spelt sourdough")


_minutes = iter(range(10_000))


def comment_on(
    page,
    text="Lovely **crumb**.",
    name="Priya",
    email="priya@example.com",
    state=CommentState.APPROVED,
    parent=None,
    site=None,
):
    return store_comment(
        page, text, site=site, name=name, email=email, state=state, parent=parent,
        # Each comment a minute after the last: the feeds list the newest first.
        submitted=timezone.now() - timezone.timedelta(days=1) + timezone.timedelta(minutes=next(_minutes)),
    )


def rss(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/rss+xml")
    return response.content.decode(), ET.fromstring(response.content).find("channel")


def atom(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content.decode(), ET.fromstring(response.content)


# RSS ---------------------------------------------------------------------------------


def test_the_site_rss_feed_lists_approved_comments_with_absolute_links(client, site, article):
    reply_to = comment_on(article, "Could I use **spelt**?", name="Priya")
    answer = comment_on(
        article, "Yes, up to half.", name="Copper Kettle", email="hello@example.com", parent=reply_to
    )

    body, channel = rss(client, SITE_RSS)

    assert channel.findtext("title") == "Comments on Copper Kettle"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.find(f"{ATOM}link").get("href") == "http://testserver/comments/feed/rss/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Copper Kettle on Spelt sourdough",
        "Priya on Spelt sourdough",
    ]
    newest = items[0]
    assert newest.findtext("link") == answer.get_full_url()
    assert newest.findtext("link") == f"http://testserver{article.url}#comment-{answer.pk}"
    assert newest.findtext("description") == "<p>Yes, up to half.</p>\n"
    assert items[1].findtext("description") == "<p>Could I use <strong>spelt</strong>?</p>\n"
    assert newest.findtext(f"{DC}creator") == "Copper Kettle"
    assert newest.findtext("pubDate")
    guids = [item.findtext("guid") for item in items]
    assert len(set(guids)) == 2 and all(guid.startswith("tag:testserver,") for guid in guids)
    assert "example.com" not in body.replace("@example.com", "")  # never the django.contrib.sites placeholder
    assert "priya@example.com" not in body and "hello@example.com" not in body  # never an email


def test_only_approved_comments_are_in_the_feeds(client, site, article):
    comment_on(article, "Shown to all")
    hidden = {
        CommentState.PENDING: "Waiting for a moderator",
        CommentState.SPAM: "Buy cheap things",
        CommentState.REMOVED: "Rude words",
        CommentState.UNCONFIRMED: "Not confirmed yet",
    }
    for state, text in hidden.items():
        comment_on(article, text, state=state)

    for path in (SITE_RSS, SITE_ATOM, page_feed(article), page_feed(article, "atom")):
        body = client.get(path).content.decode()
        assert "Shown to all" in body, path
        for text in hidden.values():
            assert text not in body, (path, text)


def test_a_reply_under_a_hidden_comment_is_hidden_with_it(client, site, article):
    removed = comment_on(article, "Rude words")
    reply = comment_on(article, "Quoting the rude words", parent=removed)
    comment_on(article, "Deeper still", parent=reply)
    shown = comment_on(article, "A fine question")
    comment_on(article, "A fine answer", parent=shown)
    PageComment.objects.filter(pk=removed.pk).update(state=CommentState.REMOVED)

    for path in (SITE_RSS, page_feed(article)):
        body = client.get(path).content.decode()
        assert "A fine question" in body and "A fine answer" in body
        assert "Rude words" not in body and "Quoting" not in body and "Deeper still" not in body


def test_feed_descriptions_are_sanitised(client, site, article):
    comment_on(
        article,
        "<script>alert(1)</script> **Lovely** [x](javascript:alert(2)) <img src=x onerror=alert(3)> "
        "[ok](https://example.org/)",
    )

    _body, channel = rss(client, SITE_RSS)
    description = channel.find("item").findtext("description")

    assert "<script" not in description
    assert "<img" not in description
    assert 'href="javascript' not in description
    assert "&lt;script&gt;" in description  # shown as text
    assert "<strong>Lovely</strong>" in description
    assert (
        'href="https://example.org/"' in description
        and 'rel="nofollow ugc noopener noreferrer"' in description
    )
    _body, feed = atom(client, SITE_ATOM)
    summary = feed.find(f"{ATOM}entry").find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<script" not in summary.text and "<strong>Lovely</strong>" in summary.text


def test_the_feeds_hold_the_latest_thirty(client, site, article):
    comments = [comment_on(article, f"Comment number {n}") for n in range(32)]

    _body, channel = rss(client, SITE_RSS)
    links = [item.findtext("link") for item in channel.findall("item")]

    assert links == [comment.get_full_url() for comment in reversed(comments[2:])]


# Atom --------------------------------------------------------------------------------


def test_the_site_atom_feed(client, site, article):
    comment = comment_on(article, "Lovely **crumb**.", name="Priya")

    body, feed = atom(client, SITE_ATOM)

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Comments on Copper Kettle"
    assert feed.findtext(f"{ATOM}subtitle")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": "http://testserver/", "self": "http://testserver/comments/feed/atom/"}
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Priya on Spelt sourdough"
    assert entry.find(f"{ATOM}link").get("href") == comment.get_full_url()
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Priya"
    assert entry.find(f"{ATOM}author").find(f"{ATOM}email") is None
    assert (
        entry.findtext(f"{ATOM}id") == f"tag:testserver,{comment.submit_date:%Y-%m-%d}:comment-{comment.pk}"
    )
    assert entry.findtext(f"{ATOM}published") and entry.findtext(f"{ATOM}updated")  # Atom requires updated
    assert "priya@example.com" not in body


# Per page ----------------------------------------------------------------------------------


def test_a_page_feed_lists_that_page_only(client, site, section, article):
    other = make_article(section, title="Rye bread")
    mine = comment_on(article, "On spelt")
    comment_on(other, "On rye")

    body, channel = rss(client, page_feed(article))

    assert channel.findtext("title") == "Comments on “Spelt sourdough” – Copper Kettle"
    assert channel.findtext("link") == article.full_url
    assert channel.find(f"{ATOM}link").get("href") == f"http://testserver{page_feed(article)}"
    assert [item.findtext("link") for item in channel.findall("item")] == [mine.get_full_url()]
    assert "On rye" not in body
    _body, feed = atom(client, page_feed(article, "atom"))
    assert [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")] == [
        "Priya on Spelt sourdough"
    ]


def test_a_page_without_comments_has_an_empty_feed(client, site, article):
    _body, channel = rss(client, page_feed(article))

    assert channel.findall("item") == []


def another_site():
    root = Page.get_first_root_node()
    home = HomePage(title="Other shop", slug="other-shop", hero_title="Elsewhere")
    root.add_child(instance=home)
    home.save_revision().publish()
    return Site.objects.create(hostname="other.test", port=80, root_page=home, site_name="Other shop")


def test_page_feeds_answer_404_where_comments_are_not_public(client, site, section, article):
    draft = make_article(section, title="Draft")
    draft.unpublish()
    private = make_article(section, title="Members only")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    other = another_site()
    elsewhere = make_article(make_section(other.root_page), title="Elsewhere")
    comment_on(elsewhere, "On the other site", site=other)

    for page in (draft, private, elsewhere, site.root_page):
        for kind in ("rss", "atom"):
            assert client.get(page_feed(page, kind)).status_code == 404, (page.title, kind)
    assert client.get("/comments/page/999999/feed/rss/").status_code == 404
    # The other site's page has its feed on its own host.
    assert client.get(page_feed(elsewhere), HTTP_HOST="other.test").status_code == 200


def test_the_site_feed_leaves_out_private_unpublished_and_other_sites_comments(
    client, site, section, article
):
    comment_on(article, "Public words")
    private = make_article(section, title="Members only")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    comment_on(private, "Private words")
    withdrawn = make_article(section, title="Withdrawn")
    comment_on(withdrawn, "Withdrawn words")
    withdrawn.unpublish()
    other = another_site()
    comment_on(make_article(make_section(other.root_page), title="Elsewhere"), "Other site words", site=other)

    body = client.get(SITE_RSS).content.decode()

    assert "Public words" in body
    assert "Private words" not in body and "Withdrawn words" not in body and "Other site words" not in body
    other_body, channel = rss(client, SITE_RSS, HTTP_HOST="other.test")
    assert "Other site words" in other_body and "Public words" not in other_body
    assert channel.findtext("link") == "http://other.test/"
    assert channel.find("item").findtext("link").startswith("http://other.test/")


def test_an_inactive_plugin_has_no_feeds(client, site, article, deactivate_plugin):
    comment_on(article)
    deactivate_plugin(site, "comments")

    for path in (SITE_RSS, SITE_ATOM, page_feed(article), page_feed(article, "atom")):
        assert client.get(path).status_code == 404, path


# Cost -------------------------------------------------------------------------------------


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", [SITE_RSS, SITE_ATOM, "page"])
def test_a_feed_costs_the_same_queries_however_many_comments(client, site, section, article, path):
    path = page_feed(article) if path == "page" else path
    other = make_article(section, title="Rye bread")
    question = comment_on(article)
    comment_on(article, "An answer", parent=question)
    comment_on(other)
    client.get(path)  # warm the caches every request shares (site root paths, plugin states)
    few = queries_for(client, path)

    for n in range(25):
        parent = comment_on(article if n % 2 else other, f"More {n}", name=f"Visitor {n}")
        comment_on(parent.page, f"Reply {n}", parent=parent)

    assert queries_for(client, path) == few
