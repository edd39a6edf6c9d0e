"""Site search, sitemap.xml, robots.txt and SEO / Open Graph meta."""
from wagtail.models import PageViewRestriction

from tests.factories import make_article, make_section, make_standard


def test_search_finds_live_pages_by_their_words(client, root_page):
    section = make_section(root_page, title="Journal")
    make_article(section, title="How we roast our espresso", body=[("paragraph", "<p>Dark caramel notes.</p>")])
    draft = make_article(section, title="Secret espresso plans")
    draft.unpublish()

    html = client.get("/search/", {"q": "espresso"}).content.decode()

    assert "How we roast our espresso" in html
    assert "Secret espresso plans" not in html


def test_search_ignores_private_pages(client, root_page):
    private = make_standard(root_page, title="Staff rota espresso")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    assert "Staff rota espresso" not in client.get("/search/", {"q": "espresso"}).content.decode()


def test_an_empty_or_huge_query_is_answered_calmly(client, site):
    assert client.get("/search/").status_code == 200
    assert client.get("/search/", {"q": "x" * 10_000}).status_code == 200
    assert client.get("/search/", {"q": "cake", "page": "nope"}).status_code == 200


def test_escapes_the_query_in_the_results_page(client, site):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_sitemap_lists_live_pages_only(client, root_page):
    live = make_standard(root_page, title="About us")
    gone = make_standard(root_page, title="Old menu")
    gone.unpublish()
    xml = client.get("/sitemap.xml").content.decode()
    assert f"http://testserver{live.url}" in xml
    assert gone.slug not in xml


def test_robots_txt_points_at_the_sitemap(client, site):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_article_pages_carry_open_graph_and_description_meta(client, root_page):
    section = make_section(root_page, title="Journal")
    article = make_article(section, title="Sourdough starter guide", images=1, tags=["baking"])
    html = client.get(article.url).content.decode()
    assert '<meta property="og:title" content="Sourdough starter guide">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta name="description" content="{article.summary}">' in html
    assert f'<link rel="canonical" href="http://testserver{article.url}">' in html
    assert '<meta property="og:image" content="http://testserver/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
