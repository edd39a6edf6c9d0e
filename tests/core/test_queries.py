"""Rendering an article costs a fixed number of queries however many tags,
body images and related pages it has (the page cache is off here)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_article, make_section


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0


def queries_to_render(client, url):
    client.get(url)  # first view creates image renditions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_article_queries_do_not_grow_with_tags_images_or_related_pages(client, root_page):
    section = make_section(root_page, title="Journal")
    others = [make_article(section, images=1) for _ in range(6)]
    small = make_article(section, tags=["coffee"], images=1, related=others[:1])
    large = make_article(
        section,
        tags=["coffee", "baking", "news", "recipes", "community", "how-to"],
        images=6,
        related=others,
    )

    assert queries_to_render(client, large.url) == queries_to_render(client, small.url)


def test_section_listing_queries_do_not_grow_with_the_number_of_articles(client, root_page):
    few = make_section(root_page, title="News")
    many = make_section(root_page, title="Journal")
    for _ in range(2):
        make_article(few, images=1, tags=["news"])
    for _ in range(8):
        make_article(many, images=1, tags=["news", "coffee"])

    assert queries_to_render(client, many.url) == queries_to_render(client, few.url)
