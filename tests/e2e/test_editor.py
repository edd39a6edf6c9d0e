"""An editor renames an article in the admin and publishes it; visitors see the new title."""
import re

from playwright.sync_api import expect

from .conftest import E2E

pytestmark = E2E


def test_editor_publishes_a_new_title_that_visitors_see(admin, visitor, live_server, demo, screenshot):
    article_url = live_server.url + demo.article.path
    new_title = "Our sourdough, renamed in the browser"

    # A visitor reads the article twice: the second view comes from the page
    # cache, so the publish below must purge it for the new title to show.
    visitor.goto(article_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(demo.article.title)
    cached = visitor.reload().headers.get("x-page-cache")
    assert cached == "hit", f"the article should come from the page cache (X-Page-Cache: {cached})"

    # The editor opens the Journal in the page explorer and the article from there.
    admin.goto(f"{live_server.url}/admin/pages/{demo.journal_id}/")
    admin.get_by_role("link", name=demo.article.title, exact=True).first.click()
    expect(admin).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))

    # The page's own title field (a StreamField block may have a "Title" too).
    title_field = admin.get_by_role("textbox", name=re.compile(r"^Title\*?$")).and_(
        admin.locator('[name="title"]')
    )
    expect(title_field).to_have_value(demo.article.title)
    title_field.fill(new_title)

    # Wagtail's footer: "Save draft", with Publish in the "More actions" dropdown.
    footer = admin.locator("footer")
    footer.get_by_role("button", name="More actions").click()
    publish = footer.get_by_role("button", name="Publish", exact=True)
    expect(publish).to_be_visible()
    publish.click()
    expect(admin.get_by_text(re.compile(rf"{re.escape(new_title)}.*has been published"))).to_be_visible()
    screenshot(admin, "admin")

    visitor.goto(article_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(new_title)
    expect(visitor).to_have_title(re.compile(re.escape(new_title)))
    screenshot(visitor, "article")
