"""A visitor finds an article from the home page."""
import re

from playwright.sync_api import expect

from .conftest import E2E

pytestmark = E2E


def test_visitor_opens_an_article_from_the_home_page(visitor, live_server, demo, screenshot):
    response = visitor.goto(live_server.url + "/")
    assert response.status == 200

    # The business's name in the page header, and the hero.
    expect(visitor.get_by_role("banner")).to_contain_text(demo.brand_name)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(demo.hero_title)

    # The home page's cards link to the Journal's articles; follow the first one.
    article_links = visitor.locator(
        f'main a[href^="{demo.journal_path}"]:not([href="{demo.journal_path}"]):not([href*="?"])'
    )
    expect(article_links.first).to_be_visible()
    title = article_links.first.inner_text().strip()
    assert title, "the article link should be labelled with the article's title"
    article_links.first.click()

    expect(visitor).to_have_url(re.compile(re.escape(demo.journal_path) + r"[\w-]+/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor).to_have_title(re.compile(re.escape(title)))
    screenshot(visitor, "article")
