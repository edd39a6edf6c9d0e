"""Comment counts on listing cards: right, cheap, and only where they belong."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from plugins.comments.models import CommentState
from plugins.comments.slots import CommentCount
from tests.factories import make_article, make_section


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0


def card_counts(html) -> dict[str, str]:
    """{card title: its comment count text} for every card on the page."""
    soup = BeautifulSoup(html, "html.parser")
    counts = {}
    for card in soup.find_all("article", class_="card"):
        found = card.find(class_="card__comments")
        counts[card.find(class_="card__title").get_text(strip=True)] = (
            found.get_text(" ", strip=True) if found else None
        )
    return counts


def test_section_cards_show_how_many_approved_comments_each_article_has(client, section, make_comment):
    busy = make_article(section, title="Busy")
    make_article(section, title="Quiet")
    single = make_article(section, title="Single")
    first = make_comment(busy)
    make_comment(busy, parent=first)
    make_comment(busy, state=CommentState.PENDING)  # held: not counted
    make_comment(single)

    counts = card_counts(client.get(section.url).content.decode())

    assert counts == {
        "Busy": "2 comments on “Busy”",
        "Quiet": "No comments yet on “Quiet”",
        "Single": "1 comment on “Single”",
    }


def test_the_count_links_to_the_articles_comments(client, section, make_comment):
    article = make_article(section, title="Busy")
    make_comment(article)
    soup = BeautifulSoup(client.get(section.url).content.decode(), "html.parser")
    assert soup.find("a", class_="card__comments-link")["href"] == f"{article.url}#comments"


def test_the_home_pages_latest_articles_show_counts_too(client, root_page, section, make_comment):
    article = make_article(section, title="Busy")
    make_comment(article)
    root_page.featured_section = section
    root_page.save_revision().publish()

    assert card_counts(client.get("/").content.decode()) == {"Busy": "1 comment on “Busy”"}


def queries_to_list(client, url):
    client.get(url)  # the first view makes the cards' image renditions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_listing_queries_do_not_grow_with_the_number_of_cards(client, root_page, make_comment):
    few = make_section(root_page, title="News")
    many = make_section(root_page, title="Journal", per_page=12)
    for section, cards in ((few, 2), (many, 8)):
        for n in range(cards):
            article = make_article(section, images=1, tags=["news"])
            for _ in range(n % 3):
                make_comment(article)

    few_queries, _ = queries_to_list(client, few.url)
    many_queries, html = queries_to_list(client, many.url)

    assert many_queries == few_queries
    assert len(card_counts(html)) == 8


def test_counts_cost_one_query_per_listing(client, root_page, make_comment, deactivate_plugin, site):
    section = make_section(root_page, title="Journal")
    for _ in range(4):
        make_comment(make_article(section))
    with_counts, html = queries_to_list(client, section.url)
    assert [text.split(" on ")[0] for text in card_counts(html).values()] == ["1 comment"] * 4

    deactivate_plugin(site, "comments")
    without_counts, html = queries_to_list(client, section.url)

    assert set(card_counts(html).values()) == {None}
    assert with_counts - without_counts == 1


def component_data(page):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return CommentCount().data(request, page=page)


def test_the_card_count_uses_the_count_the_listing_fetched(section, make_comment, django_assert_num_queries):
    article = make_article(section)
    article.comment_count = 7  # set by the listing_pages receiver for the whole listing
    with django_assert_num_queries(0):
        assert component_data(article) == {"count": 7}


def test_the_card_count_falls_back_to_a_query_outside_listings(
    section, make_comment, django_assert_num_queries
):
    article = make_article(section)
    make_comment(article)
    make_comment(article)
    with django_assert_num_queries(1):
        assert component_data(article) == {"count": 2}


def test_pages_that_take_no_comments_get_no_count(root_page, section):
    assert component_data(root_page) is None
    assert component_data(section) is None
    assert component_data(None) is None
