"""An editor publishes a new article; it waits in Updates, where they
preview it and send it at once; members who follow it get the email
through a real SMTP server, and one of them unsubscribes from the link in
it, in the browser, with one button."""
import re
from datetime import date

from playwright.sync_api import expect

from .conftest import E2E

pytestmark = E2E

UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/members/unsubscribe/[^\s/]+/")


def test_editor_sends_an_update_and_a_member_unsubscribes_from_its_email(
    admin, visitor, live_server, demo, smtp_server, screenshot
):
    from wagtail.models import Page

    from hearthside.models import ArticlePage
    from plugins.members.models import Member
    from plugins.syndication.models import Delivery, Update

    from .conftest import emailed_link

    # A draft, written earlier: the first publish is what makes it news.
    journal = Page.objects.get(pk=demo.journal_id)
    draft = ArticlePage(
        title="Mince pies are back", slug="mince-pies-are-back", summary="From Saturday, all December.",
        date=date(2026, 12, 2), body=[("paragraph", "<p>Butter pastry, our own mincemeat.</p>")], live=False,
    )
    journal.add_child(instance=draft)
    draft.save_revision()

    admin.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    footer = admin.locator("footer")
    footer.get_by_role("button", name="More actions").click()
    footer.get_by_role("button", name="Publish", exact=True).click()
    expect(admin.get_by_text(re.compile(r"Mince pies are back.*has been published"))).to_be_visible()

    # The update waits for the site's delay, and says so.
    admin.goto(f"{live_server.url}/admin/syndication/")
    admin.get_by_role("link", name="Mince pies are back").first.click()
    expect(admin.get_by_text(re.compile(r"Goes out .* unless someone holds or cancels it"))).to_be_visible()
    preview = admin.frame_locator("iframe").first
    expect(preview.get_by_role("heading", name="Mince pies are back")).to_be_visible()
    screenshot(admin, "update-waiting")
    admin.get_by_role("button", name="Send now").click()
    expect(admin.get_by_text(re.compile("goes out now", re.I)).first).to_be_visible()

    update = Update.objects.get(page_id=draft.pk)
    reached = list(Delivery.objects.filter(update=update, channel="email", status="sent").values_list("member_id", flat=True))
    assert reached, "the demo has members on email who follow the Journal"
    admin.reload()
    expect(admin.get_by_text(re.compile(r"Sent", re.I)).first).to_be_visible()
    screenshot(admin, "update-sent")

    member = Member.objects.get(pk=reached[0])
    link = emailed_link(smtp_server, member.email, UNSUBSCRIBE_LINK)
    visitor.goto(link.replace("http://testserver", live_server.url))
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    assert member.subscriptions.filter(channel="email").exists(), "opening the link changes nothing"
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.get_by_text(re.compile("unsubscribed", re.I)).first).to_be_visible()
    screenshot(visitor, "unsubscribed")
    assert not member.subscriptions.filter(channel="email").exists()
