"""An administrator switches the site's theme, then turns the sample plugin off and on again."""
import re

from playwright.sync_api import expect

from .conftest import E2E

pytestmark = E2E

GREETING = re.compile(r"Welcome, neighbour!|Hello from the sample plugin")


def open_settings_item(admin, label):
    """Settings (sidebar) → ``label``, as a person clicks through the admin menu."""
    admin.get_by_role("button", name="Settings").click()
    admin.get_by_role("link", name=label, exact=True).click()


def stylesheets(page):
    return page.locator('link[rel="stylesheet"]').evaluate_all("links => links.map(l => l.href)")


def test_admin_switches_theme_and_toggles_a_plugin(admin, visitor, live_server, demo, screenshot):
    home_url = live_server.url + "/"
    article_url = live_server.url + demo.article.path

    # Before: the demo's theme, and a cached home page to prove the switch purges it.
    visitor.goto(home_url)
    assert not any("themes/meadow" in href for href in stylesheets(visitor))
    cached = visitor.reload().headers.get("x-page-cache")
    assert cached == "hit", f"the home page should come from the page cache (X-Page-Cache: {cached})"

    # Settings → Site settings: choose Meadow and save.
    admin.goto(live_server.url + "/admin/")
    open_settings_item(admin, "Site settings")
    expect(admin).to_have_url(re.compile(r"/admin/settings/hearthside/sitebranding/"))
    admin.get_by_role("combobox", name=re.compile(r"^Theme")).select_option(label="Meadow")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_text("Site settings updated.")).to_be_visible()

    # The visitor's next page view uses the meadow stylesheet, and it loads.
    visitor.goto(home_url)
    meadow = [href for href in stylesheets(visitor) if "themes/meadow" in href]
    assert meadow, f"no meadow stylesheet in {stylesheets(visitor)}"
    for href in meadow:
        assert visitor.request.get(href).status == 200, href
    expect(visitor.get_by_role("banner")).to_contain_text(demo.brand_name)
    screenshot(visitor, "meadow-home")

    # The sample plugin's greeting follows the article body while it is active.
    visitor.goto(article_url)
    expect(visitor.get_by_role("complementary", name="Greeting")).to_have_text(GREETING)
    assert visitor.goto(live_server.url + "/sample/").status == 200

    # Settings → Plugins: deactivate it.
    open_settings_item(admin, "Plugins")
    expect(admin).to_have_url(re.compile(r"/admin/plugins/"))
    admin.get_by_role("button", name="Deactivate Sample plugin").click()
    expect(admin.get_by_text(re.compile(r"Sample plugin.* is now inactive"))).to_be_visible()
    expect(admin.get_by_role("button", name="Activate Sample plugin")).to_be_visible()

    visitor.goto(article_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(demo.article.title)
    expect(visitor.get_by_role("complementary", name="Greeting")).to_have_count(0)
    expect(visitor.get_by_text(GREETING)).to_have_count(0)
    assert visitor.goto(live_server.url + "/sample/").status == 404

    # Activate it again: the greeting is back.
    admin.get_by_role("button", name="Activate Sample plugin").click()
    expect(admin.get_by_text(re.compile(r"Sample plugin.* is now active"))).to_be_visible()
    screenshot(admin, "plugins")

    assert visitor.goto(live_server.url + "/sample/").status == 200
    visitor.goto(article_url)
    expect(visitor.get_by_role("complementary", name="Greeting")).to_have_text(GREETING)
    screenshot(visitor, "meadow-article")
